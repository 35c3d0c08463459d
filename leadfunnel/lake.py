"""A DuckLake: catalog in PostgreSQL, data as Parquet files — many readers and writers on many machines.

A DuckDB file admits one writing process; a DuckLake admits many readers and writers on many machines,
with snapshot transactions kept in its PostgreSQL catalog. `LakeStorage` implements the
`leadfunnel.storage.Storage` protocol over one, so the CLI, the dashboard and the SQL in `queries/` are
the same for both backends.

Location syntax: `ducklake:postgres:<libpq connection string>`, e.g.
`ducklake:postgres:dbname=leadfunnel host=db.internal port=5432 user=leadfunnel`; the password comes
from the usual libpq sources (PGPASSWORD, ~/.pgpass). The data path is stored in the catalog when the
lake is created, so it is needed only then: `LakeStorage(location, data_path=…)` or LEADFUNNEL_LAKE_DATA.
The extensions it needs come from wheels (leadfunnel.extensions); DuckDB opens the lake as its main
database, so every `con.cursor()` defaults to the lake too (an ATTACH + USE would hold for the first
connection only).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from leadfunnel import database
from leadfunnel.extensions import extension_directory, load_extensions, load_object_storage
from leadfunnel.storage import WRITER_WAIT_SECONDS, LakeError, StorageBusy, closed_on_error, sql_string

LAKE_PREFIX = "ducklake:"
CATALOG_PREFIX = "postgres:"
DATA_PATH_ENV = "LEADFUNNEL_LAKE_DATA"
# Every leadfunnel writer on a lake takes this PostgreSQL advisory lock first (the ASCII of "leadfunl"),
# so writers queue instead of failing at commit with a conflict after all their work.
WRITER_LOCK_KEY = 0x6C65_6164_6675_6E6C
_LOCK_DATABASE = "leadfunnel_writer_lock"
_CATALOG_DATABASE = "leadfunnel_catalog"
_LIBPQ_KEYWORD = re.compile(r"^[a-z_]+$")
_REMOTE_DATA = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def is_lake_location(location: Path | str) -> bool:
    return str(location).startswith(LAKE_PREFIX)


def _config() -> dict[str, str | bool | int | float | list[str]]:
    """Nothing is downloaded or loaded behind our back (database.NO_AUTOMATIC_EXTENSIONS): the lake's main
    database names its type, which loads DuckLake from this directory, and the rest is LOADed by name."""
    return {"extension_directory": str(extension_directory()), **database.NO_AUTOMATIC_EXTENSIONS}


# --- the model on a lake -----------------------------------------------------------------------------------

def initialise_lake(con: duckdb.DuckDBPyConnection, *, kind: str = "user") -> None:
    """database.initialise for a lake: the model without constraints, all in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for sql in database.model_sql(portable=True):
            con.execute(sql)
        database.refresh_rollups(con)
        con.execute("INSERT INTO meta VALUES ('schema_version', $v), ('kind', $k), ('data_version', $d)",
                    {"v": str(database.SCHEMA_VERSION), "k": kind, "d": uuid.uuid4().hex})
        con.execute("COMMIT")
    except BaseException:
        _rollback_quietly(con)
        raise


# --- the lake ------------------------------------------------------------------------------------------------

