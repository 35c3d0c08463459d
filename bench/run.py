"""Time the product's real code paths at a given scale, next to a pandas baseline and a DuckDB floor.

Every number comes from the same process and the same generated data:
- *ours*: the functions the dashboard and the CLI call (query files through QueryRunner, the scoring
  fast path and the per-event path);
- *pandas*: the same result the way an analyst writes it in a notebook (read_csv, merge, groupby);
- *floor*: one plain DuckDB pass over the one-row-per-lead rollup computing a weighted sum and a
  histogram — each interaction is printed as a multiple of it.
Imports and cold starts run in child processes so their peak memory (RSS) is their own.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.generate import generate_tables, write_tables
from leadfunnel import database
from leadfunnel.asof import default_as_of as sla_default_as_of
from leadfunnel.attribution import MODELS, Attribution, attribution
from leadfunnel.filters import Filters
from leadfunnel.pipeline.aging import by_stage, open_leads, stuck_by, stuck_list
from leadfunnel.pipeline.velocity import velocity
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import lead_outcomes, load_history, running_scores, summarise
from leadfunnel.scoring.rollup import lead_outcomes_fast, load_rollup
from leadfunnel.scoring.rules import DEFAULT_RULES
from leadfunnel.sla.compliance import (
    compliance_summary,
    feedback_loop,
    grouped,
    handover_scores,
    handovers,
    overdue_now,
    weekly,
)
from leadfunnel.sla.policy import SlaPolicy

AS_OF = datetime(2026, 11, 1)
PROJECT = Path(__file__).resolve().parents[1]
STAGE_COLUMNS = ("mql_at", "sal_at", "sql_at", "opportunity_at", "won_at")


@dataclass
class Row:
    what: str
    ours: list[float] = field(default_factory=list)
    pandas: float | None = None
    note: str = ""

    @property
    def p95(self) -> float:
        return float(np.percentile(self.ours, 95)) if len(self.ours) > 1 else self.ours[0]


def timed(action: Callable[[], Any], repeat: int = 1) -> tuple[list[float], Any]:
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - start)
    return durations, result


def _child(code: str) -> dict[str, float]:
    """Run Python code in a fresh process of the project; it prints its result (with its peak RSS) as JSON."""
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    return json.loads(process.stdout.strip().splitlines()[-1])


# A child's peak is its own VmHWM: getrusage's ru_maxrss survives exec, so a child started by this process (which
# holds the generated tables) reported this process's size (3.11 GiB for a cold start that needs a few hundred MB).
PEAK = """
def peak_gib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
"""
CHILD_IMPORT = PEAK + """
import json, time
from pathlib import Path
from leadfunnel import database
from leadfunnel.ingest.canonical import import_canonical
start = time.perf_counter()
con = database.connect({db!r}); database.initialise(con)
import_canonical(con, [Path({leads!r}), Path({activities!r})])
con.execute("CHECKPOINT"); con.close()
print(json.dumps({{"seconds": time.perf_counter() - start,
                  "rss_gib": peak_gib()}}))
"""

CHILD_COLD_START = PEAK + """
import time
start = time.perf_counter()
import json
from leadfunnel import database
from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
con = database.connect({db!r}, read_only=True)
runner = QueryRunner(con)
bounds = runner.run("data/date_bounds").row(0, named=True)
runner.run("data/filter_options")
filters = Filters(date_from=bounds["first_day"], date_to=bounds["last_day"])
runner.run("funnel/stage_counts", filters.params("period"))
runner.run("funnel/monthly_stage_entries", filters.params("period"))
print(json.dumps({{"seconds": time.perf_counter() - start,
                  "rss_gib": peak_gib()}}))
