"""Channels: which acquisition channels bring leads that become deals, not just leads?"""

import streamlit as st

from leadfunnel.charts import channel_figure
from leadfunnel.i18n import day, t
from leadfunnel.metrics import CHANNEL_METRICS, RANKING_ORDER, by_column
from leadfunnel.model import channel_label, labelled
from leadfunnel.ui.downloads import download_buttons, span, unit_suffix
from leadfunnel.ui.session import run_query
from leadfunnel.ui.sidebar import current_view
from leadfunnel.ui.tables import readable, table

filters, mode = current_view()
st.title(t("channels.title"))
st.caption(t("channels.caption", mode=t(f"mode.{mode}"), start=day(filters.date_from), end=day(filters.date_to)))
unit = filters.unit
if unit == "account":
    st.caption(t("unit.by_account"))

channels = run_query("channels/channel_summary", filters.params(mode))
if channels.is_empty() or channels["leads"].sum() == 0:
    st.info(t("funnel.empty"))
    st.stop()

catalogue = by_column(CHANNEL_METRICS)
metric = st.selectbox(t("channels.rank_by"), list(RANKING_ORDER), format_func=lambda m: t(catalogue[m].label_for(unit)),
                      key="channel_metric")
chosen = catalogue[metric]
label, definition = t(chosen.label_for(unit)), t(chosen.definition_for(unit) or chosen.label_for(unit))
st.plotly_chart(channel_figure(channels, metric, label, kind=chosen.kind), width="stretch",
                key="channel_chart")
st.caption(t("channels.chart_caption", label=label, definition=definition))

kinds = {m.column: m.kind for m in CHANNEL_METRICS if m.kind not in ("count", "text")}
shown = readable(labelled(channels, "channel", channel_label), kinds)  # a missing rate reads "–", not "None"
table(
    shown, hide_index=True, width="stretch", height=36 * (channels.height + 1) + 4,
    column_order=[m.column for m in CHANNEL_METRICS],
    column_config={m.column: (st.column_config.NumberColumn(t(m.label_for(unit)), format="localized")
                              if m.kind == "count" else st.column_config.TextColumn(
                                  t(m.label_for(unit)), help=t(m.definition_for(unit)) if m.definition else None))
                   for m in CHANNEL_METRICS},
)
st.caption(t("channels.sort_hint"))
download_buttons(labelled(channels, "channel", channel_label).select([m.column for m in CHANNEL_METRICS]),
                 f"channels-{mode}{unit_suffix(filters)}-{span(filters)}", "channels", kinds=kinds,
                 labels={m.column: t(m.label_for(unit)) for m in CHANNEL_METRICS})
