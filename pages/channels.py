"""Channels: which acquisition channels bring leads that become deals, not just leads?"""

import polars as pl
import streamlit as st

from leadfunnel.charts import channel_figure
from leadfunnel.model import channel_label
from leadfunnel.ui.session import run_query
from leadfunnel.ui.sidebar import current_view

METRICS = {  # column: (label, is_rate, definition)
    "lead_to_won_rate": ("Lead → won", True, "won ÷ leads"),
    "mql_rate": ("MQL rate", True, "MQL ÷ leads"),
    "sql_rate": ("SQL rate", True, "SQL ÷ MQL"),
    "win_rate": ("Win rate", True, "won ÷ SQL"),
    "won_amount": ("Won amount", False, "sum of won deal amounts"),
    "leads": ("Leads", False, "leads in the view"),
}

filters, mode = current_view()
st.title("Channels")
st.caption(f"Conversion by first-touch channel, **{mode} view**, {filters.date_from} to {filters.date_to}. "
           "A lead that skipped a stage counts as having passed it.")

channels = run_query("channels/channel_summary", filters.params(mode))
if channels.is_empty() or channels["leads"].sum() == 0:
    st.info("No leads match these filters in this date range. Widen the date range or clear a filter.")
    st.stop()

metric = st.selectbox("Rank channels by", list(METRICS), format_func=lambda m: METRICS[m][0], key="channel_metric")
label, is_rate, definition = METRICS[metric]
st.plotly_chart(channel_figure(channels, metric, label, is_rate=is_rate), width="stretch", key="channel_chart")
st.caption(f"{label} = {definition}. Best channel on top; the best three in blue, the worst three in orange. "
           "Channels where it is undefined (0 in the denominator) are left out.")

RATES = ("mql_rate", "sql_rate", "win_rate", "lead_to_won_rate")
st.dataframe(
    channels.with_columns(pl.col("channel").map_elements(channel_label, return_dtype=pl.String),
                          *(pl.col(rate) * 100 for rate in RATES)),
    hide_index=True, width="stretch", height=36 * (channels.height + 1) + 4,
    column_order=("channel", "leads", "mql", "sql", "won", "mql_rate", "sql_rate", "win_rate", "lead_to_won_rate",
                  "median_days_to_sql", "won_amount"),
    column_config={
        "channel": st.column_config.TextColumn("Channel"),
        "leads": st.column_config.NumberColumn("Leads", format="localized"),
        "mql": st.column_config.NumberColumn("MQL", format="localized"),
        "sql": st.column_config.NumberColumn("SQL", format="localized"),
        "opportunity": st.column_config.NumberColumn("Opportunities", format="localized"),
        "won": st.column_config.NumberColumn("Won", format="localized"),
        "mql_rate": st.column_config.NumberColumn("MQL rate", format="%.1f%%", help="MQL ÷ leads"),
        "sql_rate": st.column_config.NumberColumn("SQL rate", format="%.1f%%", help="SQL ÷ MQL"),
        "win_rate": st.column_config.NumberColumn("Win rate", format="%.1f%%", help="Won ÷ SQL"),
        "lead_to_won_rate": st.column_config.NumberColumn("Lead → won", format="%.1f%%", help="Won ÷ leads"),
        "median_days_to_sql": st.column_config.NumberColumn("Days to SQL", format="%.1f",
                                                       help="Median days from lead creation to SQL."),
        "won_amount": st.column_config.NumberColumn("Won amount", format="localized",
                                                    help="Sum of won deal amounts, in the data's currency."),
    },
)
st.caption("Click a column header to sort.")