"""


def pandas_funnel(leads: pd.DataFrame, channel: str | None, start: pd.Timestamp, end: pd.Timestamp) -> list[int]:
    """Period funnel as a notebook would compute it: effective stage times, then one filter per stage."""
    view = leads if channel is None else leads[leads["channel"] == channel]
    counts = [int(((view["created_at"] >= start) & (view["created_at"] < end)).sum())]
    for i, _ in enumerate(STAGE_COLUMNS):
        effective = view[list(STAGE_COLUMNS[i:])].min(axis=1)
        counts.append(int(((effective >= start) & (effective < end)).sum()))
    return counts


def pandas_rescore(leads: pd.DataFrame, activities: pd.DataFrame, points: dict[str, float], threshold: float) -> int:
    """Score every lead from its activities and count those at or over the threshold (no decay)."""
    weights = pd.Series(points, name="points")
    scored = activities.merge(weights, left_on="activity_type", right_index=True, how="left").fillna({"points": 0})
    totals = scored.groupby("lead_id")["points"].sum()
    return int((totals.reindex(leads["lead_id"], fill_value=0) >= threshold).sum())


def run(n_leads: int, n_activities: int, repeat: int = 10, keep: Path | None = None) -> list[Row]:
    workdir = keep or Path(tempfile.mkdtemp(prefix="leadfunnel-bench-"))
    rows: list[Row] = []
    print(f"Generating {n_leads:,} leads and {n_activities:,} activities in {workdir} …", file=sys.stderr)
    seconds, tables = timed(lambda: generate_tables(n_leads, n_activities))
    files = write_tables(tables, workdir)
    actual_activities = tables["activities"].height
    print(f"  generated in {seconds[0]:.1f} s ({actual_activities:,} activities)", file=sys.stderr)
    del tables

    db = workdir / "bench.duckdb"
    db.unlink(missing_ok=True)
    imported = _child(CHILD_IMPORT.format(db=str(db), leads=str(files["leads"]), activities=str(files["activities"])))
    pandas_load, (leads_pd, activities_pd) = timed(lambda: (
        pd.read_csv(files["leads"], parse_dates=["created_at", *STAGE_COLUMNS, "lost_at"], low_memory=False),
        pd.read_csv(files["activities"], parse_dates=["occurred_at"])))
    rows.append(Row("import canonical CSV (both files), incl. aggregates", [imported["seconds"]], pandas_load[0],
                    "pandas: read_csv only, no validation or storage"))
    rows.append(Row("peak RSS of the import (its own process)", [0.0], None, f"{imported['rss_gib']:.2f} GiB"))
    cold = _child(CHILD_COLD_START.format(db=str(db)))
    rows.append(Row("cold start to first funnel (new process)", [cold["seconds"]], None,
                    f"peak RSS {cold['rss_gib']:.2f} GiB"))

    con = database.connect(db, read_only=True)
    runner = QueryRunner(con)
    channels = runner.run("data/filter_options").filter(field="channel")["value"].to_list()
    day_from, day_to = date(2026, 8, 1), date(2026, 10, 31)
    start, end = pd.Timestamp(day_from), pd.Timestamp(2026, 11, 1)

    def funnel(filters: Filters, mode: str) -> None:
        runner.run("funnel/stage_counts", filters.params(mode))
        previous = filters.previous_period()
        if previous:
            runner.run("funnel/stage_counts", previous.params(mode))
        runner.run("funnel/monthly_stage_entries", filters.params(mode))

    cycle = iter(range(10**9))
    change_filter = Row("change a filter (channel) — funnel page queries",
                        timed(lambda: funnel(Filters(day_from, day_to, (channels[next(cycle) % len(channels)],)),
                                             "period"), repeat)[0],
                        timed(lambda: pandas_funnel(leads_pd, channels[0], start, end), 3)[0][-1])
    rows.append(change_filter)
    rows.append(Row("change funnel mode (cohort)",
                    timed(lambda: funnel(Filters(day_from, day_to), "cohort"), repeat)[0]))
    rows.append(Row("change period (previous quarter)",
                    timed(lambda: funnel(Filters(date(2026, 5, 1), date(2026, 7, 31)), "period"), repeat)[0]))
    rows.append(Row("channels page", timed(lambda: runner.run("channels/channel_summary",
                                                              Filters(day_from, day_to).params("period")), repeat)[0]))

    load_seconds, rollup = timed(lambda: load_rollup(runner, AS_OF))
    rows.append(Row("scoring page: load the per-lead rollup (once per view)", load_seconds))
    thresholds = iter(np.linspace(60, 140, 10**4))

    def move_threshold() -> None:
        rules = DEFAULT_RULES.with_changes(threshold=float(next(thresholds)))
        summarise(lead_outcomes_fast(rollup, rules, "sql"), rules.threshold, "sql")

    pandas_slider = timed(lambda: pandas_rescore(leads_pd, activities_pd, dict(DEFAULT_RULES.points), 100), 2)[0][-1]
    rows.append(Row("scoring: move the threshold slider", timed(move_threshold, repeat)[0], pandas_slider))
    weights = iter(range(10**9))

    def move_weight() -> None:
        rules = DEFAULT_RULES.with_changes(points={**DEFAULT_RULES.points, "email_open": float(next(weights) % 7)})
        summarise(lead_outcomes_fast(rollup, rules, "sql"), rules.threshold, "sql")

    rows.append(Row("scoring: move a weight slider", timed(move_weight, repeat)[0], pandas_slider))

    history_seconds, history = timed(lambda: load_history(runner, AS_OF))
    history_seconds[0] += timed(lambda: history.arrays)[0][0]
    rows.append(Row("scoring page: load every event (once per view)", history_seconds))

    def lead_time(rules=DEFAULT_RULES) -> None:
        summarise(lead_outcomes(history, running_scores(history, rules), rules, "sql"), rules.threshold, "sql")

    rows.append(Row("scoring: lead-time median (replay every event)", timed(lead_time, max(2, repeat // 3))[0],
                    pandas_slider))
    rows.append(Row("scoring: change the half-life (decay)",
                    timed(lambda: lead_time(DEFAULT_RULES.with_changes(half_life_days=30.0)), 2)[0], pandas_slider))

    business_hours = SlaPolicy(business_hours=True, deadline_hours=8.0)

    def sla_page() -> None:
        """What the SLA page computes per rerun: this and the previous period, breakdowns, overdue, feedback."""
        as_of = sla_default_as_of(runner)
        view = Filters(day_from, day_to)
        classified = handovers(runner, view, business_hours, as_of)
        compliance_summary(classified)
        compliance_summary(handovers(runner, view.previous_period(), business_hours, as_of))
        weekly(classified)
        grouped(classified, "owner")
        grouped(classified, "channel")
        scores = handover_scores(runner, classified, as_of)
        overdue_now(classified, scores)
        feedback_loop(classified, scores, business_hours, as_of)

    rows.append(Row("SLA page with business hours (every section)", timed(sla_page, max(2, repeat // 3))[0]))

    rows += pipeline_rows(runner, Filters(day_from, day_to), max(2, repeat // 3))

    floor_sql = """
        SELECT histogram(floor(score / 20) * 20) FROM (
          SELECT n_email_open * 3 + n_product_page_view * 5 + n_whitepaper_download * 10
                 + n_webinar_attended * 20 + n_contact_form * 50 AS score FROM lead_activity_rollup)"""
    floor = statistics.median(timed(lambda: con.execute(floor_sql).fetchall(), repeat)[0])
    group_by = timed(lambda: con.execute(
        "SELECT lead_id, activity_type, count(*) FROM activities GROUP BY ALL").fetchall(), 2)[0][-1]
    con.close()
    rows.append(Row("floor: DuckDB weighted sum + histogram over the rollup", [floor]))
    rows.append(Row("reference: DuckDB group-by over all activities", [group_by]))
    rows.append(Row("peak RSS of this process", [0.0], None,
                    f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB (incl. pandas frames)"))
    print_table(rows, floor, n_leads, actual_activities)
    return rows


def pipeline_rows(runner: QueryRunner, view: Filters, repeat: int) -> list[Row]:
    """The #17 pages' work per first open, each from a cold result cache: the funnel and channels by account; open
    leads with stage and age, per stage, by owner and reason, the stuck list; velocity, its factors, previous
    period, months."""
    as_of = sla_default_as_of(runner)

    def pipeline_page(policy: SlaPolicy) -> None:
        leads = open_leads(runner, Filters(), policy, as_of)
        by_stage(leads, policy)
        stuck_by(leads, "owner")
        stuck_by(leads, "reason")
        stuck_list(leads)

    def switch_model(result: Attribution) -> Callable[[], None]:
        def tables() -> None:
            for model in MODELS:
                result.channels(model, "sql")
                result.costs(model)
                result.spend_and_pipeline(model)
        return tables

    def funnel_page(filters: Filters) -> None:  # by account: this period, the previous one, the months
        for shown in (filters, filters.previous_period()):
            runner.run("funnel/stage_counts", shown.params("period"))
        runner.run("funnel/monthly_stage_entries", filters.params("period"))

    # By account, a late period holds few stage entries (an account enters a stage with its first lead): the view
    # is the data's first quarter, where the accounts are made.
    by_account = replace(view, date_from=date(2025, 5, 1), date_to=date(2025, 7, 31), unit="account")
    one_channel = replace(by_account, channels=("webinar",))
    return [
        Row("Funnel page by account: stage counts, previous period, months",
            timed(lambda: funnel_page(by_account), repeat)[0]),
        Row("Funnel page by account, one channel", timed(lambda: funnel_page(one_channel), repeat)[0]),
        Row("Channels page by account", timed(lambda: runner.run("channels/channel_summary",
                                                                  by_account.params("period")), repeat)[0]),
        Row("Pipeline page: stuck leads, calendar days", timed(lambda: pipeline_page(SlaPolicy()), repeat)[0]),
        Row("Pipeline page: stuck leads, business days",
            timed(lambda: pipeline_page(SlaPolicy(aging_business_days=True)), repeat)[0]),
        Row("Velocity page: factors, previous period, 12 months, by channel",
            timed(lambda: velocity(runner, view, as_of), repeat)[0]),
        Row("Channels page: attribution of a new view (all models and outcomes, spend)",
            timed(lambda: attribution(runner, view), repeat)[0]),
        Row("Channels page: switch the attribution model (its tables, from the view's result)",
            timed(switch_model(attribution(runner, view)), repeat)[0]),
    ]


def run_pipeline(db: Path, repeat: int) -> list[Row]:
    """`python -m bench pipeline --db FILE`: the pipeline rows alone, on a database kept by `run --keep`."""
    con = database.connect(db, read_only=True)
    try:
        runner = QueryRunner(con, quiet=True)
        leads = con.execute("SELECT count(*) FROM leads").fetchone()[0]
        activities = con.execute("SELECT count(*) FROM activities").fetchone()[0]
        rows = pipeline_rows(runner, Filters(date(2026, 8, 1), date(2026, 10, 31)), repeat)
    finally:
        con.close()
    print(f"\nleads {leads:,} · activities {activities:,} · {repeat} runs each, the first from a cold cache\n")
    print("| what | p50 | p95 | runs |")
    print("|---|---:|---:|---|")
    for row in rows:
        runs = ", ".join(f"{s * 1000:.0f}" for s in row.ours)
        print(f"| {row.what} | {statistics.median(row.ours) * 1000:.0f} ms | {row.p95 * 1000:.0f} ms | {runs} ms |")
    return rows


def print_table(rows: list[Row], floor: float, n_leads: int, n_activities: int) -> None:
    print(f"\nleads {n_leads:,} · activities {n_activities:,} · floor {floor * 1000:.1f} ms\n")
    print("| what | ours (p95) | pandas | ours ÷ pandas | × floor | note |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        if row.what.startswith("peak RSS"):
            print(f"| {row.what} | | | | | {row.note} |")
            continue
        ours = row.p95
        ratio = ""
        if row.pandas:
            speed = f"{row.pandas / ours:,.0f}× faster" if ours < row.pandas else f"{ours / row.pandas:,.1f}× slower"
            ratio = f"{ours / row.pandas:.3f} ({speed})"
        pandas_text = _seconds(row.pandas) if row.pandas else ""
        print(f"| {row.what} | {_seconds(ours)} | {pandas_text} | {ratio} | {ours / floor:,.1f} | {row.note} |")


def _seconds(value: float) -> str:
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"
