"""The SLA policy both teams agreed on, stored in the database and shown as a readable summary."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import holidays

from leadfunnel.i18n import LocalizedError
from leadfunnel.query import execute

Handover = Literal["mql", "sal"]
HOLIDAY_COUNTRIES = ("JP", "US", "GB", "DE", "FR", "SG", "KR", "AU")
AGING_STAGES = ("lead", "mql", "sal", "sql", "opportunity")  # the stages an open lead can sit in
DEFAULT_STAGE_LIMITS: tuple[tuple[str, float], ...] = (("mql", 7.0), ("sal", 5.0), ("sql", 14.0), ("opportunity", 30.0))
POLICY_NAME = "current"


class PolicyError(LocalizedError):
    """A policy that cannot be used; the reason is a catalogue key, shown in the reader's language."""


@dataclass(frozen=True)
class SlaPolicy:
    handover: Handover = "mql"
    deadline_hours: float = 24.0
    business_hours: bool = False
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    holiday_country: str | None = "JP"
    timezone: str = "Asia/Tokyo"
    touch_types: tuple[str, ...] = ("sales_call", "sales_email", "meeting")
    feedback_days: int = 7  # hand-overs without sales feedback after this many days are listed
    # Days a lead may sit in a stage before it counts as stuck (no entry: no limit), and on which clock:
    # calendar days, or business days (working hours of the calendar above; one day = its working hours).
    stage_limits: tuple[tuple[str, float], ...] = DEFAULT_STAGE_LIMITS
    aging_business_days: bool = False

    def __post_init__(self) -> None:
        if self.handover not in ("mql", "sal"):
            raise PolicyError("sla.error.handover")
        if not 0 < self.deadline_hours <= 24 * 90:
            raise PolicyError("sla.error.deadline", most=24 * 90)
        if self.business_hours:
            if not self.working_days:
                raise PolicyError("sla.error.no_working_day")
            if self.day_end <= self.day_start:
                raise PolicyError("sla.error.day_order")
        if self.holiday_country is not None and self.holiday_country not in holidays.list_supported_countries():
            raise PolicyError("sla.error.holidays", country=self.holiday_country)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PolicyError("sla.error.timezone", zone=self.timezone) from None
        if not self.touch_types:
            raise PolicyError("sla.error.no_touch_types")
        if self.feedback_days < 1:
            raise PolicyError("sla.error.feedback_days")
        for stage, days in self.stage_limits:
            if stage not in AGING_STAGES:
                raise PolicyError("sla.error.limit_stage", stage=stage)
            if not 0 < days <= 3650:  # NaN fails too
                raise PolicyError("sla.error.limit_days", stage=stage)
        if len({stage for stage, _ in self.stage_limits}) != len(self.stage_limits):
            raise PolicyError("sla.error.limit_twice")
        if self.aging_business_days and (not self.working_days or self.day_end <= self.day_start):
            raise PolicyError("sla.error.no_working_day")

    def limit(self, stage: str) -> float | None:
        """Days allowed in `stage` before a lead is stuck there; None: no limit."""
        return dict(self.stage_limits).get(stage)

    def with_changes(self, **changes: Any) -> SlaPolicy:
        return replace(self, **changes)

    @property
    def clock(self) -> str:
        return "business" if self.business_hours else "calendar"

    def summary(self) -> str:
        """One readable paragraph for both teams (page, CLI and meeting pack), in the reader's language."""
        from leadfunnel.i18n import t
        from leadfunnel.model import activity_label

        text = t("sla.summary", touches=", ".join(activity_label(kind) for kind in self.touch_types),
                 hours=f"{self.deadline_hours:g}", clock=t(f"sla.clock.{self.clock}"), stage=self.handover.upper())
        if self.business_hours:
            days = ", ".join(t(f"weekday.{d}") for d in self.working_days)
            holidays_text = t("sla.summary_holidays", country=self.holiday_country) if self.holiday_country else ""
            text += t("sla.summary_business", start=f"{self.day_start:%H:%M}", end=f"{self.day_end:%H:%M}", days=days,
                      holidays=holidays_text)
        return text + t("sla.summary_tail", zone=self.timezone, days=self.feedback_days)

    def to_json(self) -> str:
        data = asdict(self)
        data["day_start"], data["day_end"] = f"{self.day_start:%H:%M}", f"{self.day_end:%H:%M}"
        data["stage_limits"] = dict(self.stage_limits)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> SlaPolicy:
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("day_start", "day_end"):
            if key in known:
                known[key] = time.fromisoformat(known[key])
        for key in ("working_days", "touch_types"):
            if key in known:
                known[key] = tuple(known[key])
        if "stage_limits" in known:  # stored as {stage: days}; a policy saved before limits existed gets the defaults
            known["stage_limits"] = stage_limits(known["stage_limits"])
        return cls(**known)


def stage_limits(limits: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """{stage: days} → the policy's (stage, days) pairs in funnel order."""
    return tuple((stage, float(limits[stage])) for stage in AGING_STAGES if stage in limits)


def load_policy(con: duckdb.DuckDBPyConnection) -> SlaPolicy:
    """The stored policy, or the default one when none was saved yet."""
    cursor = con.cursor()
    try:
        row = execute(cursor, "settings/sla_policy", {"name": POLICY_NAME}).fetchone()
    finally:
        cursor.close()
    return SlaPolicy.from_json(row[0]) if row else SlaPolicy()


def policy_saved_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the agreed policy was last saved (None: the built-in default is in force)."""
    cursor = con.cursor()
    try:
        row = execute(cursor, "settings/sla_policy_saved_at", {"name": POLICY_NAME}).fetchone()
    finally:
        cursor.close()
    return row[0] if row else None


def save_policy(con: duckdb.DuckDBPyConnection, policy: SlaPolicy) -> None:
    """Store `policy` as the agreed one (replacing what was saved), stamped with the time of saving."""
    cursor = con.cursor()
    try:
        execute(cursor, "settings/save_sla_policy",
                {"name": POLICY_NAME, "policy": policy.to_json(), "at": datetime.now().replace(microsecond=0)})
    finally:
        cursor.close()
