"""Opening a leadfunnel DuckDB file: schema creation, schema version and data version.

The schema version says which model a file was written with; the data version is bumped by every
write so result caches know when they are stale.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from leadfunnel.i18n import LocalizedRuntimeError
from leadfunnel.paths import QUERY_DIR

# 1: leads, activities, feedback, funnel view and macro. 2: scoring rule sets. 3: activity rollup.
# 4: SLA policy. 5: import log and saved mappings. 6: leads.job_title, fit points on any attribute.
# 7: lead_stage_entries (stage entries materialised at write time; the stage_entries macro reads it).
SCHEMA_VERSION = 7
# Steps that reshape stored data, run once when a file older than the key is upgraded (before the model).
MIGRATIONS: dict[int, tuple[str, str]] = {  # version → (table it reshapes, SQL)
    6: ("rule_fit", """CREATE TABLE rule_fit_6 AS SELECT * FROM rule_fit;
          DROP TABLE rule_fit;
          CREATE TABLE rule_fit (rule_set VARCHAR NOT NULL, attribute VARCHAR NOT NULL, value VARCHAR NOT NULL,
                                 points DOUBLE NOT NULL, PRIMARY KEY (rule_set, attribute, value));
          INSERT INTO rule_fit SELECT * FROM rule_fit_6;
          DROP TABLE rule_fit_6;"""),
}
MODEL_DIR = QUERY_DIR / "model"
ROLLUP_DIR = QUERY_DIR / "rollups"


class SchemaVersionError(LocalizedRuntimeError):
    """The file was written by another version of the model and cannot be used as it is."""


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database file; `:memory:` gives a private in-memory database (tests)."""
    return duckdb.connect(str(path), read_only=read_only)


def initialise(con: duckdb.DuckDBPyConnection, *, kind: str = "user") -> None:
    """Create the tables, views and macros of the model in an empty database."""
    _apply_model(con)
    set_meta(con, {"schema_version": str(SCHEMA_VERSION), "kind": kind, "data_version": uuid.uuid4().hex})


def set_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    """Insert or update keys of the meta table (MERGE: a DuckLake has no key constraints for ON CONFLICT)."""
    for key, value in values.items():
        con.execute("MERGE INTO meta USING (SELECT $key AS key, $value AS value) AS new USING (key) "
                    "WHEN MATCHED THEN UPDATE SET value = new.value WHEN NOT MATCHED THEN INSERT BY NAME",
                    {"key": key, "value": value})


def create_user_database(path: Path) -> None:
    """A new, empty database for a team's own data; never replaces an existing file."""
    if path.exists():
        raise FileExistsError(f"{path} exists already; choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path)
    try:
        initialise(con, kind="user")
    finally:
        con.close()


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Limit a long-lived query connection: no file access beyond its database, bounded memory and threads.

    Called after setup (schema upgrade): from then on SQL on this connection cannot read, write or
    attach other files, and the limits cannot be changed back. Limits come from LEADFUNNEL_MEMORY_LIMIT
    (default 2GB) and LEADFUNNEL_THREADS (default: the machine's cores, at most 4).
    """
    memory = os.environ.get("LEADFUNNEL_MEMORY_LIMIT", "2GB")
    threads = int(os.environ.get("LEADFUNNEL_THREADS", str(min(os.cpu_count() or 1, 4))))
    con.execute("SET memory_limit = $memory", {"memory": memory})
    con.execute("SET threads = $threads", {"threads": threads})
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _apply_model(con: duckdb.DuckDBPyConnection) -> None:
    on_lake = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
                          ).fetchone()[0] == "ducklake"
    for model_file in sorted(MODEL_DIR.glob("*.sql")):
        sql = model_file.read_text(encoding="utf-8")
        if on_lake:
            from leadfunnel.lake import portable_sql  # a lake refuses key and CHECK constraints

            sql = portable_sql(sql)
        con.execute(sql)
    refresh_rollups(con)


def refresh_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables (queries/rollups) from the stored data; every write calls this."""
    for rollup_file in sorted(ROLLUP_DIR.glob("*.sql")):
        con.execute(rollup_file.read_text(encoding="utf-8"))


def upgrade(con: duckdb.DuckDBPyConnection, path: Path | str) -> bool:
    """Bring a file of an older schema version up to this one, in one transaction; True if it changed.

    Every model change so far only adds tables, views and macros (the model files use IF NOT EXISTS
    and OR REPLACE), so an upgrade re-applies the model and keeps every stored row. A future change
    that reshapes stored data needs its own step here.
    """
    found = schema_version(con)
    if found is None or found > SCHEMA_VERSION:
        check_schema(con, path)
    if found == SCHEMA_VERSION:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        for version, (table, steps) in sorted(MIGRATIONS.items()):
            if found < version and _has_table(con, table):
                con.execute(steps)
        _apply_model(con)
        con.execute("UPDATE meta SET value = $v WHERE key = 'schema_version'", {"v": str(SCHEMA_VERSION)})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $name AND schema_name = 'main' "
                       "AND database_name = current_database()", {"name": name}).fetchone()[0] > 0


def stored_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables that hold data (not the ones the model rebuilds: funnel_stages, rollups)."""
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' ORDER BY table_name").fetchall()
    derived = {"funnel_stages", *(f.stem for f in ROLLUP_DIR.glob("*.sql"))}
    return [name for (name,) in rows if name not in derived]


def read_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value from the meta table, or None when the file has no such key (or no meta table)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = $key", {"key": key}).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    value = read_meta(con, "schema_version")
    return int(value) if value is not None else None


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever the data changes; part of every result-cache key."""
    return read_meta(con, "data_version") or "none"


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE meta SET value = $d WHERE key = 'data_version'", {"d": uuid.uuid4().hex})


def check_schema(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Refuse a file of another schema version with instructions, never rebuild over it."""
    found = schema_version(con)
    if found != SCHEMA_VERSION:
        newer = (found or 0) > SCHEMA_VERSION
        raise SchemaVersionError("schema.newer" if newer else "schema.other", location=str(path), found=found,
                                 reads=SCHEMA_VERSION)
