"""The dashboard's database: read through one shared connection per file version, written through swaps."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import streamlit as st

from leadfunnel import database, paths
from leadfunnel.backends import storage_for
from leadfunnel.demo import build_demo_database
from leadfunnel.i18n import localized, t
from leadfunnel.paths import DEMO_DATABASE
from leadfunnel.paths import database_location as configured_location
from leadfunnel.query import QueryRunner
from leadfunnel.sla.policy import SlaPolicy, load_policy, policy_saved_at, save_policy
from leadfunnel.storage import FileStorage, StorageBusy, open_current
from leadfunnel.ui.first_paint import stop


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
        stop()
    try:
        return runner_for(location)
    except (database.SchemaVersionError, StorageBusy, duckdb.Error) as error:
        st.error(t("db.cannot_open", error=localized(error)))
        stop()


def cache_key() -> tuple[QueryRunner, str, str]:
    """This session's shared reader, with what every cached result is keyed on beside it: the database's location
    and its data version (an import gives a new version, so no stale result is served)."""
    query_runner = runner()
    return query_runner, database_location(), query_runner.data_version()


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
        stop()


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
