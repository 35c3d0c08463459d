"""SLA: does sales follow up on handed-over leads in time, and what does sales think of them?"""

from datetime import datetime, timedelta

import polars as pl
import streamlit as st

from leadfunnel.charts import sla_weekly_figure
from leadfunnel.export import csv_bytes
from leadfunnel.model import ACTIVITY_TYPES, channel_label
from leadfunnel.sla.compliance import (
    default_as_of,
    feedback_loop,
    grouped,
    handovers,
    overdue_now,
    summarise,
    weekly,
)
from leadfunnel.sla.policy import HOLIDAY_COUNTRIES, WEEKDAYS, PolicyError, SlaPolicy, load_policy, save_policy
from leadfunnel.ui.format import count, count_delta, percent, rate_delta
from leadfunnel.ui.session import runner
from leadfunnel.ui.sidebar import current_view

TIMEZONES = ("Asia/Tokyo", "Asia/Seoul", "Asia/Singapore", "Asia/Shanghai", "Europe/London", "Europe/Berlin",
             "America/New_York", "America/Los_Angeles", "UTC")
DEFINITIONS = (
    "**Hand-over time**: when the lead became MQL (or SAL), counting a skipped stage as passed. "
    "Hand-overs after the as-of instant are left out.  \n"
    "**First touch**: the earliest sales touch at or after the hand-over and not after the as-of instant.  \n"
    "**Met**: first touch within the deadline (exactly at the deadline counts).  "
    "**Breached**: first touch after the deadline, or no touch while the deadline has passed.  "
    "**Overdue**: breached with no touch yet.  **Pending**: no touch, deadline not passed yet.  \n"
    "**Compliance rate** = met ÷ (met + breached). Hours are counted on the policy's clock."
)

filters, _ = current_view()
query_runner = runner()
stored = load_policy(query_runner.con)

st.title("SLA: hand-over follow-up")
st.caption(stored.summary())

with st.expander("SLA policy agreed by marketing and sales", icon=":material/handshake:"), st.form("sla_policy"):
    left, middle, right = st.columns(3)
    handover = left.radio("Hand-over event", ["mql", "sal"], index=["mql", "sal"].index(stored.handover),
                          format_func=str.upper, horizontal=True, key="sla_handover")
    deadline = left.number_input("Follow-up deadline (hours)", 0.5, 2160.0, float(stored.deadline_hours), 1.0,
                                 key="sla_deadline")
    business = left.radio("Count", ["calendar", "business"], index=int(stored.business_hours), horizontal=True,
                          format_func=lambda c: f"{c} hours", key="sla_clock")
    days = middle.multiselect("Working days", list(range(7)), default=list(stored.working_days),
                              format_func=WEEKDAYS.__getitem__, key="sla_days")
    start = middle.time_input("Working day starts", stored.day_start, key="sla_start")
    end = middle.time_input("Working day ends", stored.day_end, key="sla_end")
    country = middle.selectbox("Public holidays of", [None, *HOLIDAY_COUNTRIES],
                               index=[None, *HOLIDAY_COUNTRIES].index(stored.holiday_country),
                               format_func=lambda c: "none" if c is None else c, key="sla_holidays")
    zone = right.selectbox("Time zone of the data", TIMEZONES, index=TIMEZONES.index(stored.timezone)
                           if stored.timezone in TIMEZONES else 0, key="sla_zone")
    touches = right.multiselect("Counts as a sales touch", list(ACTIVITY_TYPES), default=list(stored.touch_types),
                                key="sla_touches")
    feedback_days = right.number_input("List hand-overs without feedback after (days)", 1, 90,
                                       int(stored.feedback_days), key="sla_feedback_days")
    submitted = st.form_submit_button("Save policy", type="primary")
    if submitted:
        try:
            save_policy(query_runner.con, SlaPolicy(
                handover=handover, deadline_hours=deadline, business_hours=business == "business",
                working_days=tuple(sorted(days)), day_start=start, day_end=end, holiday_country=country,
                timezone=zone, touch_types=tuple(touches), feedback_days=int(feedback_days)))
        except PolicyError as error:
            st.error(f"The policy was not saved: {error}")
        else:
            st.rerun()
