"""Opening a leadfunnel DuckDB file: schema creation, schema version and data version.

The schema version says which model a file was written with; the data version is bumped by every
write so result caches know when they are stale.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import duckdb
from duckdb.func import FunctionNullHandling, PythonUDFType

from leadfunnel.accounts import account_keys
from leadfunnel.i18n import LocalizedRuntimeError
from leadfunnel.paths import QUERY_DIR

# 1: leads, activities, feedback, funnel view and macro. 2: scoring rule sets. 3: activity rollup.
# 4: SLA policy. 5: import log and saved mappings. 6: leads.job_title, fit points on any attribute.
# 7: lead_stage_entries (stage entries materialised at write time; the stage_entries macro reads it).
# 8: leads.channel may be empty (a missing channel is stored as missing and read as 'unknown').
# 9: leads.account_id and lead_stage_entries.account_key (the funnel by account).
# 10: stage_entries_by_account (account stage entries of unfiltered views) and the latest sales touches per lead in
#     lead_activity_rollup (stuck leads at the data's now).
# 11: activities.channel and .campaign, the spend table, import_log.spend_added/.spend_replaced (attribution).
# 12: the macros lead_fit (scoring) and view_stage_entries (funnel and channels); lead_activity_rollup's counts before
#     the SQL and won times renamed before_sql_<type> / before_won_<type> (were sql_<type> / won_<type>); the view
#     lead_stages renamed lead_stage_times (one name per shape: docs/data-model.md, "Which stage table is which");
#     the derived tables lead_numbers, event_types and lead_events (activities as integers in (lead, time) order).
SCHEMA_VERSION = 12
# Steps that reshape stored data, run once when a file older than the key is upgraded (before the model).
MIGRATIONS: dict[int, tuple[str, str]] = {  # version → (table it reshapes, SQL)
    6: ("rule_fit", """CREATE TABLE rule_fit_6 AS SELECT * FROM rule_fit;
          DROP TABLE rule_fit;
          CREATE TABLE rule_fit (rule_set VARCHAR NOT NULL, attribute VARCHAR NOT NULL, value VARCHAR NOT NULL,
                                 points DOUBLE NOT NULL, PRIMARY KEY (rule_set, attribute, value));
          INSERT INTO rule_fit SELECT * FROM rule_fit_6;
          DROP TABLE rule_fit_6;"""),
    8: ("leads", """ALTER TABLE leads ALTER COLUMN channel DROP NOT NULL;
          UPDATE leads SET channel = NULL WHERE channel = 'unknown';"""),
}
MODEL_DIR = QUERY_DIR / "model"
ROLLUP_DIR = QUERY_DIR / "rollups"
ACTIVITY_ROLLUP_AFTER = "04"  # the rollup files named before this run before the activity rollup is built
# A line of a queries/ file that ends in this comment stands for one line per canonical activity type
# (leadfunnel.model.ACTIVITY_TYPES, in that order): `{type}` in it is the type, `{code}` its position (1, 2, …). The
# per-type columns (the rollup's counts, the scores' terms) thus follow the model instead of a hand-written list.
EACH_ACTIVITY_TYPE = "-- for each activity type"
_PLAIN_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


# Nothing is ever fetched or loaded behind the product's back: a SQLite file given as --db would otherwise
# make DuckDB download sqlite_scanner. The lake LOADs the extensions it needs from the wheels by itself.
NO_AUTOMATIC_EXTENSIONS: dict[str, str | bool] = {"autoinstall_known_extensions": False,
                                                  "autoload_known_extensions": False}
KINDS = ("demo", "user")  # what `meta.kind` may say in a file that imports and restores write

Contents = Literal["empty", "foreign", "unreadable_version", "leadfunnel"]


class SchemaVersionError(LocalizedRuntimeError):
    """The file cannot be used as it is: written by another version of the model (the subclasses say
    other reasons). Every caller that refuses a file catches this one class."""


class ForeignDatabase(SchemaVersionError):
    """A DuckDB file that is not a leadfunnel database to write into: another application's tables, an
    unreadable schema version, or a kind of leadfunnel file (the demo) an import must not change."""


class UnopenableDatabase(SchemaVersionError):
    """DuckDB cannot open the file at all (not a DuckDB file, damaged, a folder, no permission); the
    message is one line with a short reason and the file is left as it was."""


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database file; `:memory:` gives a private in-memory database (tests).

    Extension auto-install and auto-load are off, so opening or querying never reaches the network.
    """
    return duckdb.connect(str(path), read_only=read_only, config=dict(NO_AUTOMATIC_EXTENSIONS))


