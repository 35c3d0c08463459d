"""Data past one machine: a DuckLake (catalog in PostgreSQL, data as Parquet files) and Parquet folders.

A DuckDB file admits one writing process; a DuckLake admits many readers and writers on many machines,
with snapshot transactions kept in its PostgreSQL catalog. `LakeStorage` implements the
`leadfunnel.storage.Storage` protocol over one, so the CLI, the dashboard and the SQL in `queries/` are
the same for both backends. `ParquetFolderStorage` reads a folder of (hive-partitioned) Parquet files
exported from a warehouse in place, read-only.

Location syntax: `ducklake:postgres:<libpq connection string>`, e.g.
`ducklake:postgres:dbname=leadfunnel host=db.internal port=5432 user=leadfunnel`; the password comes
from the usual libpq sources (PGPASSWORD, ~/.pgpass). The data path is stored in the catalog when the
lake is created, so it is needed only then: `LakeStorage(location, data_path=…)` or LEADFUNNEL_LAKE_DATA.
`parquet:<folder>` names a Parquet folder.

The extensions come from the `duckdb-extension-ducklake` and `duckdb-extension-postgres-scanner` wheels
(nothing can be downloaded at run time); they are installed once into a private extension directory so
that DuckDB can open the lake as its main database. That matters: every `con.cursor()` then defaults to
the lake too (an ATTACH + USE would hold for the first connection only).
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import polars as pl

from leadfunnel import database
from leadfunnel.storage import WRITER_WAIT_SECONDS, StorageBusy, sql_string

LAKE_PREFIX = "ducklake:"
CATALOG_PREFIX = "postgres:"
PARQUET_PREFIX = "parquet:"
DATA_PATH_ENV = "LEADFUNNEL_LAKE_DATA"
EXTENSION_DIR_ENV = "LEADFUNNEL_EXTENSION_DIR"
# Extension → the wheel (import name) that ships it for this DuckDB version. httpfs is optional: it is
# installed when its wheel is, so that a lake whose data path is on object storage (s3://…) can be read.
EXTENSION_WHEELS = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
}
REQUIRED_EXTENSIONS = ("ducklake", "postgres_scanner")
# Every leadfunnel writer on a lake takes this PostgreSQL advisory lock first (the ASCII of "leadfunl"),
# so writers queue instead of failing at commit with a conflict after all their work.
WRITER_LOCK_KEY = 0x6C65_6164_6675_6E6C
_LOCK_DATABASE = "leadfunnel_writer_lock"
_CATALOG_DATABASE = "leadfunnel_catalog"
_LIBPQ_KEYWORD = re.compile(r"^[a-z_]+$")
_REMOTE_DATA = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class LakeError(RuntimeError):
    """A lake that cannot be used as configured; the message says what to set."""


def is_lake_location(location: Path | str) -> bool:
    return str(location).startswith(LAKE_PREFIX)


def is_parquet_location(location: Path | str) -> bool:
    return str(location).startswith(PARQUET_PREFIX)


# --- extensions --------------------------------------------------------------------------------------------

def extension_file(name: str) -> Path | None:
    """The `.duckdb_extension` file a `duckdb-extension-*` wheel ships for this DuckDB, or None without it."""
    spec = importlib.util.find_spec(EXTENSION_WHEELS[name])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}" / \
        f"{name}.duckdb_extension"
    return path if path.is_file() else None


def load_extensions(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = REQUIRED_EXTENSIONS) -> None:
    """LOAD extensions by file path into an existing connection (for ATTACH-style use)."""
    for name in names:
        path = extension_file(name)
        if path is None:
            raise LakeError(_missing_wheel(name))
        con.execute(f"LOAD {sql_string(path)}")


def _missing_wheel(name: str) -> str:
    package = EXTENSION_WHEELS[name].replace("_", "-")
    return (f"the DuckDB extension {name} is not installed: `pip install {package}=={duckdb.__version__}` "
            "(requirements.txt pins it)")


def extension_directory() -> Path:
    """A DuckDB extension directory holding the wheels' extensions, so DuckDB can autoload them.

    LEADFUNNEL_EXTENSION_DIR, else ~/.cache/leadfunnel/duckdb-extensions. Installing is a file copy from
    the wheel (no network); done once per directory and DuckDB version, under a file lock.
    """
    configured = os.environ.get(EXTENSION_DIR_ENV)
    root = Path(configured) if configured else Path.home() / ".cache" / "leadfunnel" / "duckdb-extensions"
    platform_dir = root / f"v{duckdb.__version__}"
    wanted = {name: path for name in EXTENSION_WHEELS if (path := extension_file(name)) is not None}
    for name in REQUIRED_EXTENSIONS:
        if name not in wanted:
            raise LakeError(_missing_wheel(name))

    def installed() -> bool:
        return all(any(platform_dir.glob(f"*/{name}.duckdb_extension")) for name in wanted)

    if installed():
        return root
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".install.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not installed():
            con = duckdb.connect(config={"extension_directory": str(root), **database.NO_AUTOMATIC_EXTENSIONS})
            try:
                for path in wanted.values():
                    con.execute(f"FORCE INSTALL {sql_string(path)}")
            finally:
                con.close()
    return root


def _load_object_storage(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD httpfs when its wheel is installed, so a data path on object storage (s3://…) is readable without
    DuckDB's auto-loading (which is off)."""
    if extension_file("httpfs") is not None:
        con.execute("LOAD httpfs")


