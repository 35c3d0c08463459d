"""Funnel: where do leads drop out between lead and won, and how long does each step take?"""

import polars as pl
import streamlit as st

from leadfunnel.charts import funnel_figure, monthly_stage_figure
from leadfunnel.ui.format import count, count_delta, days, percent, rate_delta
from leadfunnel.ui.session import run_query
from leadfunnel.ui.sidebar import MODE_LABELS, MODE_MEANING, current_view

filters, mode = current_view()
previous = filters.previous_period()

st.title("Funnel")
st.caption(f"**{MODE_LABELS[mode]} view** of {filters.date_from} to {filters.date_to}: {MODE_MEANING[mode]}. "
           "A lead that skipped a stage counts as having passed it.")
if mode == "cohort":
    st.caption("Recent cohorts are still maturing: their later stages fill in over the coming months.")

stages = run_query("funnel/stage_counts", filters.params(mode))
before = run_query("funnel/stage_counts", previous.params(mode)) if previous else None
by_stage = {row["stage"]: row for row in stages.iter_rows(named=True)}
prev_stage = {row["stage"]: row for row in before.iter_rows(named=True)} if before is not None else {}

if by_stage["lead"]["leads"] == 0:
    st.info("No leads match these filters in this date range. Widen the date range or clear a filter.")
    st.stop()

columns = st.columns(5)
for column, stage in zip(columns, ("lead", "mql", "sql", "won"), strict=False):
    now, then = by_stage[stage], prev_stage.get(stage, {})
    column.metric(now["label"], count(now["leads"]), count_delta(now["leads"], then.get("leads")),
                  help=f"Leads that reached {now['label']} (or a later stage) in this view.")
won_rate, won_rate_before = by_stage["won"]["rate_from_lead"], prev_stage.get("won", {}).get("rate_from_lead")
columns[4].metric("Lead → won", percent(won_rate), rate_delta(won_rate, won_rate_before),
                  help="Won ÷ leads in this view.")
if previous:
    st.caption(f"Changes are against the previous period of equal length, {previous.date_from} to {previous.date_to}.")

chart, table = st.columns([5, 6])
with chart:
    st.plotly_chart(funnel_figure(stages), width="stretch", key="funnel_chart")
    st.caption("Each bar: leads at the stage · % of the previous stage. Hover for % of all leads.")
with table:
    st.dataframe(
        pl.DataFrame({
            "Stage": stages["label"],
            "Leads": [count(v) for v in stages["leads"]],
            "From previous": [percent(v) for v in stages["rate_from_previous"]],
            "From lead": [percent(v) for v in stages["rate_from_lead"]],
            "Drop-off": [count(v) for v in stages["drop_off"]],
            "Median days": [days(v) for v in stages["median_days_from_previous"]],
        }),
        hide_index=True, width="stretch",
    )
    st.caption("From previous = leads at the stage ÷ leads at the previous stage; from lead = ÷ leads in the view; "
               "drop-off = previous stage − this stage; median days from entering the previous stage.")

st.subheader("By month")
monthly = run_query("funnel/monthly_stage_entries", filters.params(mode))
st.plotly_chart(monthly_stage_figure(monthly), width="stretch", key="monthly_chart")
st.caption("Cohort view: leads created in each month, by the furthest stage they reached. "
           "Period view: stage entries that happened in each month.")
with st.expander("Monthly numbers"):
    st.dataframe(monthly.pivot("label", index="month", values="leads", sort_columns=False).fill_null(0)
                 .sort("month").with_columns(pl.col("month").cast(pl.String)), hide_index=True, width="stretch")