with st.expander("Definitions"):
    st.markdown(DEFINITIONS)

latest = default_as_of(query_runner)
as_of_columns = st.columns([1, 1, 4])
as_of_day = as_of_columns[0].date_input("As of (date)", latest.date(), key="sla_as_of_day")
as_of_time = as_of_columns[1].time_input("As of (time)", latest.time().replace(second=0, microsecond=0),
                                         key="sla_as_of_time", step=timedelta(minutes=15))
as_of = datetime.combine(as_of_day, as_of_time)
as_of_columns[2].caption(f"Default: the latest timestamp in the data ({latest:%Y-%m-%d %H:%M}). Hand-overs from "
                         f"{filters.date_from} to {filters.date_to}, judged at this instant.")

classified = handovers(query_runner, filters, stored, as_of)
if classified.is_empty():
    st.info("No hand-overs in this date range with these filters. Widen the date range or clear a filter.")
    st.stop()
now = summarise(classified)
previous_filters = filters.previous_period()
before = summarise(handovers(query_runner, previous_filters, stored, as_of)) if previous_filters else {}


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} h"


metrics = st.columns(7)
metrics[0].metric("Compliance", percent(now["compliance_rate"]),
                  rate_delta(now["compliance_rate"], before.get("compliance_rate")), help="Met ÷ (met + breached).")
for column, key, label, colour in ((metrics[1], "met", "Met", "normal"),
                                   (metrics[2], "breached", "Breached", "inverse"),
                                   (metrics[3], "overdue_open", "Overdue now", "inverse"),
                                   (metrics[4], "pending", "Pending", "off")):
    column.metric(label, count(now[key]), count_delta(now[key], before.get(key)), delta_color=colour)
metrics[5].metric("Median to touch", hours(now["median_hours_to_first_touch"]),
                  help=f"Median time from hand-over to first touch, over touched hand-overs, in {stored.clock} hours.")
metrics[6].metric("p90 to touch", hours(now["p90_hours_to_first_touch"]),
                  help=f"90% of touched hand-overs were touched within this many {stored.clock} hours.")
if previous_filters:
    st.caption(f"{now['handed_over']:,} hand-overs. Changes are against the previous period of equal length, "
               f"{previous_filters.date_from} to {previous_filters.date_to}.")

st.subheader("By week")
st.plotly_chart(sla_weekly_figure(weekly(classified)), width="stretch", key="sla_weekly")
st.caption("Hand-overs per week (by hand-over date): met in green, breached (late or overdue) in red; "
           "the line is the week's compliance rate.")

BREAKDOWN_COLUMNS = {
    "handed_over": st.column_config.NumberColumn("Hand-overs"),
    "met": st.column_config.NumberColumn("Met"),
    "breached": st.column_config.NumberColumn("Breached"),
    "overdue_open": st.column_config.NumberColumn("Overdue now"),
    "pending": st.column_config.NumberColumn("Pending"),
    "compliance_rate": st.column_config.NumberColumn("Compliance", format="%.1f%%"),
    "median_hours_to_first_touch": st.column_config.NumberColumn("Median h to touch", format="%.1f"),
}
for tab, field, label in zip(st.tabs(["By owner", "By channel"]), ("owner", "channel"), ("Owner", "Channel"),
                             strict=True):
    table = grouped(classified, field).sort("handed_over", descending=True).with_columns(
        pl.col("compliance_rate") * 100)
    if field == "channel":
        table = table.with_columns(pl.col("channel").map_elements(channel_label, return_dtype=pl.String))
    tab.dataframe(table, hide_index=True, width="stretch",
                  column_config={field: st.column_config.TextColumn(label), **BREAKDOWN_COLUMNS})

