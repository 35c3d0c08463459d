"""The shared view filters (sidebar) and the funnel modes, as query parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

Mode = Literal["cohort", "period"]
MODES: tuple[Mode, ...] = ("cohort", "period")
Compare = Literal["previous", "last_year"]
COMPARES: tuple[Compare, ...] = ("previous", "last_year")
Unit = Literal["lead", "account"]
UNITS: tuple[Unit, ...] = ("lead", "account")


@dataclass(frozen=True)
class Filters:
    """Which leads a view looks at. Empty tuples mean "all"; dates are inclusive, None = open."""

    date_from: date | None = None
    date_to: date | None = None
    channels: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    company_sizes: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    compare: Compare = "previous"  # what deltas compare with (not a query parameter)
    unit: Unit = "lead"  # what the funnel and channel figures count: leads, or accounts (companies)

    def segment_params(self) -> dict[str, list[str]]:
        """The segment filters (not the date range) as query parameters: for snapshots at an instant."""
        return {"channels": list(self.channels), "industries": list(self.industries),
                "company_sizes": list(self.company_sizes), "owners": list(self.owners)}

    def params(self, mode: Mode = "cohort") -> dict[str, Any]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "mode": mode,
            "channels": list(self.channels),
            "industries": list(self.industries),
            "company_sizes": list(self.company_sizes),
            "owners": list(self.owners),
            "unit": self.unit,
        }

    def previous_period(self, compare: Compare | None = None) -> Filters | None:
        """The same filters over the period to compare with (None if open-ended), calendar-aware:

        - `previous`: a whole month → the month before; a whole quarter → the quarter before; a whole year → the
          year before; any other range → the same number of days just before it;
        - `last_year`: the same dates one year earlier (29 February → 28 February).
        """
        if self.date_from is None or self.date_to is None:
            return None
        if (compare or self.compare) == "last_year":
            return replace(self, date_from=_years_back(self.date_from, 1), date_to=_years_back(self.date_to, 1))
        months = _whole_months(self.date_from, self.date_to)
        if months in (1, 3, 12):
            start = months_back(self.date_from, months)
            return replace(self, date_from=start, date_to=self.date_from - timedelta(days=1))
        length = (self.date_to - self.date_from).days + 1
        return replace(
            self,
            date_from=self.date_from - timedelta(days=length),
            date_to=self.date_from - timedelta(days=1),
        )



def _whole_months(start: date, end: date) -> int | None:
    """How many calendar months [start, end] covers exactly (a quarter only when it starts a quarter), else None."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return None
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if months == 3 and (start.month - 1) % 3:
        return None  # three months, but not a calendar quarter: same length before it
    if months == 12 and start.month != 1:
        return None
    return months


def months_back(day: date, months: int) -> date:
    """The first day of the month `months` calendar months before the one `day` falls in."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _years_back(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
