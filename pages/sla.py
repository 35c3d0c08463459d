"""SLA: does sales follow up on handed-over leads in time, and what does sales think of them?"""


import polars as pl
import streamlit as st

from leadfunnel.charts import sla_weekly_figure
from leadfunnel.format import count, count_delta, hours, percent, rate_delta
from leadfunnel.i18n import day, localized, moment, moment_format, t
from leadfunnel.metrics import SLA_METRICS, by_column
from leadfunnel.model import ACTIVITY_TYPES, activity_label, channel_label, labelled, stage_label
from leadfunnel.sla.compliance import compliance_summary, feedback_loop, grouped, overdue_now, weekly
from leadfunnel.sla.policy import (
    AGING_STAGES,
    HOLIDAY_COUNTRIES,
    PolicyError,
    SlaPolicy,
    stage_limits,
)
from leadfunnel.ui.downloads import download_buttons, long_table, span
from leadfunnel.ui.first_paint import after_first_paint, end_of_first_screen, plotly_chart, stop
from leadfunnel.ui.session import TRIED_POLICY_KEY, agreed_policy, policy_in_force, save_agreed_policy
from leadfunnel.ui.sidebar import current_as_of, current_view
from leadfunnel.ui.tables import table
from leadfunnel.ui.views import sales_touches_in_data, sla_handover_scores, sla_handovers

TIMEZONES = ("Asia/Tokyo", "Asia/Seoul", "Asia/Singapore", "Asia/Shanghai", "Europe/London", "Europe/Berlin",
             "America/New_York", "America/Los_Angeles", "UTC")

SLA = by_column(SLA_METRICS)  # the figures' names and definitions


def metric_name(key: str) -> str:
    """An SLA figure's name, from the metrics catalogue."""
    return t(SLA[key].label)


filters, _ = current_view()
as_of = current_as_of()
LEAD_COLUMNS = {
    "lead_id": t("pack.lead"), "company": t("pack.company"), "channel": t("col.channel"), "owner": t("sidebar.owner"),
    "handover_at": st.column_config.DatetimeColumn(t("pack.handed_over_at"), format=moment_format()),
    "score": st.column_config.NumberColumn(t("sla.score"), format="%.0f", help=t("sla.score_help")),
}
saved_at = agreed_policy()[1]
policy: SlaPolicy = policy_in_force()

st.title(t("sla.title"))
st.caption(policy.summary())
if st.session_state.get(TRIED_POLICY_KEY) is not None:
    notice, back = st.columns([5, 1], vertical_alignment="center")
    notice.warning(t("sla.trying"), icon=":material/science:")
    back.button(t("sla.back_to_agreed"), on_click=lambda: st.session_state.pop(TRIED_POLICY_KEY, None))
else:
    st.caption(t("sla.agreed_at", at=moment(saved_at)) if saved_at else t("sla.default_policy"))


def _country(code: str | None) -> str:
    return t("sla.no_holidays") if code is None else t(f"country.{code}")