st.subheader("Overdue now")
overdue = overdue_now(query_runner, classified, as_of).with_columns(
    pl.col("channel").map_elements(channel_label, return_dtype=pl.String))
if overdue.is_empty():
    st.success("No open hand-over is past its deadline.")
else:
    st.dataframe(overdue, hide_index=True, width="stretch", column_config={
        "lead_id": "Lead", "company": "Company", "channel": "Channel", "owner": "Owner",
        "handover_at": st.column_config.DatetimeColumn("Handed over", format="YYYY-MM-DD HH:mm"),
        "deadline_at": st.column_config.DatetimeColumn("Deadline", format="YYYY-MM-DD HH:mm"),
        "hours_overdue": st.column_config.NumberColumn("Hours overdue", format="%.1f"),
        "score": st.column_config.NumberColumn("Score", format="%.0f", help="Guide-rule score at the as-of instant."),
    })
    st.download_button("Download the overdue list (CSV)", csv_bytes(overdue),
                       file_name=f"overdue-{as_of:%Y%m%d-%H%M}.csv", mime="text/csv")
st.caption(f"Handed over, no sales touch yet, deadline passed; oldest first. Hours in {stored.clock} hours.")

st.subheader("Feedback loop")
loop = feedback_loop(query_runner, classified, stored, as_of)
with_feedback = loop["by_channel"]["with_feedback"].sum()
accepted = loop["by_channel"]["accepted"].sum()
st.caption(f"Sales accepted {percent(accepted / with_feedback if with_feedback else None)} of the "
           f"{with_feedback:,} hand-overs they gave feedback on (acceptance rate = accepted ÷ with feedback; "
           "the latest verdict per lead counts).")
ACCEPTANCE_COLUMNS = {
    "handed_over": st.column_config.NumberColumn("Hand-overs"),
    "with_feedback": st.column_config.NumberColumn("With feedback"),
    "accepted": st.column_config.NumberColumn("Accepted"),
    "rejected": st.column_config.NumberColumn("Rejected"),
    "acceptance_rate": st.column_config.NumberColumn("Acceptance", format="%.1f%%"),
    "top_rejection_reason": st.column_config.TextColumn("Most common rejection reason"),
}
band_column, reasons_column = st.columns(2)
band_column.markdown("**By score band** (guide rules, at the as-of instant)")
band_column.dataframe(loop["by_band"].with_columns(pl.col("acceptance_rate") * 100), hide_index=True,
                      width="stretch",
                      column_order=("band", "with_feedback", "accepted", "rejected", "acceptance_rate",
                                    "top_rejection_reason"),
                      column_config={"band": "Score", **ACCEPTANCE_COLUMNS})
reasons_column.markdown("**Top rejection reasons**")
reasons_column.dataframe(loop["reasons"].head(10), hide_index=True, width="stretch",
                         column_config={"reason": "Reason", "rejected": "Rejected"})
st.markdown("**By channel**")
st.dataframe(
    loop["by_channel"].with_columns(pl.col("acceptance_rate") * 100,
                                    pl.col("channel").map_elements(channel_label, return_dtype=pl.String)),
    hide_index=True, width="stretch", column_config={"channel": "Channel", **ACCEPTANCE_COLUMNS})
waiting = loop["without_feedback"]
st.markdown(f"**No feedback {stored.feedback_days} days after hand-over**: {waiting.height:,} leads")
if waiting.height:
    st.dataframe(waiting.with_columns(pl.col("channel").map_elements(channel_label, return_dtype=pl.String)),
                 hide_index=True, width="stretch", height=min(36 * (waiting.height + 1) + 4, 320),
                 column_config={"lead_id": "Lead", "company": "Company", "channel": "Channel", "owner": "Owner",
                                "handover_at": st.column_config.DatetimeColumn("Handed over",
                                                                               format="YYYY-MM-DD HH:mm"),
                                "score": st.column_config.NumberColumn("Score", format="%.0f")})
