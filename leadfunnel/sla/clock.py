"""Elapsed time and deadlines on the SLA's clock: calendar hours, or business hours.

Business time maps every instant to the working seconds elapsed since the first day of the range
(working days and hours, public holidays excluded), so elapsed business time is a subtraction and a
deadline is the instant where that count reaches hand-over + allowance. All timestamps are naive
local times of the data's zone; everything is vectorised over numpy datetime64[us] arrays.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import numpy as np

from leadfunnel.sla.policy import SlaPolicy

_US_PER_SECOND = 1_000_000


class BusinessClock:
    """Working seconds between instants for one policy, valid for instants from `first_day` to `last_day`."""

    def __init__(self, policy: SlaPolicy, first_day: date, last_day: date) -> None:
        self.first_day = np.datetime64(first_day, "D")
        days = np.arange(self.first_day, np.datetime64(last_day, "D") + 1, dtype="datetime64[D]")
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        working = np.isin(weekday, policy.working_days)
        if policy.holiday_country:
            years = range(first_day.year, last_day.year + 1)
            off = holidays.country_holidays(policy.holiday_country, years=years)
            working &= ~np.isin(days, np.array(sorted(off), dtype="datetime64[D]"))
        self.start_us = (policy.day_start.hour * 3600 + policy.day_start.minute * 60) * _US_PER_SECOND
        self.length_us = (policy.day_end.hour * 3600 + policy.day_end.minute * 60) * _US_PER_SECOND - self.start_us
        self.working = working
        # Working microseconds before each day (and after the last one).
        self.before = np.concatenate([[0], np.cumsum(np.where(working, self.length_us, 0))])

    def _day_index(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        day = at.astype("datetime64[D]")
        index = (day - self.first_day).astype(np.int64)
        if index.size and (index.min() < 0 or index.max() >= len(self.working)):
            raise ValueError("an instant lies outside the business clock's range of days")
        return index, (at - day).astype("timedelta64[us]").astype(np.int64)

    def worked(self, at: np.ndarray) -> np.ndarray:
        """Working microseconds from the start of the range up to each instant."""
        index, since_midnight = self._day_index(at)
        into_day = np.clip(since_midnight - self.start_us, 0, self.length_us)
        return self.before[index] + np.where(self.working[index], into_day, 0)

    def add(self, at: np.ndarray, allowance_us: int) -> np.ndarray:
        """The instant at which `allowance_us` of working time after each instant has passed."""
        target = self.worked(at) + allowance_us
        # The day in which the target count is reached: the last day that starts before it.
        index = np.searchsorted(self.before, target, side="left") - 1
        index = np.clip(index, 0, len(self.working) - 1)
        remainder = target - self.before[index]
        day_start = (self.first_day + index.astype("timedelta64[D]")).astype("datetime64[us]")
        return day_start + (self.start_us + remainder).astype("timedelta64[us]")


def hours_between(policy: SlaPolicy, start: np.ndarray, end: np.ndarray, clock: BusinessClock | None) -> np.ndarray:
    """Elapsed hours from start to end on the policy's clock (NaT in either → NaN)."""
    missing = np.isnat(start) | np.isnat(end)
    filler = clock.first_day.astype("datetime64[us]") if clock else np.datetime64(0, "us")
    start, end = np.where(missing, filler, start), np.where(missing, filler, end)
    if clock is not None:
        elapsed = clock.worked(end) - clock.worked(start)
    else:
        elapsed = (end - start).astype("timedelta64[us]").astype(np.int64)
    return np.where(missing, np.nan, elapsed / 3_600_000_000)


def deadlines(policy: SlaPolicy, handover: np.ndarray, clock: BusinessClock | None) -> np.ndarray:
    allowance = round(policy.deadline_hours * 3600 * _US_PER_SECOND)
    if policy.business_hours:
        assert clock is not None
        return clock.add(handover, allowance)
    return handover + np.timedelta64(allowance, "us")


def clock_for(policy: SlaPolicy, first: date, last: date) -> BusinessClock | None:
    """A business clock covering the range with room for the longest deadline, or None for calendar hours."""
    if not policy.business_hours:
        return None
    # Enough calendar days for the deadline even across long holiday runs (e.g. New Year in Japan).
    margin = int(policy.deadline_hours / max((policy.day_end.hour - policy.day_start.hour), 1) * 2) + 30
    return BusinessClock(policy, first - timedelta(days=1), last + timedelta(days=margin))
