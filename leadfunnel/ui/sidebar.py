"""The sidebar shared by every page: date range, segment filters and the funnel mode."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from leadfunnel.filters import MODES, Filters, Mode
from leadfunnel.i18n import LANGUAGES, day, language, language_from_locale, set_language, t
from leadfunnel.model import channel_label
from leadfunnel.ui import url_state
from leadfunnel.ui.legacy_pages import leave_legacy_pages_mode
from leadfunnel.ui.session import run_query

DEFAULT_DAYS = 92  # about a quarter
DEFAULT_MODE: Mode = "period"
PROPOSED_RULES_KEY = "_proposed_rules"  # the scoring page's rules under test, for the meeting pack


def default_range(first_day: date, last_day: date) -> tuple[date, date]:
    """The last quarter of the data (or all of it, if shorter), so the first view compares quarters."""
    return max(first_day, last_day - timedelta(days=DEFAULT_DAYS - 1)), last_day


def language_picker() -> str:
    """The language of this session: the link's `lang`, else the browser's, else English; in the sidebar."""
    url_state.restore_language(LANGUAGES, language_from_locale(st.context.locale))
    chosen = st.sidebar.selectbox(t("sidebar.language"), list(LANGUAGES),
                                  format_func=LANGUAGES.get, key="lang")
    set_language(chosen)
    return chosen


def sidebar() -> tuple[Filters, Mode]:
    """Draw the shared filters and return what they select; the view is mirrored in the URL."""
    bounds = run_query("data/date_bounds").row(0, named=True)
    options = run_query("data/filter_options")
    first_day, last_day = bounds["first_day"], bounds["last_day"]
    with st.sidebar:
        st.header(t("sidebar.filters"))
        if first_day is None:
            st.caption(t("sidebar.no_data"))
            return Filters(), DEFAULT_MODE
        choices = {key: _values(options, field) for key, field in (
            ("channels", "channel"), ("industries", "industry"), ("company_sizes", "company_size"),
            ("owners", "owner"))}
        invalid = url_state.restore_filters(first_day, last_day, MODES, choices)
        if invalid:
            st.warning(t("sidebar.link_notice", names=", ".join(invalid)), icon=":material/link_off:")
        if "date_range" not in st.session_state:
            st.session_state["date_range"] = default_range(first_day, last_day)
        picked = st.date_input(t("sidebar.date_range"), min_value=first_day, max_value=last_day, key="date_range",
                               help=t("sidebar.date_range_help"))
        date_from, date_to = _range(picked, first_day, last_day)
        mode = st.radio(t("sidebar.mode"), list(MODES)[::-1], format_func=lambda m: t(f"mode.{m}"), key="mode",
                        horizontal=True, help=t("sidebar.mode_help"))
        channels = st.multiselect(t("sidebar.channel"), choices["channels"], format_func=channel_label,
                                  key="channels", placeholder=t("sidebar.all_channels"))
        industries = st.multiselect(t("sidebar.industry"), choices["industries"], key="industries",
                                    placeholder=t("sidebar.all_industries"))
        sizes = st.multiselect(t("sidebar.size"), choices["company_sizes"], key="company_sizes",
                               placeholder=t("sidebar.all_sizes"))
        owners = st.multiselect(t("sidebar.owner"), choices["owners"], key="owners",
                                placeholder=t("sidebar.all_owners"))
        st.caption(t("sidebar.data_span", first=day(first_day), last=day(last_day), leads=bounds["leads"]))
    default_from, default_to = default_range(first_day, last_day)
    url_state.publish({
        "lang": None if st.session_state.get("lang") == "en" else st.session_state.get("lang"),
        "from": None if date_from == default_from and date_to == default_to else date_from.isoformat(),
        "to": None if date_from == default_from and date_to == default_to else date_to.isoformat(),
        "mode": None if mode == DEFAULT_MODE else mode,
        "channel": list(channels), "industry": list(industries), "size": list(sizes), "owner": list(owners),
    })
    filters = Filters(date_from, date_to, tuple(channels), tuple(industries), tuple(sizes), tuple(owners))
    return filters, mode


def meeting_pack_button(filters: Filters, mode: Mode) -> None:
    """One click: the pack for the current view, built only when the button is pressed."""
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.report import default_as_of
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import load_policy
    from leadfunnel.ui.session import runner

    query_runner, proposed, chosen_language = runner(), st.session_state.get(PROPOSED_RULES_KEY), language()

    def document() -> str:
        # Streamlit may call this outside the script run: everything it needs was captured above.
        set_language(chosen_language)
        return build_pack(query_runner, filters, mode, DEFAULT_RULES, proposed, load_policy(query_runner.con),
                          default_as_of(query_runner))

    st.sidebar.download_button(t("pack.download"), document, file_name="leadfunnel-meeting-pack.html",
                               mime="text/html", help=t("pack.download_help"), icon=":material/description:",
                               width="stretch")


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