def policy_form() -> None:
    """The policy in force, editable: tried for this session only, or saved as the agreed one (with when)."""
    with st.form("sla_policy"):
        left, middle, right = st.columns(3)
        handover = left.radio(t("sla.handover_event"), ["mql", "sal"], index=["mql", "sal"].index(policy.handover),
                              format_func=str.upper, horizontal=True, key="sla_handover")
        deadline = left.number_input(t("sla.deadline"), 0.5, 2160.0, float(policy.deadline_hours), 1.0,
                                     key="sla_deadline")
        business = left.radio(t("sla.count"), ["calendar", "business"], index=int(policy.business_hours),
                              horizontal=True, format_func=lambda c: t(f"sla.clock.{c}"), key="sla_clock")
        start = middle.time_input(t("sla.day_start"), policy.day_start, key="sla_start")
        end = middle.time_input(t("sla.day_end"), policy.day_end, key="sla_end")
        country = middle.selectbox(t("sla.holidays"), [None, *HOLIDAY_COUNTRIES],
                                   index=[None, *HOLIDAY_COUNTRIES].index(policy.holiday_country),
                                   format_func=_country, key="sla_holidays")
        zone = right.selectbox(t("sla.timezone"), TIMEZONES, index=TIMEZONES.index(policy.timezone)
                               if policy.timezone in TIMEZONES else 0, key="sla_zone")
        feedback_days = right.number_input(t("sla.feedback_days"), 1, 90,
                                           int(policy.feedback_days), key="sla_feedback_days")
        # the choices in full rows: in a third of the form they scrolled sideways, hiding Sunday and some touches
        days = st.pills(t("sla.working_days"), list(range(7)), selection_mode="multi",
                        default=list(policy.working_days), format_func=lambda d: t(f"weekday.{d}"), key="sla_days")
        touches = st.pills(t("sla.touch_types"), list(ACTIVITY_TYPES), selection_mode="multi",
                           default=list(policy.touch_types), format_func=activity_label, key="sla_touches")
        st.markdown(t("sla.stage_limits"), help=t("sla.stage_limits_help"))
        limit_columns = st.columns(len(AGING_STAGES) + 1)
        limits = {stage: column.number_input(stage_label(stage), 0.0, 3650.0, float(policy.limit(stage) or 0), 1.0,
                                             key=f"sla_limit_{stage}")
                  for stage, column in zip(AGING_STAGES, limit_columns, strict=False)}
        aging_clock = limit_columns[-1].radio(t("sla.aging_clock"), ["calendar", "business"],
                                              index=int(policy.aging_business_days),
                                              format_func=lambda c: t(f"sla.aging_clock.{c}"), key="sla_aging_clock")
        try_column, save_column = st.columns([1, 1])
        tried = try_column.form_submit_button(t("sla.try"), help=t("sla.try_help"))
        saved = save_column.form_submit_button(t("sla.save"), type="primary", help=t("sla.save_help"))
        if tried or saved:
            try:
                chosen = SlaPolicy(
                    handover=handover, deadline_hours=deadline, business_hours=business == "business",
                    working_days=tuple(sorted(days or ())), day_start=start, day_end=end, holiday_country=country,
                    timezone=zone, touch_types=tuple(touches or ()), feedback_days=int(feedback_days),
                    stage_limits=stage_limits({stage: days for stage, days in limits.items() if days}),
                    aging_business_days=aging_clock == "business")
            except PolicyError as error:
                st.error(t("sla.not_saved", error=localized(error)))
            else:
                if saved:  # the explicit act: agreed for everyone, with when
                    save_agreed_policy(chosen)
                else:
                    st.session_state[TRIED_POLICY_KEY] = chosen
                st.rerun()


with st.expander(t("sla.policy"), icon=":material/handshake:"):
    if after_first_paint():  # closed at first: its controls' code need not hold back the numbers
        policy_form()
with st.expander(t("sla.definitions")):
    st.markdown(t("sla.definitions_text"))

st.caption(t("sla.scope", start=day(filters.date_from), end=day(filters.date_to)))

classified = sla_handovers(filters, policy, as_of)
if classified.is_empty():
    st.info(t("sla.empty"))
    stop()
if not sales_touches_in_data(policy, as_of):  # missing data is not bad performance
    st.metric(metric_name("handed_over"), count(classified.height))
    st.info(t("sla.no_touches", touches=", ".join(activity_label(k) for k in policy.touch_types)),
            icon=":material/info:")
    stop()
now = compliance_summary(classified)
previous_filters = filters.previous_period()
before = compliance_summary(sla_handovers(previous_filters, policy, as_of)) if previous_filters else {}


# Two rows: in one row of seven, "15.1 時間" and "Median to touch" were cut off on a 1280-px screen.
metrics = st.columns(5)
metrics[0].metric(metric_name("compliance_rate"), percent(now["compliance_rate"]),
                  rate_delta(now["compliance_rate"], before.get("compliance_rate")),
                  help=t(SLA["compliance_rate"].definition))
for column, key, colour in ((metrics[1], "met", "normal"), (metrics[2], "breached", "inverse"),
                            (metrics[3], "overdue_open", "inverse"), (metrics[4], "pending", "off")):
    column.metric(metric_name(key), count(now[key]), count_delta(now[key], before.get(key)), delta_color=colour)
clock = t(f"sla.clock.{policy.clock}")
durations = st.columns([1.5, 1.5, 2])
for column, key in ((durations[0], "median_hours_to_first_touch"), (durations[1], "p90_hours_to_first_touch")):
    column.metric(metric_name(key), hours(now[key]), help=t(SLA[key].definition, clock=clock))
if previous_filters:
    st.caption(t("sla.compared", n=now["handed_over"], start=day(previous_filters.date_from),
                 end=day(previous_filters.date_to)))

st.subheader(t("sla.by_week"))
plotly_chart(sla_weekly_figure(weekly(classified)), width="stretch", key="sla_weekly")
st.caption(t("sla.by_week_caption"))
end_of_first_screen()  # a session's first run stops here; the probe's rerun draws the rest

