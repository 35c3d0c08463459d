"""Tables as a reader sees them: a value that is missing reads "–", never "None", "nan" or "Infinity".

Streamlit's grid draws a missing cell as "None". Every table of the dashboard goes through `table()`: a column
that holds a missing (or non-finite) value is written as text in the column's own format, with "–" where the
value is missing, and its column setting becomes a text column with the same name and help. Columns without
missing values stay typed, so the grid sorts and aligns them as numbers and dates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
import streamlit as st

from leadfunnel.format import credit, days, hours, money, percent, times
from leadfunnel.i18n import date_pattern
from leadfunnel.ui.first_paint import TABLE_ROW, after_first_paint, keep_space

MISSING = "–"
WRITERS: dict[str, Callable[[float], str]] = {"percent": percent, "days": days, "hours": hours, "money": money,
                                              "number": lambda v: f"{v:,.1f}", "times": times, "credit": credit,
                                              "points": lambda v: f"{v * 100:+.1f} pt"}
_PRINTF = re.compile(r"%[-+ 0#]*\d*(?:\.(\d+))?[dfe]")


def table(frame: pl.DataFrame, *, column_config: Mapping[str, Any] | None = None, container: Any = None,
          **options: Any) -> None:
    """`st.dataframe` with every missing value written as "–" (see the module's docstring); before a session's
    first paint, its space (leadfunnel/ui/first_paint.py)."""
    if not after_first_paint():
        height = options.get("height")
        keep_space(height if isinstance(height, int) else TABLE_ROW * (min(frame.height, 10) + 1) + 3,
                   container=container)
        return
    config = dict(column_config or {})
    shown = frame
    for name, dtype in frame.schema.items():
        values = frame[name]
        missing = values.null_count() > 0 or (dtype.is_float() and not values.is_finite().fill_null(True).all())
        if not missing:
            continue
        setting = config.get(name)
        writer = _writer_for(dtype, setting)
        shown = shown.with_columns(pl.Series(name, [_write(writer, v) for v in values.to_list()], dtype=pl.String))
        if isinstance(setting, dict):
            config[name] = st.column_config.TextColumn(setting.get("label"), help=setting.get("help"),
                                                       width=setting.get("width"))
    for name, dtype in shown.schema.items():  # numbers with the reader's thousands separators: 2,416, not 2416
        if dtype.is_numeric() and (name not in config or isinstance(config[name], str)):
            config[name] = st.column_config.NumberColumn(config.get(name, name), format="localized")
    (container or st).dataframe(shown, column_config=config or None, **options)


def readable(frame: pl.DataFrame, kinds: Mapping[str, str]) -> pl.DataFrame:
    """`frame` with each column of `kinds` (column → percent | days | hours | money | number) written as text."""
    columns = [pl.Series(name, [_write(WRITERS[kind], v) for v in frame[name].to_list()], dtype=pl.String)
               for name, kind in kinds.items() if name in frame.columns]
    return frame.with_columns(columns) if columns else frame


def _writer_for(dtype: pl.DataType, setting: Any) -> Callable[[Any], str]:
    """How to write a column's present values: by its column setting's number format, else by its type."""
    type_config = setting.get("type_config", {}) if isinstance(setting, dict) else {}
    number_format = type_config.get("format") if isinstance(type_config, dict) else None
    if isinstance(number_format, str) and (match := _PRINTF.search(number_format)):
        digits = int(match[1] or 0)
        suffix = "%" if number_format.endswith("%%") else ""
        return lambda v: f"{v:,.{digits}f}{suffix}"
    if dtype.is_float():
        return lambda v: f"{v:,.1f}"
    if dtype.is_integer():
        return lambda v: f"{v:,}"
    if isinstance(dtype, pl.Datetime):
        return lambda v: v.strftime(f"{date_pattern()} %H:%M")
    if dtype == pl.Date:
        return lambda v: v.strftime(date_pattern())
    return str


def _write(writer: Callable[[Any], str], value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, datetime | date | int | float | str):
        return writer(value)
    return str(value)
