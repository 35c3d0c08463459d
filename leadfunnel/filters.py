"""The shared view filters (sidebar) and the funnel modes, as query parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

Mode = Literal["cohort", "period"]
MODES: tuple[Mode, ...] = ("cohort", "period")


@dataclass(frozen=True)
class Filters:
    """Which leads a view looks at. Empty tuples mean "all"; dates are inclusive, None = open."""

    date_from: date | None = None
    date_to: date | None = None
    channels: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    company_sizes: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()

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
        }

    def previous_period(self) -> Filters | None:
        """The same filters over the equally long period just before this one (None if open-ended)."""
        if self.date_from is None or self.date_to is None:
            return None
        length = (self.date_to - self.date_from).days + 1
        return replace(
            self,
            date_from=self.date_from - timedelta(days=length),
            date_to=self.date_from - timedelta(days=1),
        )
