"""The sidebar shared by every page: date range, segment filters and the funnel mode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import polars as pl
import streamlit as st

from leadfunnel.filters import COMPARES, MODES, UNITS, Filters, Mode, Unit
from leadfunnel.format import MONEY_STYLES, MoneyStyle, money_style, set_money_style
from leadfunnel.i18n import LANGUAGES, day, language, language_from_locale, moment, set_language, t
from leadfunnel.model import channel_label
from leadfunnel.ui import url_state
from leadfunnel.ui.first_paint import ROW, after_first_paint, control, keep_space
from leadfunnel.ui.legacy_pages import leave_legacy_pages_mode
from leadfunnel.ui.session import database_location, linked_database_name
from leadfunnel.ui.views import data_bounds, filter_options

DEFAULT_DAYS = 92  # about a quarter
DEFAULT_MODE: Mode = "period"
PROPOSED_RULES_KEY = "_proposed_rules"  # the scoring page's rules under test, for the meeting pack
ATTRIBUTION_KEY = "_attribution_choice"  # the channels page's (model, outcome), for the meeting pack
BOUNDS_KEY = "_data_bounds"  # the data the widgets' values were chosen on
# Widgets whose values only make sense for one database's data: reset when the data changes under them.
DATA_DEPENDENT_KEYS = ("date_range", "channels", "industries", "company_sizes", "owners", "as_of_day", "as_of_time")


def default_range(first_day: date, last_day: date, last_stage_day: date | None = None) -> tuple[date, date]:
    """A quarter ending at the data's now, reaching back far enough to hold the latest stage entries (an export
    whose last leads are months older than its last activity still opens on numbers, not on "no data")."""
    latest = min(last_stage_day or last_day, last_day)
    start = min(last_day, latest) - timedelta(days=DEFAULT_DAYS - 1)
    return max(first_day, start), last_day


def language_picker() -> str:
    """The language of this session: the link's `lang`, else the browser's, else English; in the sidebar."""
    url_state.restore_choice("lang", LANGUAGES, language_from_locale(st.context.locale))
    chosen = control(st.sidebar.selectbox, t("sidebar.language"), list(LANGUAGES), format_func=_language_name,
                     key="lang", unset=st.session_state["lang"])
    set_language(chosen)
    return chosen


def _language_name(code: str) -> str:
    return LANGUAGES[code]


def money_picker() -> MoneyStyle:
    """How amounts are written in this session (¥1,200,000 or 120万円); in the link as `money=man`."""
    url_state.restore_choice("money", MONEY_STYLES, "yen")
    style = control(st.sidebar.radio, t("sidebar.money"), MONEY_STYLES, format_func=lambda s: t(f"sidebar.money.{s}"),
                    key="money", unset=st.session_state["money"], horizontal=True, help=t("sidebar.money_help"))
    set_money_style(style)
    return style


def sidebar() -> tuple[Filters, Mode, datetime]:
    """Draw the shared filters and the as-of instant and return what they select; the view is mirrored in the URL."""
    bounds = data_bounds()
    options = filter_options()
    first_day, last_day, now = bounds["first_day"], bounds["last_day"], bounds["now"]
    with st.sidebar:
        st.header(t("sidebar.filters"))
        if first_day is None:
            st.caption(t("sidebar.no_data"))
            return Filters(), DEFAULT_MODE, datetime.now().replace(second=0, microsecond=0)
        choices = {key: _values(options, field) for key, field in (
            ("channels", "channel"), ("industries", "industry"), ("company_sizes", "company_size"),
            ("owners", "owner"))}
        _forget_other_datas_choices((database_location(), first_day, last_day, now), choices)
        default_from, default_to = default_range(first_day, last_day, bounds["last_stage_day"])
        invalid = url_state.restore_filters(first_day, last_day, MODES, UNITS, choices)
        invalid += url_state.restore_page("as_of", {"as_of": ("_linked_as_of", _instant_within(first_day, last_day))})
        if invalid:
            st.warning(t("sidebar.link_notice", names=", ".join(invalid)), icon=":material/link_off:")
        if "date_range" not in st.session_state:
            st.session_state["date_range"] = (default_from, default_to)
        _within("date_range", first_day, last_day)
        _within("as_of_day", first_day, _latest_as_of(last_day))
        picked = control(st.date_input, t("sidebar.date_range"), min_value=first_day, max_value=last_day,
                         key="date_range", unset=(default_from, default_to), help=t("sidebar.date_range_help"))
        date_from, date_to = _range(picked, default_from, default_to)
        compares, modes, units = list(COMPARES), list(MODES)[::-1], list(UNITS)  # a radio starts on its first
        compare = control(st.radio, t("sidebar.compare"), compares, key="compare", unset=compares[0],
                          format_func=lambda c: t(f"sidebar.compare.{c}"), horizontal=True,
                          help=t("sidebar.compare_help"))
        mode = control(st.radio, t("sidebar.mode"), modes, key="mode", unset=modes[0],
                       format_func=lambda m: t(f"mode.{m}"), horizontal=True, help=t("sidebar.mode_help"))
        unit: Unit = control(st.radio, t("sidebar.count"), units, key="unit", unset=units[0],
                             format_func=lambda u: t(f"sidebar.count.{u}"), horizontal=True,
                             help=t("sidebar.count_help"))
        channels = control(st.multiselect, t("sidebar.channel"), choices["channels"], key="channels", unset=[],
                           format_func=channel_label, placeholder=t("sidebar.all_channels"))
        industries = control(st.multiselect, t("sidebar.industry"), choices["industries"], key="industries",
                             unset=[], placeholder=t("sidebar.all_industries"))
        sizes = control(st.multiselect, t("sidebar.size"), choices["company_sizes"], key="company_sizes", unset=[],
                        placeholder=t("sidebar.all_sizes"))
        owners = control(st.multiselect, t("sidebar.owner"), choices["owners"], key="owners", unset=[],
                         placeholder=t("sidebar.all_owners"))
        as_of = _as_of_picker(now, first_day, last_day)
        st.caption(t("sidebar.data_span", first=day(first_day), last=day(last_day), leads=bounds["leads"]))
    default_instant = now.replace(second=0, microsecond=0)
    url_state.publish({
        "lang": None if st.session_state.get("lang") == "en" else st.session_state.get("lang"),
        "money": None if money_style() == "yen" else money_style(),
        "db": linked_database_name(),
        "from": None if date_from == default_from and date_to == default_to else date_from.isoformat(),
        "to": None if date_from == default_from and date_to == default_to else date_to.isoformat(),
        "mode": None if mode == DEFAULT_MODE else mode,
        "compare": None if compare == "previous" else compare,
        "by": None if unit == "lead" else unit,
        "channel": list(channels), "industry": list(industries), "size": list(sizes), "owner": list(owners),
        "as_of": None if as_of.replace(second=0, microsecond=0) == default_instant
        else as_of.isoformat(timespec="minutes"),
    })
    filters = Filters(date_from, date_to, tuple(channels), tuple(industries), tuple(sizes), tuple(owners), compare,
                      unit)
    return filters, mode, as_of


def _forget_other_datas_choices(data: tuple[object, ...], choices: dict[str, list[str]]) -> None:
    """After a switch to another database (or an import that moved the data's bounds), values chosen on the old
    data are reset before any widget is drawn: a date range outside the new data would stop the whole app."""
    if st.session_state.get(BOUNDS_KEY) == data:
        return
    known = BOUNDS_KEY in st.session_state
    st.session_state[BOUNDS_KEY] = data
    if not known:
        return
    for key in DATA_DEPENDENT_KEYS:
        if key in choices:
            kept = [v for v in st.session_state.get(key, []) if v in choices[key]]
            st.session_state[key] = kept
        else:
            st.session_state.pop(key, None)


def _within(key: str, first_day: date, last_day: date) -> None:
    """A kept date (or range) outside the data is moved inside it before its widget is drawn, which would stop
    the app on it."""
    kept = st.session_state.get(key)
    if kept is None:
        return
    clamp = lambda day: min(max(day, first_day), last_day)  # noqa: E731 - one line, used twice
    st.session_state[key] = tuple(clamp(day) for day in kept) if isinstance(kept, tuple | list) else clamp(kept)


def _instant_within(first_day: date, last_day: date) -> Callable[[str], datetime | None]:
    """A parser for url_state.restore_page: an instant on a day of the data."""

    def parse(raw: str) -> datetime | None:
        instant = datetime.fromisoformat(raw)
        return instant if first_day <= instant.date() <= _latest_as_of(last_day) else None

    return parse


def _latest_as_of(last_day: date) -> date:
    """An as-of instant may lie after the data (today, to see what is overdue now), never before it starts."""
    return max(last_day, date.today())


def _as_of_picker(now: datetime, first_day: date, last_day: date) -> datetime:
    """The one as-of instant (date and time, to the minute); the data's now unless the user or the link says."""
    if (linked := st.session_state.get("_linked_as_of")) is not None:
        st.session_state["as_of_day"], st.session_state["as_of_time"] = linked.date(), linked.time()
        del st.session_state["_linked_as_of"]  # once applied (a run stopped before this line applies it again)
    data_now = now.replace(second=0, microsecond=0)  # the pickers' start: to the minute
    chosen_day = control(st.date_input, t("asof.label"), data_now.date(), min_value=first_day,
                         max_value=_latest_as_of(last_day), key="as_of_day", unset=data_now.date(),
                         help=t("asof.help", latest=moment(now)))
    chosen_time = control(st.time_input, t("asof.time"), data_now.time(), key="as_of_time", unset=data_now.time(),
                          step=timedelta(minutes=15))
    chosen = datetime.combine(chosen_day, chosen_time)
    return now if chosen == data_now else chosen


def meeting_pack_button(filters: Filters, mode: Mode, as_of: datetime) -> None:
    """One click: the pack for the current view, built only when the button is pressed."""
    if not after_first_paint():
        keep_space(ROW, container=st.sidebar)
        return
    from leadfunnel.attribution import DEFAULT_MODEL, DEFAULT_OUTCOME
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import load_policy
    from leadfunnel.ui.session import runner

    query_runner, proposed, chosen_language = runner(), st.session_state.get(PROPOSED_RULES_KEY), language()
    credit = st.session_state.get(ATTRIBUTION_KEY, (DEFAULT_MODEL, DEFAULT_OUTCOME))
    chosen_money = money_style()

    def document() -> str:
        # Streamlit may call this outside the script run: everything it needs was captured above.
        set_language(chosen_language)
        set_money_style(chosen_money)
        return build_pack(query_runner, filters, mode, DEFAULT_RULES, proposed, load_policy(query_runner.con),
                          as_of, credit)

    name = f"leadfunnel-meeting-pack-{_span(filters)}-as-of-{as_of:%Y%m%d-%H%M}.html"
    st.sidebar.download_button(t("pack.download"), document, file_name=name, mime="text/html",
                               help=t("pack.download_help"), icon=":material/description:", width="stretch")


def _span(filters: Filters) -> str:
    """The view's dates for a download's file name: 20250401-20250630."""
    days = [f"{d:%Y%m%d}" for d in (filters.date_from, filters.date_to) if d is not None]
    return "-".join(days) or "all"


def _values(options: pl.DataFrame, field: str) -> list[str]:
    return options.filter(pl.col("field") == field)["value"].to_list()


def _range(picked: date | tuple[date, ...] | list[date], default_from: date, default_to: date) -> tuple[date, date]:
    """A range picker returns one date while the user is still choosing the second."""
    if isinstance(picked, tuple | list):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return default_from, default_to
    return picked, picked


VIEW_KEY = "_shared_view"


ENTRY_RAN_KEY = "_entry_script_ran"


def remember_view(view: tuple[Filters, Mode, datetime]) -> None:
    """Called by the entry script after drawing the sidebar, so every page reads the same view."""
    st.session_state[VIEW_KEY] = view
    st.session_state[ENTRY_RAN_KEY] = True


def current_view() -> tuple[Filters, Mode]:
    """The filters and mode chosen in the sidebar on this run (pages call this first, once per run)."""
    if not st.session_state.pop(ENTRY_RAN_KEY, False):
        # The page runs without the entry script (legacy `pages/` mode): switch modes and rerun. Only
        # then — a rerun otherwise would swallow a button click (its value is True for one run only).
        leave_legacy_pages_mode()
    filters, mode, _ = st.session_state.get(VIEW_KEY, (Filters(), "period", None))
    return filters, mode


def current_as_of() -> datetime:
    """The as-of instant chosen in the sidebar (the data's now by default), with its line under the page title;
    these pages count leads, which the line says when the sidebar counts accounts."""
    filters, _, as_of = st.session_state.get(VIEW_KEY, (None, None, None))
    as_of = as_of or datetime.now().replace(second=0, microsecond=0)
    counts_leads = t("unit.leads_here") if filters is not None and filters.unit == "account" else ""
    st.caption(t("asof.header", at=moment(as_of)) + counts_leads)
    return as_of
