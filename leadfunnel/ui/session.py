"""The dashboard's database: read through one shared connection per file version, written through swaps."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from leadfunnel import data_overview, database, funnel, paths
from leadfunnel.attribution import Attribution, attribution
from leadfunnel.backends import storage_for
from leadfunnel.demo import build_demo_database
from leadfunnel.filters import Filters, Mode
from leadfunnel.i18n import localized, t
from leadfunnel.paths import DEMO_DATABASE
from leadfunnel.paths import database_location as configured_location
from leadfunnel.pipeline import aging
from leadfunnel.pipeline.velocity import Velocity, velocity
from leadfunnel.query import QueryRunner
from leadfunnel.scoring import distribution
from leadfunnel.scoring.backtest import History, Outcome, lead_outcomes, load_history, running_scores
from leadfunnel.scoring.engine import ScoringEngine
from leadfunnel.scoring.learn import NotEnoughHistory, Suggestion, suggest_points
from leadfunnel.scoring.rollup import Rollup, load_rollup
from leadfunnel.scoring.rules import RuleSet
from leadfunnel.scoring.scores import current_scores
from leadfunnel.sla import compliance
from leadfunnel.sla.policy import SlaPolicy, load_policy, policy_saved_at, save_policy
from leadfunnel.storage import FileStorage, StorageBusy, open_current


def ensure_demo_database(path: Path) -> None:
    """Build the bundled demo database on first start, or rebuild it when it is of an older schema."""
    if path.exists():
        con = FileStorage(path).open_reader()
        try:
            current = database.schema_version(con) == database.SCHEMA_VERSION
            is_demo = database.read_meta(con, "kind") == "demo"
        finally:
            con.close()
        if current or not is_demo:
            return
    with st.status(t("demo.preparing"), expanded=True) as status:
        bar = st.progress(0.0)

        def progress(done: float, text: str) -> None:
            bar.progress(min(done, 1.0), text=text)

        build_demo_database(path, progress=progress)
        status.update(label=t("demo.ready"), state="complete", expanded=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def _runner(location: str, snapshot: str) -> QueryRunner:
    """One read-only connection per version of a file, shared by every session of this process.

    An import or a saved setting (from this app or the CLI) swaps in a new file: its snapshot changes,
    the next rerun opens the new version, and the old connection goes when the last session lets go.
    """
    del snapshot  # part of the cache key only
    con = open_current(storage_for(location))
    try:
        database.lock_down(con)
    except BaseException:
        con.close()
        raise
    return QueryRunner(con)


SESSION_DATABASE_KEY = "_database_path"


LINKED_DATABASE_KEY = "_database_from_link"
DATABASE_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")  # the names the Data page gives new databases


def database_location() -> str:
    """This session's database: one created on the Data page (kept in the link as `db=NAME`, so a reload or a
    shared link opens it again), else LEADFUNNEL_DB, else the demo."""
    if not st.session_state.get(LINKED_DATABASE_KEY):
        st.session_state[LINKED_DATABASE_KEY] = True
        name = st.query_params.get("db")
        if name and DATABASE_NAME.fullmatch(name) and (paths.DATA_DIR / f"{name}.duckdb").is_file():
            st.session_state[SESSION_DATABASE_KEY] = str(paths.DATA_DIR / f"{name}.duckdb")
    return st.session_state.get(SESSION_DATABASE_KEY) or configured_location()


def linked_database_name() -> str | None:
    """The `db` parameter of this session's link: the name of a database made on the Data page, if in use."""
    chosen = st.session_state.get(SESSION_DATABASE_KEY)
    return Path(chosen).stem if chosen and Path(chosen).parent == paths.DATA_DIR else None


def database_label() -> str:
    """How the database is named on screen: a file's name, or the location of a lake."""
    location = database_location()
    return Path(location).name if isinstance(storage_for(location), FileStorage) else location


def use_database(path: Path) -> None:
    """Switch this session to another database file (the others keep theirs)."""
    st.session_state[SESSION_DATABASE_KEY] = str(path)


_demo_checked: set[str] = set()
_demo_lock = threading.Lock()