class LakeStorage:
    """A DuckLake with its catalog in PostgreSQL: many processes on many machines read and write it.

    Readers see the latest committed snapshot on every query (each import commits all at once, so a
    query sees a whole import or none of it); a reader never has to reopen, so `snapshot()` is constant.
    Writers queue on a PostgreSQL advisory lock for the whole `writing()` block; each store function in
    it (an import, a rule-set save, an upgrade) is one lake transaction, as on a file.
    """

    def __init__(self, location: str, *, data_path: str | Path | None = None) -> None:
        if not is_lake_location(location):
            raise LakeError(f"not a DuckLake location: {location!r} (expected ducklake:postgres:dbname=… host=…)")
        catalog = location[len(LAKE_PREFIX):]
        if not catalog.startswith(CATALOG_PREFIX):
            raise LakeError("leadfunnel keeps a DuckLake's catalog in PostgreSQL, so that several machines can "
                            f"share it: use ducklake:postgres:dbname=… host=… (got {location!r})")
        self.location = location
        self.catalog = catalog[len(CATALOG_PREFIX):].strip()
        _check_connection_string(self.catalog)
        configured = data_path if data_path is not None else os.environ.get(DATA_PATH_ENV)
        self.data_path = _normalise_data_path(configured) if configured else None
        self._exists = False

    def __repr__(self) -> str:
        return f"LakeStorage({self.location!r})"

    def exists(self) -> bool:
        """True when the PostgreSQL database holds a DuckLake catalog (leadfunnel's or not: check_schema says).

        Remembered once true: a lake is not deleted under a running process, and each look costs a DuckDB
        instance and a PostgreSQL connection.
        """
        if self._exists:
            return True
        con = self._catalog_connection()
        try:
            self._exists = _has_lake_catalog(con)
        finally:
            con.close()
        return self._exists

    def snapshot(self) -> str:
        """Constant: every query on a reader already sees the latest committed snapshot."""
        return "ducklake"

    def open_reader(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection whose main database (for every cursor) is the lake."""
        if not self.exists():
            raise FileNotFoundError(f"{self.location}: no DuckLake in this PostgreSQL database yet; import into "
                                    "it first (the data path is needed then: set LEADFUNNEL_LAKE_DATA)")
        with closed_on_error(self._connect(read_only=True)) as con:
            _allow_data_files(con)
        return con

    @contextmanager
    def writing(self, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the lake, with this process first in the queue of lake writers.

        The lake is created (with its data path) on first use. Each store function run on the connection
        commits one lake transaction; a conflicting commit by a writer outside leadfunnel is reported as
        StorageBusy with nothing of that transaction kept.
        """
        if fresh:
            raise LakeError("a DuckLake is never rebuilt from empty: the demo database is a file; import into "
                            "the lake instead")
        if not self.exists():
            self.create()
        con = self._connect(read_only=False)
        try:
            with _writer_lock(con, self.catalog, self.location):
                try:
                    yield con
                except duckdb.TransactionException as error:
                    _rollback_quietly(con)
                    conflict = _commit_conflict(error)
                    if conflict is not None:
                        raise StorageBusy("storage.lake_conflict", location=self.location,
                                          conflict=conflict) from None
                    raise
                except BaseException:
                    _rollback_quietly(con)
                    raise
        finally:
            con.close()

    def create(self, *, kind: str = "user") -> None:
        """Create the DuckLake (data path stored in its catalog) and the model in it, in one transaction.

        Under the writer lock, so that two first imports starting together create one lake.
        """
        if self.data_path is None:
            raise LakeError(f"{self.location} holds no DuckLake yet; say where its Parquet files go with "
                            f"{DATA_PATH_ENV}=/shared/leadfunnel-data (a directory every machine mounts, or s3://…)")
        if not _REMOTE_DATA.match(self.data_path):
            Path(self.data_path).mkdir(parents=True, exist_ok=True)
        con = self._catalog_connection()
        try:
            load_extensions(con, ("ducklake",))
            load_object_storage(con)
            with _writer_lock(con, self.catalog, self.location):
                data_path = "" if _has_lake_catalog(con) else f" (DATA_PATH {sql_string(self.data_path)})"
                con.execute(f"ATTACH {sql_string(self.location)} AS lake{data_path}")
                con.execute("USE lake")
                if database.read_meta(con, "kind") is None:
                    initialise_lake(con, kind=kind)
        except duckdb.Error as error:
            raise LakeError(f"cannot create a DuckLake in {self.location}: {error}") from error
        finally:
            con.close()

    def _connect(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        """A new DuckDB instance with the lake as its main database.

        A unique application_name makes the path unique: DuckDB shares one instance per path in a process
        and refuses a second connection with other settings (a reader next to a writer).
        """
        tag = f"leadfunnel-{'reader' if read_only else 'writer'}-{uuid.uuid4().hex[:12]}"
        path = f"{LAKE_PREFIX}{CATALOG_PREFIX}{self.catalog} application_name={tag}"
        try:
            con = duckdb.connect(path, read_only=read_only, config=_config())
        except duckdb.Error as error:
            raise LakeError(f"cannot open {self.location}: {error}") from error
        with closed_on_error(con):
            load_object_storage(con)
        return con

    def _catalog_connection(self) -> duckdb.DuckDBPyConnection:
        """A private DuckDB with the catalog's PostgreSQL database attached (to look without creating anything)."""
        con = duckdb.connect(":memory:", config=_config())
        try:
            load_extensions(con, ("postgres_scanner",))
            con.execute(f"ATTACH {sql_string(self.catalog)} AS {_CATALOG_DATABASE} (TYPE postgres, READ_ONLY)")
        except duckdb.Error as error:
            con.close()
            raise LakeError(f"cannot reach the PostgreSQL catalog of {self.location}: {error}") from error
        return con


def _allow_data_files(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the lake's Parquet files readable after `database.lock_down` turns off external access."""
    row = con.execute("SELECT value FROM ducklake_options(current_database()) WHERE option_name = 'data_path' "
                      "AND scope = 'GLOBAL'").fetchone()
    if row and row[0]:
        con.execute("SET allowed_directories = $directories", {"directories": [row[0]]})


def _has_lake_catalog(con: duckdb.DuckDBPyConnection) -> bool:
    """Asked of PostgreSQL each time (an attached catalog's table list is cached)."""
    found = con.execute(f"SELECT * FROM postgres_query('{_CATALOG_DATABASE}', 'SELECT count(*) FROM "
                        "information_schema.tables WHERE table_name = ''ducklake_metadata''')").fetchone()
    return bool(found and found[0])


def _check_connection_string(catalog: str) -> None:
    """A libpq `key=value …` string; quoting is not supported, so neither are spaces inside values."""
    if not catalog:
        raise LakeError("the DuckLake location names no PostgreSQL database: ducklake:postgres:dbname=… host=…")
    for part in catalog.split():
        key, sep, value = part.partition("=")
        if not sep or not _LIBPQ_KEYWORD.match(key) or not value or "'" in value or "\x00" in value:
            raise LakeError(f"not a libpq key=value setting: {part!r} (quotes and spaces inside values are not "
                            "supported; put a password in PGPASSWORD or ~/.pgpass)")


def _normalise_data_path(value: str | Path) -> str:
    """Absolute, with a trailing slash (DuckLake joins file names to it); URLs are kept as given."""
    text = str(value)
    if _REMOTE_DATA.match(text):
        return text if text.endswith("/") else text + "/"
    return str(Path(text).expanduser().resolve()) + "/"


@contextmanager
def _writer_lock(con: duckdb.DuckDBPyConnection, catalog: str, location: str) -> Iterator[None]:
    """Hold leadfunnel's writer lock in the catalog's PostgreSQL database for the block.

    The lock is a transaction-scoped advisory lock, held by a transaction on a side cursor: taken before
    the block's first lake transaction begins (whose snapshot then holds the previous writer's commit),
    released after the block's last commit, and by PostgreSQL itself if this process dies.
    """
    side = con.cursor()
    try:
        side.execute(f"ATTACH IF NOT EXISTS {sql_string(catalog)} AS {_LOCK_DATABASE} (TYPE postgres)")
        side.execute("BEGIN TRANSACTION")
        try:
            deadline = time.monotonic() + WRITER_WAIT_SECONDS
            while not database.one_row(side.execute(f"SELECT * FROM postgres_query('{_LOCK_DATABASE}', "
                                                    f"'SELECT pg_try_advisory_xact_lock({int(WRITER_LOCK_KEY)})')"))[0]:
                if time.monotonic() > deadline:
                    raise StorageBusy("storage.writer_busy", location=location,
                                      seconds=f"{WRITER_WAIT_SECONDS:.0f}")
                time.sleep(0.1)
            yield
        finally:
            _rollback_quietly(side)  # ends the lock's transaction, which releases the lock
    finally:
        side.close()


def _commit_conflict(error: BaseException) -> BaseException | None:
    """The commit conflict behind an error, if any: a store function's ROLLBACK after a failed COMMIT
    raises "no transaction is active", with the conflict as its context."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, duckdb.TransactionException) and "conflict" in str(seen).lower():
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