def read_sql(path: Path) -> str:
    """The SQL of a file in queries/, its per-activity-type lines expanded (EACH_ACTIVITY_TYPE)."""
    sql = path.read_text(encoding="utf-8")
    if EACH_ACTIVITY_TYPE not in sql:
        return sql
    from leadfunnel.model import ACTIVITY_TYPES  # here: the model imports Polars, which opening a file does not need

    return expand_activity_types(sql, ACTIVITY_TYPES)


def expand_activity_types(sql: str, activity_types: Sequence[str]) -> str:
    """Each line ending in EACH_ACTIVITY_TYPE once per activity type, `{type}` and `{code}` filled in.

    The types are fixed identifiers of the code, never user text; they are still refused unless they are plain
    lower-case identifiers, since they become column names and SQL string literals.
    """
    for activity_type in activity_types:
        if not _PLAIN_IDENTIFIER.fullmatch(activity_type):
            raise ValueError(f"not a plain identifier, so not an activity type for SQL: {activity_type!r}")
    lines = []
    for line in sql.splitlines():
        body = line.rstrip()
        if not body.endswith(EACH_ACTIVITY_TYPE):
            lines.append(line)
            continue
        template = body.removesuffix(EACH_ACTIVITY_TYPE).rstrip()
        lines += [template.replace("{type}", activity_type).replace("{code}", str(code))
                  for code, activity_type in enumerate(activity_types, start=1)]
    return "\n".join(lines) + ("\n" if sql.endswith("\n") else "")


def model_sql(*, portable: bool = False) -> Iterator[str]:
    """The model's statements (queries/model), file by file in name order; `portable`: for a DuckLake."""
    for model_file in sorted(MODEL_DIR.glob("*.sql")):
        sql = read_sql(model_file)
        yield portable_sql(sql) if portable else sql


def one_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate such as count(*)), after `execute`."""
    row = result.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN; COMMIT when the block ends, ROLLBACK (and the error raised again) when it or the COMMIT fails.

    A failed COMMIT is followed by the ROLLBACK too: its "no transaction is active" then carries the commit's
    error as context (leadfunnel.lake tells a DuckLake commit conflict by it).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


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
    on_lake = one_row(con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()")
                      )[0] == "ducklake"
    for sql in model_sql(portable=on_lake):  # a lake refuses key and CHECK constraints
        con.execute(sql)
    refresh_rollups(con)


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


def refresh_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables from the stored data, in order: queries/rollups files numbered up to
    ACTIVITY_ROLLUP_AFTER (lead numbers, event types, lead events), the per-lead activity rollup
    (leadfunnel.activity_rollup, from the lead events), then the other files. Every write calls this."""
    from leadfunnel import activity_rollup  # numpy and Polars: loaded only by what writes

    _register_account_key(con)
    files = sorted(ROLLUP_DIR.glob("*.sql"))
    for rollup_file in (f for f in files if f.name < ACTIVITY_ROLLUP_AFTER):
        con.execute(read_sql(rollup_file))
    activity_rollup.build(con)
    for rollup_file in (f for f in files if f.name >= ACTIVITY_ROLLUP_AFTER):
        con.execute(read_sql(rollup_file))


def derived_table(rollup_file: Path) -> str:
    """The table a queries/rollups file builds: its name without the order number (`03_lead_events.sql`)."""
    return re.sub(r"^\d+_", "", rollup_file.stem)