def runner() -> QueryRunner:
    """The process-wide query runner for the configured database; stops the page with a plain message."""
    location = database_location()
    path = Path(location)
    if path == DEMO_DATABASE and str(path) not in _demo_checked:
        # Once per process: the first session builds it, the others wait for the lock.
        with _demo_lock:
            if str(path) not in _demo_checked:
                ensure_demo_database(path)
                _demo_checked.add(str(path))
    elif not storage_for(location).exists():
        st.error(t("db.missing", location=location))
        st.stop()
    try:
        return runner_for(location)
    except (database.SchemaVersionError, StorageBusy, duckdb.Error) as error:
        st.error(t("db.cannot_open", error=localized(error)))
        st.stop()


def runner_for(location: Path | str) -> QueryRunner:
    """The shared read-only runner on the latest version of the data at `location`."""
    return _runner(str(location), storage_for(location).snapshot())


@contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """Change this session's database (a saved setting, an import); every session sees it on its next rerun."""
    try:
        with storage_for(database_location()).writing() as con:
            yield con
    except StorageBusy as error:
        st.error(localized(error))
        st.stop()


# Every number a page shows comes from a domain function of the package, called through one of the cached
# wrappers below (keyed on the database, its data version and the parameters): pages hold no connection and name
# no query file.


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_run(_query_runner: QueryRunner, path: str, version: str, name: str,
                params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    del path, version  # the cache key (the runner is not hashed)
    return _query_runner.run(name, {k: list(v) if isinstance(v, tuple) else v for k, v in params})


def _run_query(name: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """`QueryRunner.run` with caching keyed on the database, its data version and the parameters: for a domain
    function that takes a `run` callable (scoring.distribution.top_open_leads)."""
    query_runner = runner()
    version = query_runner.data_version()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    return _cached_run(query_runner, database_location(), version, name, frozen)


DatabaseFact = Callable[[QueryRunner], Any]
DATABASE_FACTS: dict[str, DatabaseFact] = {
    "database_info": data_overview.database_info, "import_log": data_overview.import_log,
    "account_totals": data_overview.account_totals, "date_bounds": data_overview.date_bounds,
    "filter_options": data_overview.filter_options,
}


@st.cache_data(show_spinner=False, max_entries=128)
def _database_fact(_query_runner: QueryRunner, what: str, path: str, version: str) -> Any:
    del path, version  # the cache key (the runner is not hashed)
    return DATABASE_FACTS[what](_query_runner)


def _on_database(what: str) -> Any:
    """`DATABASE_FACTS[what]` cached on the database and its data version."""
    query_runner = runner()
    return _database_fact(query_runner, what, database_location(), query_runner.data_version())


def database_info() -> dict[str, Any]:
    """What the database holds and when it was last imported into and backed up (data_overview.database_info)."""
    return _on_database("database_info")


def import_history() -> pl.DataFrame:
    """The latest imports, newest first (data_overview.import_log), cached."""
    return _on_database("import_log")


def account_totals() -> dict[str, Any]:
    """How the database's leads merge into accounts (data_overview.account_totals), cached."""
    return _on_database("account_totals")


def data_bounds() -> dict[str, Any]:
    """The data's first and last day, its now and its lead count (data_overview.date_bounds), cached."""
    return _on_database("date_bounds")


def filter_options() -> pl.DataFrame:
    """The values the sidebar's filters offer (data_overview.filter_options), cached."""
    return _on_database("filter_options")


@st.cache_data(show_spinner=False, max_entries=16)
def _largest_accounts(_query_runner: QueryRunner, path: str, version: str, limit: int) -> pl.DataFrame:
    del path, version  # the cache key (the runner is not hashed)
    return data_overview.largest_accounts(_query_runner, limit)


def largest_accounts(limit: int) -> pl.DataFrame:
    """The `limit` accounts with most leads (data_overview.largest_accounts), cached."""
    query_runner = runner()
    return _largest_accounts(query_runner, database_location(), query_runner.data_version(), limit)


ViewFrame = Callable[[QueryRunner, Filters, Mode], pl.DataFrame]
VIEW_FRAMES: dict[str, ViewFrame] = {"stage_counts": funnel.stage_counts, "monthly_entries": funnel.monthly_entries,
                                     "channel_summary": funnel.channel_summary}


@st.cache_data(show_spinner=False, max_entries=256)
def _view_frame(_query_runner: QueryRunner, _filters: Filters, what: str, path: str, version: str, view_key: str,
                mode: Mode) -> pl.DataFrame:
    del path, version, view_key  # the cache key (the runner and the view are not hashed)
    return VIEW_FRAMES[what](_query_runner, _filters, mode)


def _on_view(what: str, filters: Filters, mode: Mode) -> pl.DataFrame:
    """`VIEW_FRAMES[what]` cached on the database, its data version, the view and the mode."""
    query_runner = runner()
    return _view_frame(query_runner, filters, what, database_location(), query_runner.data_version(), repr(filters),
                       mode)


def funnel_stages(filters: Filters, mode: Mode) -> pl.DataFrame:
    """The view's stage counts, rates, drop-off and days between stages (funnel.stage_counts), cached."""
    return _on_view("stage_counts", filters, mode)


def funnel_by_month(filters: Filters, mode: Mode) -> pl.DataFrame:
    """The view's stage entries per calendar month (funnel.monthly_entries), cached."""
    return _on_view("monthly_entries", filters, mode)


def channel_summary(filters: Filters, mode: Mode) -> pl.DataFrame:
    """The view's channels table, every CHANNEL_METRICS column (funnel.channel_summary), cached."""
    return _on_view("channel_summary", filters, mode)


PolicyView = Callable[[QueryRunner, Filters, SlaPolicy, datetime], pl.DataFrame]
POLICY_VIEWS: dict[str, PolicyView] = {"handovers": compliance.handovers, "open_leads": aging.open_leads}


@st.cache_data(show_spinner=False, max_entries=128)
def _policy_view(_query_runner: QueryRunner, _filters: Filters, _policy: SlaPolicy, what: str, path: str,
                 version: str, view_key: str, as_of: datetime) -> pl.DataFrame:
    del path, version, view_key  # the cache key (the runner, the view and the policy are not hashed)
    return POLICY_VIEWS[what](_query_runner, _filters, _policy, as_of)


def _on_policy(what: str, filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """`POLICY_VIEWS[what]` cached on the database, its data version, the view, the policy and the instant:
    a rerun for another widget costs nothing."""
    query_runner = runner()
    return _policy_view(query_runner, filters, policy, what, database_location(), query_runner.data_version(),
                        repr((filters, policy)), as_of)


def sla_handovers(filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """The view's hand-overs classified on `policy`'s clock (sla.compliance.handovers), cached."""
    return _on_policy("handovers", filters, policy, as_of)


def open_leads_at(filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """The view's open leads at `as_of` with stage, age and stuck flag (pipeline.aging.open_leads), cached."""
    return _on_policy("open_leads", filters, policy, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _sales_touches(_query_runner: QueryRunner, _policy: SlaPolicy, path: str, version: str, policy_key: str,
                   as_of: datetime) -> bool:
    del path, version, policy_key  # the cache key (the runner and the policy are not hashed)
    return compliance.has_sales_touches(_query_runner, _policy, as_of)


def sales_touches_in_data(policy: SlaPolicy, as_of: datetime) -> bool:
    """Whether the data has a sales touch of the policy's types by `as_of` (sla.compliance.has_sales_touches),
    cached on the database, its data version, the policy and the instant."""
    query_runner = runner()
    return _sales_touches(query_runner, policy, database_location(), query_runner.data_version(), repr(policy), as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _handover_scores(_query_runner: QueryRunner, _classified: pl.DataFrame, path: str, version: str, view_key: str,
                     as_of: datetime) -> pl.DataFrame:
    del path, version, view_key  # the cache key (the runner and the hand-overs are not hashed)
    return compliance.handover_scores(_query_runner, _classified, as_of)


def sla_handover_scores(filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """The scores at `as_of` of the view's hand-overs (sla.compliance.handover_scores over `sla_handovers`), cached
    on the database, its data version, the view, the policy and the instant."""
    classified = sla_handovers(filters, policy, as_of)
    query_runner = runner()
    return _handover_scores(query_runner, classified, database_location(), query_runner.data_version(),
                            repr((filters, policy)), as_of)


@st.cache_data(show_spinner=False, max_entries=128)
def _velocity(_query_runner: QueryRunner, _filters: Filters, path: str, version: str, view_key: str,
              as_of: datetime) -> Velocity:
    del path, version, view_key  # the cache key (the runner and the view are not hashed)
    return velocity(_query_runner, _filters, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _attribution(_query_runner: QueryRunner, _filters: Filters, path: str, version: str, view_key: str) -> Attribution:
    del path, version, view_key  # the cache key (the runner and the view are not hashed)
    return attribution(_query_runner, _filters)


def channel_attribution(filters: Filters) -> Attribution:
    """Every attribution model's credit and the spend for the view (leadfunnel.attribution), cached on the database,
    its data version and the view: switching the model or the outcome reads no data."""
    query_runner = runner()
    return _attribution(query_runner, filters, database_location(), query_runner.data_version(), repr(filters))


def pipeline_velocity(filters: Filters, as_of: datetime) -> Velocity:
    """The view's velocity, its factors, the previous period's, by channel and by month (pipeline.velocity),
    cached on the database, its data version, the view and the instant."""
    query_runner = runner()
    return _velocity(query_runner, filters, database_location(), query_runner.data_version(), repr(filters), as_of)


TRIED_POLICY_KEY = "_sla_tried_policy"  # SLA settings tried in this session only: looking changes nothing for others


def policy_in_force() -> SlaPolicy:
    """The SLA policy this session reads by: the one it is trying (SLA page, or limits from its link), else the
    agreed one."""
    return st.session_state.get(TRIED_POLICY_KEY) or agreed_policy()[0]


def agreed_policy() -> tuple[SlaPolicy, datetime | None]:
    """The SLA policy saved for everyone on this database, and when it was agreed (None: the guide's default)."""
    con = runner().con
    return load_policy(con), policy_saved_at(con)


def save_agreed_policy(policy: SlaPolicy) -> None:
    """Store `policy` as the one agreed for everyone (the explicit act), through a write swap; the session stops
    trying its own."""
    with writing() as writer:
        save_policy(writer, policy)
    st.session_state.pop(TRIED_POLICY_KEY, None)


Segments = tuple[tuple[str, tuple[str, ...]], ...]


@st.cache_resource(max_entries=6, show_spinner=False)
def _history(_query_runner: QueryRunner, path: str, version: str, as_of: datetime, segments: Segments) -> History:
    """Shared by every session (no copy per rerun). Few entries: at scale one history holds every event."""
    del path, version  # the cache key (the runner is not hashed)
    return load_history(_query_runner, as_of, _segment_filters(segments))


@st.cache_resource(max_entries=32, show_spinner=False)
def _rollup(_query_runner: QueryRunner, path: str, version: str, as_of: datetime, segments: Segments) -> Rollup:
    """Shared by every session; one row per lead, so many views (one per filter in use) fit."""
    del path, version  # the cache key (the runner is not hashed)
    return load_rollup(_query_runner, as_of, _segment_filters(segments))


def _segments(filters: Filters) -> Segments:
    return (("channels", filters.channels), ("industries", filters.industries),
            ("company_sizes", filters.company_sizes), ("owners", filters.owners))


def _segment_filters(segments: Segments) -> Filters:
    """The filters `_segments` made a cache key of, back again."""
    chosen = dict(segments)
    return Filters(channels=chosen["channels"], industries=chosen["industries"],
                   company_sizes=chosen["company_sizes"], owners=chosen["owners"])


def _view_key(as_of: datetime, filters: Filters) -> tuple[QueryRunner, str, str, datetime, Segments]:
    query_runner = runner()
    return query_runner, database_location(), query_runner.data_version(), as_of, _segments(filters)


@st.cache_data(show_spinner=False, max_entries=64)
def _scores(_query_runner: QueryRunner, _rules: RuleSet, path: str, version: str, as_of: datetime,
            scoring_key: str) -> pl.DataFrame:
    del path, version, scoring_key  # the cache key (the runner and the rules are not hashed)
    return current_scores(_query_runner, as_of, _rules)


def lead_scores(as_of: datetime, rules: RuleSet) -> pl.DataFrame:
    """`lead_id, score` of every lead at `as_of` under `rules` (scoring.scores.current_scores, which picks how to
    compute them), cached on the database, its data version, the instant and the rules (the threshold plays no
    part)."""
    query_runner = runner()
    return _scores(query_runner, rules, database_location(), query_runner.data_version(), as_of,
                   _rules_key(rules, threshold=False))


def top_open_leads(scored: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """The highest-scoring leads not handed over by `as_of`, with their recent activities
    (scoring.distribution.top_open_leads; the activities read through the result cache)."""
    return distribution.top_open_leads(scored, as_of, _run_query)


def scoring_rollup(as_of: datetime, filters: Filters) -> Rollup:
    """One row of activity counts per lead of the view (for instant weight and threshold moves)."""
    return _rollup(*_view_key(as_of, filters))


def _rules_key(rules: RuleSet, *, threshold: bool = True) -> str:
    mapping = rules.to_mapping()
    if not threshold:
        mapping.pop("threshold", None)
        mapping.pop("name", None)
    return json.dumps(mapping, sort_keys=True, ensure_ascii=False, default=str)


@st.cache_resource(max_entries=3, show_spinner=False)
def _running(_history: History, _rules: RuleSet, path: str, version: str, as_of: datetime, segments: Segments,
             scoring_key: str) -> pl.DataFrame:
    """Running scores at every event: they do not depend on the threshold, so a threshold move reuses them.
    Few entries: one holds a score per event."""
    del path, version, as_of, segments, scoring_key  # the cache key (history and rules are not hashed)
    return running_scores(_history, _rules)


@st.cache_resource(max_entries=12, show_spinner=False)
def _replayed(_history: History, _rules: RuleSet, path: str, version: str, as_of: datetime, segments: Segments,
              outcome: Outcome, rules_key: str) -> pl.DataFrame:
    running = _running(_history, _rules, path, version, as_of, segments, _rules_key(_rules, threshold=False))
    return lead_outcomes(_history, running, _rules, outcome)


def replayed_outcomes(as_of: datetime, filters: Filters, rules: RuleSet, outcome: Outcome) -> pl.DataFrame:
    """Per-lead backtest with crossing times, replayed over every event; cached per rule set, so saved
    scenarios and positions a slider has been at before answer at once."""
    query_runner, path, version, instant, segments = _view_key(as_of, filters)
    history = _history(query_runner, path, version, instant, segments)
    return _replayed(history, rules, path, version, instant, segments, outcome, _rules_key(rules))


def scoring_engine(as_of: datetime, filters: Filters, outcome: Outcome) -> ScoringEngine:
    """The scoring engine on this view, over the shared per-lead rollup and the cached replays."""
    def replay(rules: RuleSet) -> pl.DataFrame:
        return replayed_outcomes(as_of, filters, rules, outcome)

    return ScoringEngine(partial(scoring_rollup, as_of, filters), replay, outcome)


@st.cache_resource(max_entries=16, show_spinner=False)
def _learned(_history: History, _rules: RuleSet, path: str, version: str, as_of: datetime, segments: Segments,
             outcome: Outcome, points: tuple[tuple[str, float], ...]) -> Suggestion | NotEnoughHistory:
    del path, version, as_of, segments, points  # the cache key (history and rules are not hashed)
    try:
        return suggest_points(_history, _rules, outcome)
    except NotEnoughHistory as reason:  # remembered too: finding out costs as much as a fit
        return reason


def learned_weights(as_of: datetime, filters: Filters, rules: RuleSet, outcome: Outcome) -> Suggestion:
    """Points suggested by a model fitted on the view's history (seconds at scale): fitted once per data
    version, view, outcome and current points (the threshold plays no part). Raises NotEnoughHistory."""
    query_runner, path, version, instant, segments = _view_key(as_of, filters)
    history = _history(query_runner, path, version, instant, segments)
    found = _learned(history, rules, path, version, instant, segments, outcome, tuple(sorted(rules.points.items())))
    if isinstance(found, NotEnoughHistory):
        raise found
    return found