BREAKDOWN_COLUMNS = {
    **{key: st.column_config.NumberColumn(metric_name(key))
       for key in ("handed_over", "met", "breached", "overdue_open", "pending")},
    "compliance_rate": st.column_config.NumberColumn(metric_name("compliance_rate"), format="%.1f%%"),
    "median_hours_to_first_touch": st.column_config.NumberColumn(metric_name("median_hours_to_first_touch"),
                                                                 format="localized"),
}
for tab, field, label in zip(st.tabs([t("sla.by_owner"), t("sla.by_channel")]), ("owner", "channel"),
                             (t("sidebar.owner"), t("col.channel")), strict=True):
    breakdown = grouped(classified, field).sort("handed_over", descending=True)
    if field == "channel":
        breakdown = labelled(breakdown, "channel", channel_label)
    table(breakdown.with_columns(pl.col("compliance_rate") * 100), container=tab, hide_index=True, width="stretch",
          column_config={field: st.column_config.TextColumn(label), **BREAKDOWN_COLUMNS})
    with tab:  # the download has the rate as a fraction: Excel writes it as a percentage
        download_buttons(breakdown, f"sla-by-{field}-{span(filters)}", f"sla_{field}")

st.subheader(metric_name("overdue_open"))
scores = sla_handover_scores(filters, policy, as_of)
overdue = labelled(overdue_now(classified, scores), "channel", channel_label)
if overdue.is_empty():
    st.success(t("sla.none_overdue"))
else:
    long_table(overdue, f"overdue-{as_of:%Y%m%d-%H%M}", "overdue", column_config={
        **LEAD_COLUMNS,
        "deadline_at": st.column_config.DatetimeColumn(t("sla.deadline_at"), format=moment_format()),
        "hours_overdue": st.column_config.NumberColumn(t("pack.hours_overdue"), format="localized"),
    })
st.caption(t("sla.overdue_caption", clock=clock))

st.subheader(t("sla.feedback"))
loop = feedback_loop(classified, scores, policy, as_of)
with_feedback = loop["by_channel"]["with_feedback"].sum()
accepted = loop["by_channel"]["accepted"].sum()
st.caption(t("sla.feedback_caption", rate=percent(accepted / with_feedback), n=with_feedback) if with_feedback
           else t("sla.no_feedback"))
ACCEPTANCE_COLUMNS = {
    "handed_over": st.column_config.NumberColumn(metric_name("handed_over")),
    "with_feedback": st.column_config.NumberColumn(t("sla.with_feedback")),
    "accepted": st.column_config.NumberColumn(t("sla.accepted")),
    "rejected": st.column_config.NumberColumn(t("sla.rejected")),
    "acceptance_rate": st.column_config.NumberColumn(t("sla.acceptance"), format="%.1f%%"),
    "top_rejection_reason": st.column_config.TextColumn(t("sla.top_reason")),
}
band_column, reasons_column = st.columns(2)
band_column.markdown(t("sla.by_band"))
table(loop["by_band"].with_columns(pl.col("acceptance_rate") * 100), container=band_column, hide_index=True,
      width="stretch", column_order=("band", "with_feedback", "accepted", "rejected", "acceptance_rate",
                                     "top_rejection_reason"),
      column_config={"band": t("sla.score"), **ACCEPTANCE_COLUMNS})
reasons_column.markdown(t("sla.top_reasons"))
table(loop["reasons"].head(10), container=reasons_column, hide_index=True, width="stretch",
      column_config={"reason": t("sla.reason"), "rejected": t("sla.rejected")})
with band_column:
    download_buttons(loop["by_band"], "acceptance-by-score-band", "by_band")
with reasons_column:
    download_buttons(loop["reasons"], "rejection-reasons", "reasons")
st.markdown(f"**{t('sla.by_channel')}**")
table(
    labelled(loop["by_channel"], "channel", channel_label).with_columns(pl.col("acceptance_rate") * 100),
    hide_index=True, width="stretch", column_config={"channel": t("col.channel"), **ACCEPTANCE_COLUMNS})
download_buttons(loop["by_channel"], "acceptance-by-channel", "by_channel")
waiting = loop["without_feedback"]
st.markdown(t("sla.without_feedback", days=policy.feedback_days, n=waiting.height))
if waiting.height:
    long_table(labelled(waiting, "channel", channel_label), "without-feedback", "waiting",
               height=min(36 * (waiting.height + 1) + 4, 320), column_config=LEAD_COLUMNS)