def _register_account_key(con: duckdb.DuckDBPyConnection) -> None:
    """accounts.account_keys as the SQL function account_key(account_id, company) on this connection (NFKC and the
    legal forms are Python's: DuckDB has no NFKC)."""
    if one_row(con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'account_key'"))[0]:
        return  # registered by another cursor of this database: functions are shared by them
    con.create_function("account_key", account_keys, [duckdb.sqltype("VARCHAR")] * 2, duckdb.sqltype("VARCHAR"),
                        type=PythonUDFType.ARROW, null_handling=FunctionNullHandling.SPECIAL, side_effects=False)


def upgrade(con: duckdb.DuckDBPyConnection, path: Path | str) -> bool:
    """Bring a file of an older schema version up to this one, in one transaction; True if it changed.

    Every model change so far only adds tables, views and macros (the model files use IF NOT EXISTS
    and OR REPLACE), so an upgrade re-applies the model and keeps every stored row. A future change
    that reshapes stored data needs its own step here.
    """
    found = schema_version(con)
    if found is None or found > SCHEMA_VERSION:
        check_schema(con, path)
    if found is None or found == SCHEMA_VERSION:  # None: refused by check_schema above
        return False
    with transaction(con):
        for version, (table, steps) in sorted(MIGRATIONS.items()):
            if found < version and _has_table(con, table):
                con.execute(steps)
        _apply_model(con)  # ends with refresh_rollups: derived tables are rebuilt (9: account_key; 12: before_sql_…)
        con.execute("UPDATE meta SET value = $v WHERE key = 'schema_version'", {"v": str(SCHEMA_VERSION)})
    return True


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return one_row(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $name AND schema_name = 'main' "
                               "AND database_name = current_database()", {"name": name}))[0] > 0


def stored_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables that hold data (not the ones the model rebuilds: funnel_stages, rollups)."""
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' ORDER BY table_name").fetchall()
    derived = derived_tables()
    return [name for (name,) in rows if name not in derived]


def derived_tables() -> set[str]:
    """The tables the model and every write rebuild from the stored data (never backed up or exported as data)."""
    return {"funnel_stages", "lead_activity_rollup", *(derived_table(f) for f in ROLLUP_DIR.glob("*.sql"))}


def read_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value from the meta table, or None when the file has no such key (or no meta table)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = $key", {"key": key}).fetchone()
    except (duckdb.CatalogException, duckdb.BinderException, duckdb.ConversionException):
        return None  # no meta table, or another application's table of that name
    return None if not row or row[0] is None else str(row[0])


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version; None when it has none or it is not a whole number (`contents` says which)."""
    value = read_meta(con, "schema_version")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def contents(con: duckdb.DuckDBPyConnection) -> Contents:
    """What a file holds, looked at before anything is written to it.

    empty: no tables or views at all (a new DuckDB file: safe to initialise); foreign: tables but no
    leadfunnel meta with a schema version (another application's file); unreadable_version: a schema
    version that is not a whole number; leadfunnel: a version to compare with SCHEMA_VERSION.
    """
    value = read_meta(con, "schema_version")
    if value is not None:
        return "leadfunnel" if schema_version(con) is not None else "unreadable_version"
    objects = one_row(con.execute(
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal) "
        "+ (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND NOT internal)"
    ))[0]
    return "empty" if objects == 0 else "foreign"


def refuse_unusable(con: duckdb.DuckDBPyConnection, location: Path | str) -> None:
    """Refuse another application's file, or one whose schema version cannot be read, before any write."""
    found = contents(con)
    if found == "foreign":
        raise ForeignDatabase("database.foreign", location=str(location))
    if found == "unreadable_version":
        raise ForeignDatabase("database.unreadable_version", location=str(location),
                              value=read_meta(con, "schema_version"))


def prepare_for_import(con: duckdb.DuckDBPyConnection, location: Path | str) -> None:
    """Make the writer's copy ready for an import, or refuse it untouched.

    An empty file gets the model (kind user); a file of an older schema is upgraded; another
    application's file, an unreadable schema version, the demo database and any unknown kind are refused.
    """
    refuse_unusable(con, location)
    if contents(con) == "empty":
        initialise(con, kind="user")
        return
    kind = read_meta(con, "kind")
    if kind == "demo":
        raise ForeignDatabase("database.demo_import", location=str(location))
    if kind not in KINDS:
        raise ForeignDatabase("database.unknown_kind", location=str(location), kind=kind or "(none)")
    upgrade(con, location)


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever the data changes; part of every result-cache key."""
    return read_meta(con, "data_version") or "none"


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE meta SET value = $d WHERE key = 'data_version'", {"d": uuid.uuid4().hex})


def check_schema(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Refuse a file of another schema version (or another application's) with instructions, never
    rebuild over it."""
    refuse_unusable(con, path)
    found = schema_version(con)
    if found != SCHEMA_VERSION:
        newer = (found or 0) > SCHEMA_VERSION
        raise SchemaVersionError("schema.newer" if newer else "schema.other", location=str(path),
                                 found="–" if found is None else found, reads=SCHEMA_VERSION)
