"""The view in the URL: a link pasted in the meeting chat opens the same page, filters and language.

On a session's first run, valid parameters are copied into the widgets' state before they are drawn;
invalid or stale ones (a channel that no longer exists, a date outside the data) are dropped and
named in a notice. After the widgets are drawn, their values are written back (defaults left out).
Parameters: lang, from, to, mode, channel, industry, size, owner (the last four repeatable).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import streamlit as st

RESTORED_KEY = "_url_restored"
LIST_PARAMETERS = {"channel": "channels", "industry": "industries", "size": "company_sizes", "owner": "owners"}


def first_run() -> bool:
    return not st.session_state.get(RESTORED_KEY, False)


def restore_language(languages: Iterable[str], default: str) -> None:
    if first_run() and "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in languages else default


def restore_filters(first_day: date, last_day: date, modes: Iterable[str],
                    options: dict[str, list[str]]) -> list[str]:
    """Copy valid filter parameters into widget state once per session; return the invalid parameter names."""
    if not first_run():
        return []
    st.session_state[RESTORED_KEY] = True
    params, invalid = st.query_params, []
    if "lang" in params and params["lang"] != st.session_state.get("lang"):
        invalid.append(f"lang={params['lang']}")
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
    if "mode" in params:
        if params["mode"] in modes:
            st.session_state["mode"] = params["mode"]
        else:
            invalid.append(f"mode={params['mode']}")
    for name, key in LIST_PARAMETERS.items():
        values = params.get_all(name)
        if not values:
            continue
        known = [v for v in values if v in options[key]]
        invalid += [f"{name}={v}" for v in values if v not in options[key]]
        st.session_state[key] = known
    return invalid


def publish(values: dict[str, str | list[str] | None]) -> None:
    """Write the view into the URL; None or an empty list removes the parameter."""
    for name, value in values.items():
        if value in (None, []):
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get_all(name) != (value if isinstance(value, list) else [value]):
            st.query_params[name] = value
