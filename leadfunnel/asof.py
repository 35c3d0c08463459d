"""The data's "now": the one instant every page, the meeting pack and every CLI report judge at.

By default it is the latest timestamp anywhere in the data (a lead created, a stage entered, an activity),
so a database made from last quarter's export is read as of the end of that export, not as of today. Every
figure counts what happened **at or before** it; code that takes an exclusive bound (the scoring queries:
"strictly before") gets `cutoff(as_of)`, one microsecond later, so both readings agree to the microsecond.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from leadfunnel.query import QueryRunner

_TICK = timedelta(microseconds=1)  # timestamps are stored to the microsecond


def data_now(runner: QueryRunner) -> datetime | None:
    """The latest timestamp in the data, or None for a database without leads."""
    return runner.run("data/date_bounds")["now"][0]


def default_as_of(runner: QueryRunner) -> datetime:
    """The data's now; for an empty database the current minute."""
    return data_now(runner) or datetime.now().replace(second=0, microsecond=0)


def cutoff(as_of: datetime) -> datetime:
    """The exclusive bound that counts everything at or before `as_of`."""
    return as_of + _TICK