def _config() -> dict[str, str | bool]:
    """Nothing is downloaded or loaded behind our back (database.NO_AUTOMATIC_EXTENSIONS): the lake's main
    database names its type, which loads DuckLake from this directory, and the rest is LOADed by name."""
    return {"extension_directory": str(extension_directory()), **database.NO_AUTOMATIC_EXTENSIONS}


# --- the model on a lake -----------------------------------------------------------------------------------

_TABLE_KEY = re.compile(r",?\s*\b(?:PRIMARY\s+KEY|UNIQUE)\s*\([^()]*\)", re.IGNORECASE)
_COLUMN_KEY = re.compile(r"\bPRIMARY\s+KEY\b(?!\s*\()", re.IGNORECASE)
_COLUMN_UNIQUE = re.compile(r"\bUNIQUE\b(?!\s*\()", re.IGNORECASE)
_CHECK = re.compile(r"\bCHECK\s*\(", re.IGNORECASE)


def portable_sql(sql: str) -> str:
    """Model SQL without the constraints DuckLake cannot hold (PRIMARY KEY, UNIQUE, CHECK).

    A key column stays NOT NULL; keeping keys unique is the writers' job on both backends (they upsert
    with MERGE INTO and import validation rejects duplicate ids), and values are checked on import.
    """
    sql = _TABLE_KEY.sub("", sql)
    sql = _COLUMN_KEY.sub("NOT NULL", sql)
    sql = _COLUMN_UNIQUE.sub("", sql)
    while (match := _CHECK.search(sql)) is not None:
        end = _closing_parenthesis(sql, match.end() - 1)
        sql = sql[:match.start()].rstrip(" ") + sql[end + 1:]
    return sql


