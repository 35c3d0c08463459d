"""The view in the URL: a link pasted in the meeting chat opens the same page, filters and language.

On a session's first run, valid parameters are copied into the widgets' state before they are drawn;
invalid or stale ones (a channel that no longer exists, a date outside the data) are dropped and
named in a notice. After the widgets are drawn, their values are written back (defaults left out).
Parameters: lang, money (amounts as 万円), from, to, mode, by (count accounts), channel, industry, size, owner
(the last four repeatable); pages add their own (scoring: rules, threshold, half_life, outcome; SLA: as_of).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from datetime import date
from typing import Any

import streamlit as st

RESTORED_KEY = "_url_restored"
LIST_PARAMETERS = {"channel": "channels", "industry": "industries", "size": "company_sizes", "owner": "owners"}


def first_run() -> bool:
    return not st.session_state.get(RESTORED_KEY, False)


def restore_choice(key: str, allowed: Collection[str], default: str) -> None:
    """A display setting (`lang`, `money`) from the link on the session's first run, else `default`; the key is
    both the widget's and the parameter's name."""
    if first_run() and key not in st.session_state:
        wanted = st.query_params.get(key)
        st.session_state[key] = wanted if wanted in allowed else default


def restore_filters(first_day: date, last_day: date, modes: Iterable[str], units: Iterable[str],
                    options: dict[str, list[str]]) -> list[str]:
    """Copy valid filter parameters into widget state once per session; return the invalid parameter names."""
    if not first_run():
        return []
    params, invalid = st.query_params, []
    for name in ("lang", "money"):  # display settings restored before the filters: named here if refused
        if name in params and params[name] != st.session_state.get(name):
            invalid.append(f"{name}={params[name]}")
    if "from" in params or "to" in params:
        try:
            start = date.fromisoformat(params.get("from", first_day.isoformat()))
            end = date.fromisoformat(params.get("to", last_day.isoformat()))
        except ValueError:
            invalid.append("from/to")
        else:
            if first_day <= start <= end <= last_day:
                st.session_state["date_range"] = (start, end)
            else:
                invalid.append(f"from={start}/to={end}")
    if "compare" in params:
        if params["compare"] in ("previous", "last_year"):
            st.session_state["compare"] = params["compare"]
        else:
            invalid.append(f"compare={params['compare']}")
    if "mode" in params:
        if params["mode"] in modes:
            st.session_state["mode"] = params["mode"]
        else:
            invalid.append(f"mode={params['mode']}")
    if "by" in params:
        if params["by"] in units:
            st.session_state["unit"] = params["by"]
        else:
            invalid.append(f"by={params['by']}")
    for name, key in LIST_PARAMETERS.items():
        values = params.get_all(name)
        if not values:
            continue
        known = [v for v in values if v in options[key]]
        invalid += [f"{name}={v}" for v in values if v not in options[key]]
        st.session_state[key] = known
    # marked done last: a run stopped half-way (a rerun Streamlit starts at once) restores again, whole
    st.session_state[RESTORED_KEY] = True
    return invalid


def restore_page(page: str, parsers: dict[str, tuple[str, Callable[[str], Any]]]) -> list[str]:
    """A page's own parameters, once per session: `param → (widget key, parse)`; parse returns None if invalid.

    Returns the invalid parameters as `name=value` for the page's notice.
    """
    flag = f"{RESTORED_KEY}::{page}"
    if st.session_state.get(flag):
        return []
    invalid = []
    for name, (key, parse) in parsers.items():
        if name not in st.query_params:
            continue
        raw = st.query_params[name]
        try:
            value = parse(raw)
        except ValueError:
            value = None
        if value is None:
            invalid.append(f"{name}={raw}")
        else:
            st.session_state[key] = value
    st.session_state[flag] = True  # last, as in restore_filters
    return invalid


def number_pairs(known: Iterable[str], accept: Callable[[float], bool] = math.isfinite
                 ) -> Callable[[str], dict[str, float] | None]:
    """A parser for `key:number,key:number` parameters (weights `w`, stage `limits`): None unless every key is
    known and every number accepted."""
    names = set(known)

    def parse(raw: str) -> dict[str, float] | None:
        pairs = {}
        for part in raw.split(","):
            key, _, value = part.partition(":")
            try:
                number = float(value)
            except ValueError:
                return None
            if key not in names or not accept(number):
                return None
            pairs[key] = number
        return pairs

    return parse


def number_between(low: float, high: float) -> Callable[[str], int | None]:
    def parse(raw: str) -> int | None:
        value = int(float(raw))
        return value if low <= value <= high else None

    return parse


def publish(values: dict[str, str | list[str] | None]) -> None:
    """Write the view into the URL; None or an empty list removes the parameter."""
    for name, value in values.items():
        if value in (None, []):
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get_all(name) != (value if isinstance(value, list) else [value]):
            st.query_params[name] = value
