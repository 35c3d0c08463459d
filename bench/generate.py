"""Canonical data at any scale, fast: the demo's channel and activity mix, generated with numpy.

The demo (leadfunnel.demo) simulates each lead in Python for realism at 5,000 leads; this generator
draws whole columns at once so 1M leads and 20M activities take about a minute, then writes the
canonical CSV files (what `python -m leadfunnel import` reads) and the same tables as Parquet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl

from leadfunnel.demo import (
    BASE_MIX,
    CHANNELS,
    COMPANY_SIZES,
    DAYS,
    END,
    INDUSTRIES,
    INTENT_TILT,
    MARKETING_TYPES,
    OWNERS,
)

Progress = Callable[[float, str], None]
SALES_TYPES = ("sales_call", "sales_email", "meeting")
INTENT_BUCKETS = 10
_SECOND = 1_000_000  # microseconds


def _stage(rng: np.random.Generator, reached: np.ndarray, previous: np.ndarray, mean_days: float) -> np.ndarray:
    """Entry time of a stage: the previous stage's time plus a gamma-distributed delay; -1 = never."""
    delay = (rng.gamma(2.0, mean_days / 2, size=len(previous)) * 86_400 * _SECOND).astype(np.int64)
    return np.where(reached & (previous >= 0), previous + delay, -1)


ORDERS = ("time", "lead", "random")


def generate_tables(n_leads: int, n_activities: int, seed: int = 7,
                    progress: Progress | None = None, order: str = "time") -> dict[str, pl.DataFrame]:
    """`leads` and `activities` frames in the canonical schema (timestamps in µs), deterministic per seed.

    `order` is the physical order of the activity rows: `time` (default) as real activity logs and email-event
    exports come, consecutive rows belonging to unrelated leads; `lead` grouped by lead (the most favourable
    order there is, for comparison); `random`.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    rng = np.random.default_rng(seed)
    report = progress or (lambda done, text: None)
    end_us = int(END.timestamp() * _SECOND)
    start_us = int((END - timedelta(days=DAYS)).timestamp() * _SECOND)

    report(0.0, "Drawing leads")
    keys = list(CHANNELS)
    shares = np.array([CHANNELS[c].share for c in keys])
    channel = rng.choice(len(keys), size=n_leads, p=shares / shares.sum())
    alpha = np.array([CHANNELS[c].intent[0] for c in keys])[channel]
    beta = np.array([CHANNELS[c].intent[1] for c in keys])[channel]
    intent = rng.beta(alpha, beta)
    created = np.sort(rng.integers(start_us, end_us, size=n_leads))

    mql = _stage(rng, rng.random(n_leads) < 0.15 + 0.7 * intent, created, 20)
    sal = _stage(rng, rng.random(n_leads) < 0.8, mql, 2)
    sql = _stage(rng, rng.random(n_leads) < 0.2 + 0.6 * intent, sal, 10)
    opp = _stage(rng, rng.random(n_leads) < 0.8, sql, 5)
    won = _stage(rng, rng.random(n_leads) < 0.15 + 0.5 * intent, opp, 40)
    lost = np.where((opp >= 0) & (won < 0), opp + 30 * 86_400 * _SECOND, -1)
    # Whole seconds, as exports write them; stages after the end of the data have not happened yet.
    mql, sal, sql, opp, won, lost = (np.where((t >= 0) & (t <= end_us), t // _SECOND * _SECOND, -1)
                                     for t in (mql, sal, sql, opp, won, lost))
    created = created // _SECOND * _SECOND
    skip = rng.random(n_leads) < np.array([CHANNELS[c].skip_to_sql for c in keys])[channel]
    mql, sal = np.where(skip, -1, mql), np.where(skip, -1, sal)  # stage skipping: SQL without MQL/SAL

    report(0.2, "Drawing activities")
    rate = np.array([CHANNELS[c].activity_rate for c in keys])[channel] * (0.4 + 1.6 * intent)
    per_lead = rng.poisson(rate * n_activities / rate.sum())
    owner = np.repeat(np.arange(n_leads, dtype=np.int32), per_lead)
    total = len(owner)
    kinds = np.empty(total, dtype=np.int8)
    bucket = np.minimum((intent[owner] * INTENT_BUCKETS).astype(np.int8), INTENT_BUCKETS - 1)
    types = (*MARKETING_TYPES, *SALES_TYPES)
    for b in range(INTENT_BUCKETS):
        rows = np.flatnonzero(bucket == b)
        mix = np.concatenate([BASE_MIX + (b + 0.5) / INTENT_BUCKETS * INTENT_TILT, [0.01, 0.01, 0.005]])
        kinds[rows] = rng.choice(len(types), size=len(rows), p=mix / mix.sum())
        report(0.2 + 0.4 * (b + 1) / INTENT_BUCKETS, "Drawing activities")
    offset = (rng.exponential(40.0, size=total) * 86_400 * _SECOND).astype(np.int64)
    # An activity drawn past the end of the data folds back into the lead's lifetime so far (clamping them all
    # to the last second piled 3% of the activities onto one instant, which no export has).
    lifetime = end_us - created[owner] + 1
    occurred = (created[owner] + np.where(offset < lifetime, offset, offset % lifetime)) // _SECOND * _SECOND

    report(0.7, "Building frames")
    ids = pl.Series("lead_id", np.arange(1, n_leads + 1)).cast(pl.String).str.zfill(8)
    ids = ("L" + ids).alias("lead_id")

    def timestamps(values: np.ndarray, name: str) -> pl.Series:
        raw = pl.Series(name, values)
        return pl.select(pl.when(raw >= 0).then(raw).cast(pl.Datetime("us")).alias(name)).to_series()

    leads = pl.DataFrame([
        ids,
        timestamps(created, "created_at"),
        pl.Series("channel", keys).gather(channel),
        ("Company " + pl.Series(np.arange(n_leads) % 50_000).cast(pl.String)).alias("company"),
        pl.Series("industry", INDUSTRIES).gather(rng.integers(0, len(INDUSTRIES), n_leads)),
        pl.Series("company_size", COMPANY_SIZES).gather(rng.integers(0, len(COMPANY_SIZES), n_leads)),
        pl.Series("owner", OWNERS).gather(rng.integers(0, len(OWNERS), n_leads)),
        timestamps(mql, "mql_at"), timestamps(sal, "sal_at"), timestamps(sql, "sql_at"),
        timestamps(opp, "opportunity_at"), timestamps(won, "won_at"), timestamps(lost, "lost_at"),
        pl.Series("amount", np.where(opp >= 0, np.round(rng.lognormal(14, 0.8, n_leads), -3), np.nan)).fill_nan(None),
    ])
    activities = pl.DataFrame([
        ids.gather(owner),
        pl.Series("occurred_at", occurred).cast(pl.Datetime("us")),
        pl.Series("activity_type", types).gather(kinds),
        pl.Series("detail", [None] * total, dtype=pl.String),
    ])
    if order == "time":
        activities = activities.sort("occurred_at", maintain_order=True)
    elif order == "random":
        activities = activities.sample(fraction=1.0, shuffle=True, seed=seed)
    report(0.8, "Generated")
    return {"leads": leads, "activities": activities}


def write_tables(tables: dict[str, pl.DataFrame], directory: Path) -> dict[str, Path]:
    """Write `<table>.csv` (canonical import format) and `<table>.parquet` into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in tables.items():
        frame.write_parquet(directory / f"{name}.parquet")
        csv = directory / f"{name}.csv"
        frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S")).write_csv(csv)
        written[name] = csv
    return written
