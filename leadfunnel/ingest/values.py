"""One rule for every cell an import reads: numbers, dates and text, whichever file or tool it came from.

- **Numbers**: a decimal point `.` and, optionally, thousands separators `,` in groups of three
  (`1234567`, `1,234,567.89`, `-5`, `1.2E+06`); full-width digits; currency marks `¥ ￥ $ € £` and a
  trailing `円`; a trailing `万` (×10,000) or `億` (×100,000,000), as Japanese sheets write amounts.
  Anything else (`1.000,50`, `12abc`, `NaN`, `inf`, `1e400`) is not a number: a continental decimal
  comma cannot be told from a thousands separator, so it is refused rather than guessed.
- **Dates**: whatever `timestamps.parse_timestamps` reads, inside the plausible range — from 1990-01-01
  to two years after today (`LEADFUNNEL_DATE_RANGE=1990-01-01..2030-12-31` changes it). A date outside
  it (year 0, 2099, Excel's serial 1 = 1899-12-31) is a typing or export mistake, not a lead.
- **Text**: no control characters (NUL, escape, …); tab and line breaks are allowed in free text only.

The canonical CSV import checks the common forms in SQL (`SQL_*` below, the same rule) and hands every
other text to these functions; the tool exports use them directly.
"""

from __future__ import annotations

import math
import os
from datetime import date, datetime, timedelta

import polars as pl

NUMBER_SHAPE = r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$"
_CURRENCY = r"[¥$€£\s]"
_MULTIPLIERS = (("億", 100_000_000.0), ("万", 10_000.0))
# Control characters other than tab, LF and CR (free text) — and none at all in ids and keys.
CONTROL_IN_TEXT = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
CONTROL_IN_KEY = r"[\x00-\x1F\x7F]"
# The SQL fast path of the canonical import: plain decimals of at most 18 digits (always finite), else Python.
SQL_PLAIN_NUMBER = r"[+-]?\d{1,18}(\.\d{1,18})?"


def parse_numbers(text: pl.Series) -> pl.Series:
    """Text → Float64 under the rule above; null where the text is empty or not a (finite) number."""
    frame = pl.DataFrame({"raw": text.cast(pl.String)}).with_columns(
        cleaned=pl.col("raw").str.normalize("NFKC").str.replace_all(_CURRENCY, "").str.strip_suffix("円"))
    multiplier = pl.lit(1.0)
    for suffix, factor in _MULTIPLIERS:
        multiplier = pl.when(pl.col("cleaned").str.ends_with(suffix)).then(factor).otherwise(multiplier)
    digits = pl.col("cleaned").str.strip_suffix("億").str.strip_suffix("万")
    value = (pl.when(digits.str.contains(NUMBER_SHAPE))
             .then(digits.str.replace_all(",", "").cast(pl.Float64, strict=False) * multiplier))
    values = frame.select(value.alias(text.name or "value")).to_series()
    return values.set(~values.is_finite().fill_null(False), None) if values.len() else values


def date_range() -> tuple[datetime, datetime]:
    """The plausible range for any date in the data: [start, end) as naive datetimes."""
    configured = os.environ.get("LEADFUNNEL_DATE_RANGE", "")
    if ".." in configured:
        first, last = configured.split("..", 1)
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    else:
        start, today = date(1990, 1, 1), date.today()
        end = today.replace(year=today.year + 2) if not (today.month == 2 and today.day == 29) else today + timedelta(
            days=731)
    return datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time()) + timedelta(days=1)


def implausible(values: pl.Series) -> pl.Series:
    """True where a parsed date lies outside `date_range()` (null dates are not implausible)."""
    start, end = date_range()
    return ((values < start) | (values >= end)).fill_null(False)


def range_text() -> str:
    start, end = date_range()
    return f"{start:%Y-%m-%d} … {end - timedelta(days=1):%Y-%m-%d}"


def control_characters(text: pl.Series, *, key: bool = False) -> pl.Series:
    """True where a cell holds a control character (any at all in an id or key column)."""
    return text.cast(pl.String).str.contains(CONTROL_IN_KEY if key else CONTROL_IN_TEXT).fill_null(False)


def is_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
