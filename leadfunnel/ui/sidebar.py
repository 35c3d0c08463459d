"""The sidebar shared by every page: date range, segment filters and the funnel mode."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from leadfunnel.filters import Filters, Mode
from leadfunnel.model import channel_label
from leadfunnel.ui.legacy_pages import leave_legacy_pages_mode
from leadfunnel.ui.session import run_query

MODE_LABELS: dict[Mode, str] = {"period": "Period", "cohort": "Cohort"}
MODE_MEANING: dict[Mode, str] = {
    "cohort": "leads created in the date range, and how far each of them got (at any time)",
    "period": "stage entries that happened in the date range, whenever the lead was created",
}
MODE_HELP = (
    "**Cohort**: leads created in the date range, and how far each of them got (at any time).  \n"
    "**Period**: stage entries that happened in the date range, whenever the lead was created.  \n"
    "A lead that skipped a stage counts as having passed it."
)
DEFAULT_DAYS = 92  # about a quarter


def default_range(first_day: date, last_day: date) -> tuple[date, date]:
    """The last quarter of the data (or all of it, if shorter), so the first view compares quarters."""
    return max(first_day, last_day - timedelta(days=DEFAULT_DAYS - 1)), last_day


def sidebar() -> tuple[Filters, Mode]:
    """Draw the shared filters and return what they select."""
    bounds = run_query("data/date_bounds").row(0, named=True)
    options = run_query("data/filter_options")
    first_day, last_day = bounds["first_day"], bounds["last_day"]
    with st.sidebar:
        st.header("Filters")
        if first_day is None:
            st.caption("No data yet.")
            return Filters(), "period"
        picked = st.date_input(
            "Date range", value=default_range(first_day, last_day), min_value=first_day, max_value=last_day,
            key="date_range", help="Both days included. Metrics compare with the previous period of equal length.",
        )
        date_from, date_to = _range(picked, first_day, last_day)
        mode = st.radio("Funnel mode", list(MODE_LABELS), format_func=MODE_LABELS.get, key="mode",
                        horizontal=True, help=MODE_HELP)
        channels = st.multiselect("Channel", _values(options, "channel"), format_func=channel_label,
                                  key="channels", placeholder="All channels")
        industries = st.multiselect("Industry", _values(options, "industry"), key="industries",
                                    placeholder="All industries")
        sizes = st.multiselect("Company size", _values(options, "company_size"), key="company_sizes",
                               placeholder="All sizes")
        owners = st.multiselect("Owner", _values(options, "owner"), key="owners", placeholder="All owners")
        st.caption(f"Data from {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d} · {bounds['leads']:,} leads")
    filters = Filters(date_from, date_to, tuple(channels), tuple(industries), tuple(sizes), tuple(owners))
    return filters, mode


def _values(options: pl.DataFrame, field: str) -> list[str]:
    return options.filter(pl.col("field") == field)["value"].to_list()


def _range(picked: object, first_day: date, last_day: date) -> tuple[date, date]:
    """A range picker returns one date while the user is still choosing the second."""
    if isinstance(picked, tuple | list):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return default_range(first_day, last_day)
    return picked, picked


VIEW_KEY = "_shared_view"


ENTRY_RAN_KEY = "_entry_script_ran"


def remember_view(view: tuple[Filters, Mode]) -> None:
    """Called by the entry script after drawing the sidebar, so every page reads the same view."""
    st.session_state[VIEW_KEY] = view
    st.session_state[ENTRY_RAN_KEY] = True


def current_view() -> tuple[Filters, Mode]:
    """The filters and mode chosen in the sidebar on this run (pages call this first, once per run)."""
    if not st.session_state.pop(ENTRY_RAN_KEY, False):
        # The page runs without the entry script (legacy `pages/` mode): switch modes and rerun. Only
        # then — a rerun otherwise would swallow a button click (its value is True for one run only).
        leave_legacy_pages_mode()
    return st.session_state.get(VIEW_KEY, (Filters(), "period"))
