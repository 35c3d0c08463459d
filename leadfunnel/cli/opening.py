"""Opening the database for a command: a plain one-line error and exit code 1 instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from leadfunnel import database
from leadfunnel.backends import storage_for
from leadfunnel.cli.output import fail
from leadfunnel.paths import database_location
from leadfunnel.query import QueryRunner
from leadfunnel.storage import FileStorage, Storage, StorageBusy, open_current


@contextmanager
def open_for_reading(db: str | None) -> Iterator[QueryRunner]:
    """A read-only runner on the database (or a plain error and exit code 1); closed afterwards.

    Works while a dashboard or an import has the same database open: readers see the last whole import.
    """
    with _reading(storage_for(db or database_location())) as runner:
        yield runner


@contextmanager
def existing_or_empty(target: Storage) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database to check an import against: the stored one, or an empty one for a new database (or for
    an empty DuckDB file, which the import would initialise)."""
    empty = not target.exists()
    if not empty and isinstance(target, FileStorage):
        try:
            probe = target.open_reader()
        except (database.SchemaVersionError, StorageBusy) as error:
            raise fail(str(error)) from None
        try:
            empty = database.contents(probe) == "empty"
        finally:
            probe.close()
    if not empty:
        with _reading(target) as runner:
            yield runner.con
        return
    con = database.connect(":memory:")
    try:
        database.initialise(con)
        yield con
    finally:
        con.close()


@contextmanager
def _reading(target: Storage) -> Iterator[QueryRunner]:
    """A runner on the current version of the stored database; each way it can fail is one line and exit 1."""
    if not target.exists():
        raise fail(f"{target.location}: no such database; run `python -m leadfunnel demo` or `import` first")
    try:
        con = open_current(target)
    except (database.SchemaVersionError, StorageBusy) as error:
        raise fail(str(error)) from None
    except (duckdb.Error, OSError) as error:
        raise fail(f"cannot open {target.location}: {str(error).strip().splitlines()[0]}") from None
    try:
        yield QueryRunner(con, quiet=True)
    except (duckdb.IOException, duckdb.SerializationException) as error:  # damage found only when read
        raise fail(f"cannot read {target.location}: {str(error).strip().splitlines()[0]}") from None
    finally:
        con.close()


def file_location(db: str | None) -> Path:
    """The demo, backup and restore work on DuckDB files; a lake has its own tools (docs/scale.md)."""
    location = db or database_location()
    if not isinstance(storage_for(location), FileStorage):
        raise fail(f"{location}: this command works on a DuckDB file; for a DuckLake see docs/scale.md")
    return Path(location)
