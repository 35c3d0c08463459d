"""Funnel: where do leads drop out between lead and won, and how long does each step take?"""

import polars as pl
import streamlit as st

from leadfunnel.charts import funnel_figure, monthly_stage_figure
from leadfunnel.format import count, count_delta, percent, rate_delta, written
from leadfunnel.i18n import day, t
from leadfunnel.metrics import FUNNEL_METRICS, by_column
from leadfunnel.model import labelled, stage_label
from leadfunnel.ui.downloads import download_buttons, span, unit_suffix
from leadfunnel.ui.first_paint import end_of_first_screen, plotly_chart, stop
from leadfunnel.ui.sidebar import current_view
from leadfunnel.ui.tables import MISSING, table
from leadfunnel.ui.views import funnel_by_month, funnel_stages

filters, mode = current_view()
previous = filters.previous_period()


def translated(frame: pl.DataFrame) -> pl.DataFrame:
    """Stage labels in the reader's language."""
    return labelled(frame, "stage", stage_label, alias="label")


st.title(t("funnel.title"))
st.caption(t("funnel.caption", mode=t(f"mode.{mode}"), start=day(filters.date_from), end=day(filters.date_to),
             meaning=t(f"mode.{mode}_meaning")))
st.caption(t("funnel.maturing") if mode == "cohort" else t("funnel.period_entries"))
by_account = filters.unit == "account"
if by_account:
    st.caption(t("unit.by_account") + (t("unit.period_by_account") if mode == "period" else ""))
counted = t(by_column(FUNNEL_METRICS)["leads"].label_for(filters.unit))
by = ".account" if by_account else ""  # the account wording of a help text

stages = translated(funnel_stages(filters, mode))
before = funnel_stages(previous, mode) if previous else None
by_stage = {row["stage"]: row for row in stages.iter_rows(named=True)}
prev_stage = {row["stage"]: row for row in before.iter_rows(named=True)} if before is not None else {}

if all(not row["leads"] for row in by_stage.values()):  # "no data" only when no stage entry at all is in view
    st.info(t("funnel.empty"))
    stop()

columns = st.columns(5)
for column, stage in zip(columns, ("lead", "mql", "sql", "won"), strict=False):
    now, then = by_stage[stage], prev_stage.get(stage, {})
    if not now["in_data"]:  # "not in data" in the small line under the value: as the value it was cut off (データ…)
        column.metric(now["label"], MISSING, t("funnel.not_in_data"), delta_color="off", delta_arrow="off",
                      help=t("funnel.not_in_data_help", stage=now["label"]))
        continue
    column.metric(now["label"], count(now["leads"]), count_delta(now["leads"], then.get("leads")),
                  help=t(f"funnel.metric_help{by}", stage=now["label"]))
won_rate, won_rate_before = by_stage["won"]["rate_from_lead"], prev_stage.get("won", {}).get("rate_from_lead")
columns[4].metric(t("funnel.lead_to_won"), percent(won_rate), rate_delta(won_rate, won_rate_before),
                  help=t(f"funnel.lead_to_won_help{by}"))
if previous:
    st.caption(t("funnel.compared", start=day(previous.date_from), end=day(previous.date_to)))

chart, numbers = st.columns([5, 6])
with chart:
    plotly_chart(funnel_figure(stages), width="stretch", key="funnel_chart")
    st.caption(t("funnel.chart_caption"))
with numbers:
    table(
        pl.DataFrame({
            t("funnel.col_stage"): stages["label"],
            counted: [count(v) if present else t("funnel.not_in_data")
                      for v, present in zip(stages["leads"], stages["in_data"], strict=True)],
            **{t(m.label): [written(v, m.kind) for v in stages[m.column]]
               for m in FUNNEL_METRICS if m.column != "leads"},
        }),
        hide_index=True, width="stretch",
        column_config={counted: st.column_config.TextColumn(counted, width=96)},  # "not in data" fits
    )
    st.caption(t("funnel.table_caption"))
    download_buttons(stages.select("label", "leads", "rate_from_previous", "rate_from_lead", "drop_off",
                                   "median_days_from_previous").rename({"leads": counted}),
                     f"funnel-{mode}{unit_suffix(filters)}-{span(filters)}", "funnel")

end_of_first_screen()  # a session's first run stops here; the probe's rerun draws the rest

st.subheader(t("funnel.by_month"))
absent = [stage for stage, row in by_stage.items() if not row["in_data"]]  # not invented month by month either
monthly = translated(funnel_by_month(filters, mode).filter(~pl.col("stage").is_in(absent)))
plotly_chart(monthly_stage_figure(monthly), width="stretch", key="monthly_chart")
st.caption(t("funnel.month_caption"))
with st.expander(t("funnel.monthly_numbers")):
    by_month = (monthly.pivot("label", index="month", values="leads", sort_columns=False).fill_null(0)
                .sort("month").with_columns(pl.col("month").cast(pl.String)).rename({"month": t("funnel.col_month")}))
    table(by_month, hide_index=True, width="stretch")
    download_buttons(by_month, f"funnel-by-month-{mode}-{span(filters)}", "by_month")
