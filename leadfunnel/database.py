"""Opening a leadfunnel DuckDB file: schema creation, schema version and data version.

The schema version says which model a file was written with; the data version is bumped by every
write so result caches know when they are stale.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from leadfunnel.paths import QUERY_DIR

SCHEMA_VERSION = 1
MODEL_DIR = QUERY_DIR / "model"


class SchemaVersionError(RuntimeError):
    """The file was written by another version of the model and cannot be used as it is."""


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database file; `:memory:` gives a private in-memory database (tests)."""
    return duckdb.connect(str(path), read_only=read_only)


def initialise(con: duckdb.DuckDBPyConnection, *, kind: str = "user") -> None:
    """Create the tables, views and macros of the model in an empty database."""
    for model_file in sorted(MODEL_DIR.glob("*.sql")):
        con.execute(model_file.read_text(encoding="utf-8"))
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', $v), ('kind', $k), ('data_version', $d)",
        {"v": str(SCHEMA_VERSION), "k": kind, "d": uuid.uuid4().hex},
    )


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
        raise SchemaVersionError(
            f"{path} holds leadfunnel schema version {found}, this version needs {SCHEMA_VERSION}. "
            "Re-import your exports into a new database with `python -m leadfunnel import … --db NEW_FILE`."
        )


def build_atomically(path: Path, fill: Callable[[duckdb.DuckDBPyConnection], None], *, kind: str) -> None:
    """Write a complete new database beside `path`, then swap it in with one rename.

    Readers never see a half-built file, and a crash leaves the previous file untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        con = connect(scratch)
        try:
            initialise(con, kind=kind)
            fill(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
