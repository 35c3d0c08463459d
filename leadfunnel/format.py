"""How numbers are written for people: one place, so every page, the pack and the CLI write a rate the same way."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Literal

from leadfunnel.i18n import t

MoneyStyle = Literal["yen", "man"]
MONEY_STYLES: tuple[MoneyStyle, ...] = ("yen", "man")  # ¥1,200,000 | 120万円 (units of ten thousand yen)
_money_style: ContextVar[MoneyStyle] = ContextVar("money_style", default="yen")


def set_money_style(style: MoneyStyle) -> None:
    """How this script run (a session's rerun, one pack) writes amounts; like the language, per context."""
    _money_style.set(style)


def money_style() -> MoneyStyle:
    return _money_style.get()


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


def days_delta(current: float | None, previous: float | None) -> str | None:
    """Difference of two durations in days, with its sign and the reader's word for days."""
    if current is None or previous is None:
        return None
    return t("unit.days", n=f"{current - previous:+,.1f}")


def money_delta(current: float | None, previous: float | None) -> str | None:
    """Difference of two amounts, written as amounts are (¥ or 万円), with its sign — an ASCII "-", which is what
    st.metric reads to point its arrow down."""
    if current is None or previous is None:
        return None
    change = current - previous
    return ("+" if change >= 0 else "-") + money(abs(change))


def money(value: float | None) -> str:
    """An amount in the data's currency: ¥1,200,000, or 120万円 in the 万円 style (to one decimal: 123.5万円)."""
    if value is None or value != value:
        return "–"
    if money_style() == "man":
        return t("unit.man_yen", n=f"{value / 10_000:,.1f}".removesuffix(".0"))
    return t("unit.money", n=f"{value:,.0f}")


def times(value: float | None) -> str:
    """A ratio such as ROI (won amount ÷ spend) as a multiple: 1.11×, 1.11倍."""
    return "–" if value is None or value != value else t("unit.times", n=f"{value:,.2f}")


def credit(value: float | None) -> str:
    """Attribution credit: a share of a lead, to two decimals (1.17 leads' worth)."""
    return "–" if value is None or value != value else f"{value:,.2f}"


def written(value: Any, kind: str) -> str:
    """A value written as its metric's kind says (leadfunnel.metrics): the meeting pack's catalogue-driven tables."""
    writers: dict[str, Callable[[Any], str]] = {
        "count": count, "percent": percent, "days": lambda v: days(v, unit=True), "hours": hours, "money": money,
        "times": times, "credit": credit}
    if kind not in writers:
        return "–" if value is None else str(value)
    return writers[kind](value)
