"""Channels: which acquisition channels bring leads that become deals, not just leads?"""

import polars as pl
import streamlit as st

from leadfunnel.charts import channel_figure
from leadfunnel.i18n import day, t
from leadfunnel.model import channel_label, labelled
from leadfunnel.ui.downloads import download_buttons
from leadfunnel.ui.session import run_query
from leadfunnel.ui.sidebar import current_view

METRICS = {  # column: is a rate
    "lead_to_won_rate": True, "mql_rate": True, "sql_rate": True, "win_rate": True, "won_amount": False,
    "leads": False,
}
RATES = ("mql_rate", "sql_rate", "win_rate", "lead_to_won_rate")

filters, mode = current_view()
st.title(t("channels.title"))
st.caption(t("channels.caption", mode=t(f"mode.{mode}"), start=day(filters.date_from), end=day(filters.date_to)))

channels = run_query("channels/channel_summary", filters.params(mode))
if channels.is_empty() or channels["leads"].sum() == 0:
    st.info(t("funnel.empty"))
    st.stop()

metric = st.selectbox(t("channels.rank_by"), list(METRICS), format_func=lambda m: t(f"metric.{m}"),
                      key="channel_metric")
label, definition = t(f"metric.{metric}"), t(f"metric.{metric}.definition")
st.plotly_chart(channel_figure(channels, metric, label, is_rate=METRICS[metric]), width="stretch",
                key="channel_chart")
st.caption(t("channels.chart_caption", label=label, definition=definition))

st.dataframe(
    labelled(channels, "channel", channel_label).with_columns(*(pl.col(rate) * 100 for rate in RATES)),
    hide_index=True, width="stretch", height=36 * (channels.height + 1) + 4,
    column_order=("channel", "leads", "mql", "sql", "won", "mql_rate", "sql_rate", "win_rate", "lead_to_won_rate",
                  "median_days_to_sql", "won_amount"),
    column_config={
        "channel": st.column_config.TextColumn(t("col.channel")),
        "leads": st.column_config.NumberColumn(t("col.leads"), format="localized"),
        "mql": st.column_config.NumberColumn(t("col.mql"), format="localized"),
        "sql": st.column_config.NumberColumn(t("col.sql"), format="localized"),
        "opportunity": st.column_config.NumberColumn(t("col.opportunity"), format="localized"),
        "won": st.column_config.NumberColumn(t("col.won"), format="localized"),
        **{rate: st.column_config.NumberColumn(t(f"metric.{rate}"), format="%.1f%%",
                                               help=t(f"metric.{rate}.definition")) for rate in RATES},
        "median_days_to_sql": st.column_config.NumberColumn(t("col.days_to_sql"), format="%.1f",
                                                            help=t("col.days_to_sql.help")),
        "won_amount": st.column_config.NumberColumn(t("metric.won_amount"), format="localized",
                                                    help=t("col.won_amount.help")),
    },
)
st.caption(t("channels.sort_hint"))
download_buttons(channels, "channels", "channels")
