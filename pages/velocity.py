"""Pipeline velocity: what the period's opportunities are worth per day, and which factor moved."""

import polars as pl
import streamlit as st

from leadfunnel.charts import velocity_trend_figure
from leadfunnel.format import count, count_delta, days, days_delta, money, money_delta, percent, rate_delta
from leadfunnel.i18n import day, moment, t
from leadfunnel.model import channel_label, labelled
from leadfunnel.pipeline.velocity import TREND_MONTHS
from leadfunnel.ui.downloads import download_buttons, span
from leadfunnel.ui.first_paint import end_of_first_screen, plotly_chart, stop
from leadfunnel.ui.sidebar import current_as_of, current_view
from leadfunnel.ui.tables import table
from leadfunnel.ui.views import pipeline_velocity

KINDS = {"win_rate": "percent", "avg_won_amount": "money", "velocity": "money"}  # how the downloads write them

filters, _ = current_view()
as_of = current_as_of()
result = pipeline_velocity(filters, as_of)
now, before = result.total, result.previous or {}

st.title(t("velocity.title"))
st.caption(t("velocity.caption", start=day(filters.date_from), end=day(filters.date_to), as_of=moment(as_of)))
with st.expander(t("velocity.definitions")):
    st.markdown(t("velocity.definitions_text"))

if not result.opportunity_in_data:
    st.info(t("velocity.no_opportunity_dates"))
    stop()
if not now["opportunities"]:
    st.info(t("velocity.empty"))
else:
    # by the values' lengths: the velocity, the amount ("¥3,517,629") and the cycle ("34.1 days") are the longest,
    # and were cut off on a 1280-px screen in narrower columns
    figures = st.columns([1.4, 0.9, 0.9, 1.5, 1.3])
    figures[0].metric(t("velocity.velocity_per_day"), money(now["velocity"]),
                      money_delta(now["velocity"], before.get("velocity")), help=t("velocity.velocity_help"))
    figures[1].metric(t("velocity.opportunities"), count(now["opportunities"]),
                      count_delta(now["opportunities"], before.get("opportunities")),
                      help=t("velocity.opportunities_help"))
    figures[2].metric(t("velocity.win_rate"), percent(now["win_rate"]),
                      rate_delta(now["win_rate"], before.get("win_rate")),
                      help=t("velocity.win_rate_help", won=count(now["won"]), closed=count(now["closed"])))
    figures[3].metric(t("velocity.avg_won_amount"), money(now["avg_won_amount"]),
                      money_delta(now["avg_won_amount"], before.get("avg_won_amount")),
                      help=t("velocity.avg_won_amount_help"))
    figures[4].metric(t("velocity.avg_cycle_days"), days(now["avg_cycle_days"], unit=True),
                      days_delta(now["avg_cycle_days"], before.get("avg_cycle_days")),
                      delta_color="inverse", help=t("velocity.avg_cycle_days_help"))
    st.markdown(t("velocity.formula", n=count(now["opportunities"]), rate=percent(now["win_rate"]),
                  amount=money(now["avg_won_amount"]), cycle=days(now["avg_cycle_days"], unit=True),
                  velocity=money(now["velocity"])))
    if now["velocity"] is None:
        st.caption(t("velocity.missing_factor"))
    if (previous := result.previous_period) is not None:
        st.caption(t("velocity.compared", start=day(previous.date_from), end=day(previous.date_to)))

st.subheader(t("velocity.trend", months=TREND_MONTHS))
if result.trend["velocity"].is_not_null().any():
    plotly_chart(velocity_trend_figure(result.trend), width="stretch", key="velocity_trend")
    st.caption(t("velocity.trend_caption", months=TREND_MONTHS))
    download_buttons(result.trend, f"velocity-by-month-{span(filters)}", "velocity_trend", kinds=KINDS)
else:
    st.info(t("velocity.trend_empty", months=TREND_MONTHS))
    download_buttons(result.trend, f"velocity-by-month-{span(filters)}", "velocity_trend", kinds=KINDS)

end_of_first_screen()  # a session's first run stops here; the probe's rerun draws the rest

if not result.by_channel.is_empty():
    st.subheader(t("velocity.by_channel"))
    channels = labelled(result.by_channel, "channel", channel_label, alias="label")
    table(pl.DataFrame({
        t("col.channel"): channels["label"],
        t("velocity.velocity"): [t("velocity.per_day", amount=money(v)) if v is not None else "–"
                                 for v in channels["velocity"]],
        t("velocity.opportunities"): channels["opportunities"],
        t("velocity.win_rate"): [percent(v) for v in channels["win_rate"]],
        t("velocity.avg_won_amount"): [money(v) for v in channels["avg_won_amount"]],
        t("velocity.avg_cycle_days"): [days(v, unit=True) for v in channels["avg_cycle_days"]],
        t("velocity.closed"): [f"{won:,} / {closed:,}" for won, closed
                               in zip(channels["won"], channels["closed"], strict=True)],
    }), hide_index=True, width="stretch")
    st.caption(t("velocity.by_channel_caption"))
    download_buttons(result.by_channel, f"velocity-by-channel-{span(filters)}", "velocity_channels", kinds=KINDS)
