"""Single values read out of Polars columns, typed.

Polars types `Series.min()`, `.max()`, `.median()` and `.quantile()` as "any Python value or None", so every
caller would repeat the same check; these say what the value must be and fail clearly when it is not.
"""

from __future__ import annotations

from datetime import date, datetime


def as_date(value: object) -> date:
    """The first or last day of a non-empty date column."""
    if not isinstance(value, date):
        raise TypeError(f"expected a date, got {value!r}")
    return value


def as_datetime(value: object) -> datetime:
    """The earliest or latest instant of a non-empty timestamp column."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a timestamp, got {value!r}")
    return value


def as_number(value: object) -> float:
    """A statistic (median, quantile, maximum) of a non-empty numeric column, as a float."""
    if not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def as_optional_number(value: object) -> float | None:
    """A statistic of a numeric column that may have no values (then None)."""
    return None if value is None else as_number(value)