def _closing_parenthesis(sql: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start`, skipping quoted text."""
    depth, quote = 0, None
    for index in range(start, len(sql)):
        char = sql[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced parentheses in model SQL")


def initialise_lake(con: duckdb.DuckDBPyConnection, *, kind: str = "user") -> None:
    """database.initialise for a lake: the model without constraints, all in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for model_file in sorted(database.MODEL_DIR.glob("*.sql")):
            con.execute(portable_sql(model_file.read_text(encoding="utf-8")))
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
        con = self._connect(read_only=True)
        try:
            _allow_data_files(con)
        except BaseException:
            con.close()
            raise
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
            _load_object_storage(con)
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
        try:
            _load_object_storage(con)
        except BaseException:
            con.close()
            raise
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
            while not side.execute(f"SELECT * FROM postgres_query('{_LOCK_DATABASE}', "
                                   f"'SELECT pg_try_advisory_xact_lock({int(WRITER_LOCK_KEY)})')").fetchone()[0]:
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


# --- a Parquet folder, read in place -----------------------------------------------------------------------

class ParquetFolderStorage:
    """A folder of Parquet files exported from a warehouse, read in place (nothing is copied or written).

    One sub-folder (or file) per table: `leads/`, `activities/`, optional `feedback/`, each holding
    Parquet files, hive-partitioned or not (`leads/year=2026/month=05/part-0.parquet`). Partition
    columns that are not part of the model are ignored; model columns missing from the files read as
    NULL. The model's views and macros are created over them in a private in-memory database, and the
    derived tables (queries/rollups) are computed when the reader opens.
    """

    def __init__(self, location: str | Path) -> None:
        text = str(location)
        self.folder = Path(text[len(PARQUET_PREFIX):] if is_parquet_location(text) else text).expanduser()
        self.location = f"{PARQUET_PREFIX}{self.folder}"

    def exists(self) -> bool:
        return bool(self._table_sources().get("leads"))

    def snapshot(self) -> str:
        """Changes when a Parquet file is added, removed or rewritten."""
        stats = []
        for path in sorted(self.folder.rglob("*.parquet")):
            with suppress(FileNotFoundError):
                stat = path.stat()
                stats.append(f"{path.relative_to(self.folder)}:{stat.st_mtime_ns}:{stat.st_size}")
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "\n".join(stats)))

    def open_reader(self) -> duckdb.DuckDBPyConnection:
        from leadfunnel.ingest.store import TABLE_SCHEMAS

        sources = self._table_sources()
        if "leads" not in sources:
            raise FileNotFoundError(f"{self.folder}: no leads/ folder (or leads.parquet) of Parquet files")
        con = database.connect(":memory:")
        try:
            database.initialise(con, kind="parquet")
            for table, schema in TABLE_SCHEMAS.items():
                pattern = sources.get(table)
                if pattern is None:
                    continue  # an empty table from the model stands in for it
                found = {row[0] for row in con.execute(
                    "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($p, hive_partitioning = true, "
                    "union_by_name = true))", {"p": pattern}).fetchall()}
                columns = ", ".join(
                    f'CAST({_quoted(name) if name in found else "NULL"} AS {_sql_type(dtype)}) AS {_quoted(name)}'
                    for name, dtype in schema.items())
                con.execute(f"DROP TABLE {table}")
                con.execute(f"CREATE VIEW {table} AS SELECT {columns} FROM read_parquet({sql_string(pattern)}, "
                            "hive_partitioning = true, union_by_name = true)")
            database.refresh_rollups(con)
            con.execute("UPDATE meta SET value = $v WHERE key = 'data_version'", {"v": self.snapshot()})
            # The views read the folder on every query: keep it readable after database.lock_down.
            con.execute("SET allowed_directories = $directories", {"directories": [f"{self.folder.resolve()}/"]})
        except BaseException:
            con.close()
            raise
        return con

    @contextmanager
    def writing(self, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        del fresh
        raise LakeError(f"{self.location} is read in place and never written: import into a DuckDB file or a "
                        "DuckLake instead")
        yield  # pragma: no cover  (makes this a generator for @contextmanager)

    def _table_sources(self) -> dict[str, str]:
        """Table → a read_parquet glob, for each model table the folder holds."""
        from leadfunnel.ingest.store import TABLE_SCHEMAS

        sources = {}
        for table in TABLE_SCHEMAS:
            folder, single = self.folder / table, self.folder / f"{table}.parquet"
            if folder.is_dir() and any(folder.rglob("*.parquet")):
                sources[table] = str(folder / "**" / "*.parquet")
            elif single.is_file():
                sources[table] = str(single)
        return sources


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_type(dtype: pl.DataType) -> str:
    """The model's column type for a store schema's Polars type."""
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return "DOUBLE" if dtype == pl.Float64 else "VARCHAR"
