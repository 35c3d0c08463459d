"""How numbers are written for people: one place, so every page writes a rate the same way."""

from __future__ import annotations

from leadfunnel.i18n import t


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def days(value: float | None, *, unit: bool = False) -> str:
    """Days to one decimal; with `unit`, followed by the reader's word for days (a table cell without a header
    that says so)."""
    if value is None or value != value:
        return "–"
    return t("unit.days", n=f"{value:,.1f}") if unit else f"{value:,.1f}"


def hours(value: float | None) -> str:
    return "–" if value is None or value != value else t("unit.hours", n=f"{value:,.1f}")


def count_delta(current: int | None, previous: int | None) -> str | None:
    if current is None or previous is None:
        return None
    return f"{current - previous:+,}"


def rate_delta(current: float | None, previous: float | None) -> str | None:
    """Difference of two rates in percentage points."""
    if current is None or previous is None:
        return None
    return f"{(current - previous) * 100:+.1f} pt"


def money(value: float | None) -> str:
    """An amount in the data's currency, with the reader's mark: ¥1,200,000 / ¥1,200,000 (万円 on request)."""
    if value is None or value != value:
        return "–"
    return t("unit.money", n=f"{value:,.0f}")
