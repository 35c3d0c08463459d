"""The dashboard's database: read through one shared connection per file version, written through swaps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from leadfunnel import database
from leadfunnel.demo import build_demo_database
from leadfunnel.filters import Filters
from leadfunnel.paths import DEMO_DATABASE
from leadfunnel.paths import database_path as configured_database
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import History, load_history
from leadfunnel.scoring.rollup import Rollup, load_rollup
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
    with st.status("Preparing the demo data (first start only)…", expanded=True) as status:
        bar = st.progress(0.0)
        build_demo_database(path, progress=lambda done, text: bar.progress(min(done, 1.0), text=text))
        status.update(label="Demo data ready", state="complete", expanded=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def _runner(path: str, snapshot: str) -> QueryRunner:
    """One read-only connection per version of a file, shared by every session of this process.

    An import or a saved setting (from this app or the CLI) swaps in a new file: its snapshot changes,
    the next rerun opens the new version, and the old connection goes when the last session lets go.
    """
    del snapshot  # part of the cache key only
    con = open_current(FileStorage(path))
    try:
        database.lock_down(con)
    except BaseException:
        con.close()
        raise
    return QueryRunner(con)


SESSION_DATABASE_KEY = "_database_path"


def database_path() -> Path:
    """This session's database: one created on the Data page, else LEADFUNNEL_DB, else the demo."""
    chosen = st.session_state.get(SESSION_DATABASE_KEY)
    return Path(chosen) if chosen else configured_database()


def use_database(path: Path) -> None:
    """Switch this session to another database file (the others keep theirs)."""
    st.session_state[SESSION_DATABASE_KEY] = str(path)


_demo_checked: set[str] = set()
_demo_lock = threading.Lock()


def runner() -> QueryRunner:
    """The process-wide query runner for the configured database; stops the page with a plain message."""
    path = database_path()
    if path == DEMO_DATABASE and str(path) not in _demo_checked:
        # Once per process: the first session builds it, the others wait for the lock.
        with _demo_lock:
            if str(path) not in _demo_checked:
                ensure_demo_database(path)
                _demo_checked.add(str(path))
    elif not path.exists():
        st.error(f"The database {path} (set by LEADFUNNEL_DB) does not exist. Create it with "
                 f"`python -m leadfunnel import … --db {path}` or `python -m leadfunnel demo --db {path}`.")
        st.stop()
    try:
        return runner_for(path)
    except (database.SchemaVersionError, StorageBusy, duckdb.Error) as error:
        st.error(f"Cannot open the database: {error}")
        st.stop()


def runner_for(path: Path) -> QueryRunner:
    """The shared read-only runner on the latest version of `path`."""
    return _runner(str(path), FileStorage(path).snapshot())


@contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """Change this session's database (a saved setting, an import); every session sees it on its next rerun."""
    try:
        with FileStorage(database_path()).writing() as con:
            yield con
    except StorageBusy as error:
        st.error(str(error))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_run(_query_runner: QueryRunner, path: str, version: str, name: str,
                params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    del path, version  # the cache key (the runner is not hashed)
    return _query_runner.run(name, {k: list(v) if isinstance(v, tuple) else v for k, v in params})


def run_query(name: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Run a query file with caching keyed on the database, its data version and the parameters."""
    query_runner = runner()
    version = query_runner.data_version()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    return _cached_run(query_runner, str(database_path()), version, name, frozen)


@st.cache_resource(max_entries=4, show_spinner=False)
def _scoring_view(_query_runner: QueryRunner, path: str, version: str, kind: str, as_of: datetime,
                  segments: tuple[tuple[str, tuple[str, ...]], ...]) -> History | Rollup:
    """Shared by every session (no copy per rerun): the per-event history or the per-lead rollup of a view."""
    del path, version  # the cache key (the runner is not hashed)
    filters = Filters(**dict(segments))
    loader = load_history if kind == "history" else load_rollup
    return loader(_query_runner, as_of, filters)


def _segments(filters: Filters) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return (("channels", filters.channels), ("industries", filters.industries),
            ("company_sizes", filters.company_sizes), ("owners", filters.owners))


def scoring_history(as_of: datetime, filters: Filters) -> History:
    """Every activity of the view's leads before `as_of` (for crossing times and decay)."""
    query_runner = runner()
    return _scoring_view(query_runner, str(database_path()), query_runner.data_version(), "history", as_of,
                         _segments(filters))


def scoring_rollup(as_of: datetime, filters: Filters) -> Rollup:
    """One row of activity counts per lead of the view (for instant weight and threshold moves)."""
    query_runner = runner()
    return _scoring_view(query_runner, str(database_path()), query_runner.data_version(), "rollup", as_of,
                         _segments(filters))
