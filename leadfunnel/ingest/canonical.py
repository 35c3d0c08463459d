"""Reading the canonical CSV files (`leads.csv`, `activities.csv`, `feedback.csv`) with validation.

Every bad value is reported with file, line and column; if any row is bad nothing is written.

The files are read, typed and checked inside DuckDB (`read_csv` into a temporary staging table, then
SQL checks), so 20M activities stream through bounded memory and never become Python objects. The
common timestamp and number forms are parsed in SQL; any other text (Japanese dates, US dates, zones,
…) goes, once per distinct value, through the same Polars parser as tool exports. A file DuckDB's reader
refuses (not UTF-8, malformed CSV) is read with Polars instead, which says why, line by line.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from leadfunnel.ingest.errors import ImportRejected, RowProblem, UnknownLeadActivities
from leadfunnel.ingest.store import TABLE_SCHEMAS, ImportLogEntry, WriteSummary, write_incoming, write_tables
from leadfunnel.ingest.timestamps import parse_timestamps
from leadfunnel.model import FEEDBACK_VERDICTS

REQUIRED: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at"),
    "activities": ("lead_id", "occurred_at", "activity_type"),
    "feedback": ("lead_id", "at", "verdict"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {"leads": ("job_title",), "activities": (), "feedback": ()}
UNKNOWN_CHANNEL = "unknown"
# DuckDB memory during an import (LEADFUNNEL_IMPORT_MEMORY_LIMIT): at 1M leads / 20M activities the
# process then peaks at about 2.5 GiB instead of 4.6 GiB, for a few seconds of spilling.
IMPORT_MEMORY_LIMIT = os.environ.get("LEADFUNNEL_IMPORT_MEMORY_LIMIT", "2GB")
CANONICAL_NAMES = frozenset({"leads.csv", "activities.csv", "feedback.csv"})
_LINE = "__line"
_LINE_OF = "rowid + 2"  # a staged row's line in its file: header on line 1, rows in file order
_NOT_A_TIMESTAMP = "not a date or timestamp (YYYY-MM-DD[ HH:MM[:SS]])"
# What Polars' strip_chars() strips (Unicode White_Space), so SQL trims exactly like the Polars reader.
_BLANK = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_BLANK_CODES = ", ".join(str(ord(c)) for c in _BLANK)  # integers of this module, not data
# Forms parsed in SQL (timestamps: YYYY-MM-DD[ HH:MM[:SS]] by length; plain decimals); they parse
# identically in Polars. Everything else takes the Polars parser.
_NUMBER_SHAPE = r"[+-]?\d+(\.\d+)?"


@dataclass(frozen=True)
class CanonicalFile:
    table: str
    path: Path
    rows: pl.DataFrame  # typed, in the table's schema, plus the source line number


def table_of(path: Path) -> str:
    """Which table a canonical file feeds, from its name (`leads.csv` → leads)."""
    table = path.stem.lower()
    if table not in TABLE_SCHEMAS:
        raise ValueError(f"{path.name}: a canonical file is named leads.csv, activities.csv or feedback.csv")
    return table


def read_canonical(path: Path) -> tuple[CanonicalFile, list[RowProblem]]:
    """Parse and type one canonical CSV; returns the rows and the problems found (never raises on data)."""
    table = table_of(path)
    schema = TABLE_SCHEMAS[table]
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        return _empty(table, path), [RowProblem(name, line, "-", None, "not UTF-8 text")]
    try:
        raw = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        return _empty(table, path), [RowProblem(name, 1, "-", None, f"not a readable CSV: {error}")]

    raw = raw.with_columns(pl.lit(None, pl.String).alias(c) for c in OPTIONAL[table] if c not in raw.columns)
    missing = [column for column in schema if column not in raw.columns]
    if missing:
        return _empty(table, path), [
            RowProblem(name, 1, column, None, "column missing from the header") for column in missing
        ]

    raw = raw.select(list(schema)).with_row_index(_LINE, offset=2)
    raw = raw.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in schema)
    typed = raw.with_columns(_typed(column, dtype) for column, dtype in schema.items())
    if table == "leads":
        typed = typed.with_columns(pl.col("channel").fill_null(UNKNOWN_CHANNEL))
    problems = _problems(name, table, raw, typed)
    return CanonicalFile(table, path, typed), problems


def import_canonical(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> WriteSummary:
    """Validate all files, then write them in one transaction; raise ImportRejected if any row is bad."""
    paths = [Path(path) for path in paths]
    tables: dict[str, Path] = {}
    for path in paths:
        table = table_of(path)
        if table in tables:
            raise ValueError(f"two files for table {table}: {tables[table]} and {path}")
        tables[table] = path
    with _bounded_memory(con), ThreadPoolExecutor(max_workers=1) as hashing:  # digest taken while DuckDB reads
        digest = hashing.submit(_sha256, paths)
        staged: dict[str, str] = {}
        try:
            problems: list[RowProblem] = []
            for table, path in tables.items():
                found = _stage(con, table, path)
                if found is None:
                    return _import_with_polars(con, paths)
                staged[table], file_problems = found
                problems += file_problems
            # Activities of unknown leads are found by the write itself (UnknownLeadActivities, from the rollup's
            # join): a second pass over 20M rows here cost 2 s. Feedback is small; a failing file gets every row.
            feedback_without_lead = _unknown_staged_leads(con, tables, staged, ("feedback",))
            if problems or feedback_without_lead:
                raise ImportRejected(problems + _unknown_staged_leads(con, tables, staged, ("activities",))
                                     + feedback_without_lead)
            for table, name in staged.items():
                columns = ", ".join(f'"{c}"' for c in TABLE_SCHEMAS[table])
                con.execute(f"CREATE OR REPLACE TEMP VIEW incoming_{table} AS SELECT {columns} FROM {name}")
            rows = sum(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in staged.values())
            log = ImportLogEntry(", ".join(p.name for p in paths), digest.result(), "canonical", rows, 0)
            try:
                return write_incoming(con, staged, log)
            except UnknownLeadActivities:  # rolled back: report the rows
                if rows_without_lead := _unknown_staged_leads(con, tables, staged, ("activities",)):
                    raise ImportRejected(rows_without_lead) from None
                raise  # none of this import's rows: activities stored earlier lack their lead (changed by hand)
        finally:
            for table, name in staged.items():
                con.execute(f"DROP VIEW IF EXISTS incoming_{table}")
                con.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def _bounded_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's memory_limit at IMPORT_MEMORY_LIMIT for the import, then back to what it was.

    With its default (80% of RAM) DuckDB keeps the staged 20M rows, the dedupe and the rollup's hash
    tables all in memory (4.6 GiB peak); with a limit it spills to its temporary directory instead. A
    connection with a lower limit, or locked settings (database.lock_down), is left as it is.
    """
    limit, locked = con.execute("SELECT current_setting('memory_limit'), current_setting('lock_configuration')"
                                ).fetchone()
    if locked or _bytes(con, limit) <= _bytes(con, IMPORT_MEMORY_LIMIT):
        yield
        return
    con.execute("SET memory_limit = $limit", {"limit": IMPORT_MEMORY_LIMIT})
    try:
        yield
    finally:
        con.execute("SET memory_limit = $limit", {"limit": limit})


def _bytes(con: duckdb.DuckDBPyConnection, size: str) -> int:
    return con.execute("SELECT parse_formatted_bytes($size)", {"size": size}).fetchone()[0]


def _sha256(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as file:
            while chunk := file.read(1 << 22):
                digest.update(chunk)
    return digest.hexdigest()


def _stage(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> tuple[str, list[RowProblem]] | None:
    """Read one file into a typed temporary table `canonical_<table>` and check it.

    Returns the table and the file's problems (sorted by line and column), or None when DuckDB cannot
    read the file as UTF-8 CSV.
    """
    name, schema = f"canonical_{table}", TABLE_SCHEMAS[table]
    source = ("read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
              "strict_mode = true, null_padding = false, ignore_errors = false)")
    try:
        header = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0", {"path": str(path)}).description]
        missing = [c for c in schema if c not in header and c not in OPTIONAL[table]]
        if missing:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT NULL::VARCHAR AS lead_id LIMIT 0")
            return name, [RowProblem(path.name, 1, column, None, "column missing from the header")
                          for column in missing]
        con.execute(_staging_sql(name, table, header, source), _staging_params(table, path))
    except duckdb.Error:
        return None
    _parse_the_rest(con, name, table)
    return name, _staged_problems(con, name, table, path.name)


def _staging_sql(name: str, table: str, header: list[str], source: str) -> str:
    """CREATE TEMP TABLE … AS: each column trimmed and typed; for a typed column also `<column>__text`, its
    text where the SQL parse did not succeed (else NULL).

    The rows keep the file's order (insertion order is preserved), so a row's line is `rowid + 2`
    (`_LINE_OF`): numbering them with a window function would cost a third of the staging pass.
    """
    schema = TABLE_SCHEMAS[table]
    typed_columns = _typed_columns(table)  # trimmed later, with the Polars parser, if the SQL parse fails
    texts = ", ".join((f'"{c}"' if c in typed_columns else _trimmed(f'"{c}"')) + f' AS "{c}"' if c in header
                      else f'NULL::VARCHAR AS "{c}"' for c in schema)
    parsed, typed, kept = [], [], []
    for column, dtype in schema.items():
        quoted = f'"{column}"'
        if dtype == pl.Datetime("us"):
            parsed.append(f"CASE length({quoted}) WHEN 19 THEN try_strptime({quoted}, $seconds) "
                          f"WHEN 16 THEN try_strptime({quoted}, $minutes) WHEN 10 THEN try_strptime({quoted}, $day) "
                          f'END AS "{column}__value"')
        elif dtype == pl.Float64:
            plain = f"replace({quoted}, ',', '')"
            parsed.append(f"CASE WHEN regexp_full_match({plain}, $number_shape) THEN CAST({plain} AS DOUBLE) END "
                          f'AS "{column}__value"')
        else:
            typed.append(f"coalesce({quoted}, $unknown_channel) AS {quoted}" if column == "channel" else quoted)
            continue
        typed.append(f'"{column}__value" AS {quoted}')
        kept.append(f'CASE WHEN "{column}__value" IS NULL THEN {quoted} END AS "{column}__text"')
    return (f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"WITH raw AS (SELECT {texts} FROM {source}), "
            f"parsed AS (SELECT *, {', '.join(parsed) or 'NULL AS __none'} FROM raw) "
            f"SELECT {', '.join(typed + kept)} FROM parsed")


def _trimmed(column: str) -> str:
    """Whitespace stripped at both ends and empty as NULL; trim() (slow) only runs when an end is blank."""
    ends = f"ascii({column}) IN ({_BLANK_CODES}) OR ascii({column}[-1]) IN ({_BLANK_CODES})"
    return f"nullif(CASE WHEN {ends} THEN trim({column}, $blank) ELSE {column} END, '')"


def _staging_params(table: str, path: Path) -> dict[str, object]:
    kinds = set(TABLE_SCHEMAS[table].values())
    params: dict[str, object] = {"path": str(path), "blank": _BLANK}
    if pl.Datetime("us") in kinds:
        params |= {"seconds": "%Y-%m-%d %H:%M:%S", "minutes": "%Y-%m-%d %H:%M", "day": "%Y-%m-%d"}
    if pl.Float64 in kinds:
        params["number_shape"] = _NUMBER_SHAPE
    if table == "leads":
        params["unknown_channel"] = UNKNOWN_CHANNEL
    return params


def _parse_the_rest(con: duckdb.DuckDBPyConnection, name: str, table: str) -> None:
    """Text the SQL parse left (padded, other date forms, numbers with a sign or exponent): stripped and parsed
    by Polars as in `read_canonical`, once per distinct value; blank text becomes empty (NULL)."""
    for column in _typed_columns(table):
        texts = con.execute(f'SELECT DISTINCT "{column}__text" AS text FROM {name} '
                            f'WHERE "{column}__text" IS NOT NULL').pl()
        if texts.is_empty():
            continue
        stripped = texts.with_columns(pl.col("text").str.strip_chars().replace("", None).alias(column))
        parsed = stripped.select("text", pl.col(column).alias("stripped"),
                                 _typed(column, TABLE_SCHEMAS[table][column]).alias("value"))
        con.register("parsed_text", parsed)  # on this connection: the staging table is temporary to it
        try:
            con.execute(f'UPDATE {name} SET "{column}" = p.value, "{column}__text" = p.stripped '
                        f'FROM parsed_text AS p WHERE {name}."{column}__text" = p.text')
        finally:
            con.unregister("parsed_text")


def _staged_problems(con: duckdb.DuckDBPyConnection, name: str, table: str, file: str) -> list[RowProblem]:
    """The same checks as the Polars reader (`_problems`), as one query over the staging table."""
    schema = TABLE_SCHEMAS[table]
    checks: list[str] = []
    params: dict[str, object] = {}

    def check(condition: str, column: str, value: str, reason: str) -> None:
        key = f"reason_{len(checks)}"
        params[key] = reason
        checks.append(f"SELECT {_LINE_OF} AS line, '{column}' AS col, {value} AS value, ${key} AS reason "
                      f"FROM {name} WHERE {condition}")

    for column in REQUIRED[table]:
        empty = f'"{column}" IS NULL' + (f' AND "{column}__text" IS NULL' if column in _typed_columns(table) else "")
        check(empty, column, "NULL::VARCHAR", "required value is empty")
    for column in _typed_columns(table):
        reason = _NOT_A_TIMESTAMP if schema[column] == pl.Datetime("us") else "not a number"
        check(f'"{column}__text" IS NOT NULL AND "{column}" IS NULL', column, f'"{column}__text"', reason)
    if table == "leads":
        check(f"lead_id IN (SELECT lead_id FROM {name} GROUP BY lead_id HAVING count(*) > 1)", "lead_id",
              "lead_id", "lead_id appears twice in this file")
    if table == "feedback":
        params["verdicts"] = list(FEEDBACK_VERDICTS)
        check("verdict IS NOT NULL AND NOT list_contains($verdicts, verdict)", "verdict", "verdict",
              "verdict must be accepted or rejected")
    rows = con.execute(" UNION ALL ".join(checks) + " ORDER BY line, col", params).fetchall()
    return [RowProblem(file, line, column, value, reason) for line, column, value, reason in rows]


def _typed_columns(table: str) -> list[str]:
    return [c for c, dtype in TABLE_SCHEMAS[table].items() if dtype in (pl.Datetime("us"), pl.Float64)]


def _unknown_staged_leads(con: duckdb.DuckDBPyConnection, tables: dict[str, Path], staged: dict[str, str],
                          kinds: Sequence[str]) -> list[RowProblem]:
    """Rows of these tables (activities, feedback) must belong to a lead stored already or imported with them."""
    problems: list[RowProblem] = []
    for table in kinds:
        if table not in staged:
            continue
        incoming = (f" ANTI JOIN {staged['leads']} AS incoming ON incoming.lead_id = r.lead_id"
                    if "leads" in staged else "")
        orphans = con.execute(
            f"SELECT r.{_LINE_OF} AS line, r.lead_id FROM {staged[table]} AS r ANTI JOIN leads USING (lead_id)"
            f"{incoming} WHERE r.lead_id IS NOT NULL ORDER BY line").fetchall()
        problems += [RowProblem(tables[table].name, line, "lead_id", lead_id,
                                "no such lead (not stored, not in leads.csv)") for line, lead_id in orphans]
    return problems


def _import_with_polars(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> WriteSummary:
    """The import of files DuckDB cannot read: Polars reads them and reports exactly what is wrong."""
    files: dict[str, CanonicalFile] = {}
    problems: list[RowProblem] = []
    for path in paths:
        parsed, found = read_canonical(Path(path))
        if parsed.table in files:
            raise ValueError(f"two files for table {parsed.table}: {files[parsed.table].path} and {path}")
        files[parsed.table] = parsed
        problems += found
    problems += _unknown_leads(con, files)
    if problems:
        raise ImportRejected(problems)
    frames = {table: parsed.rows.drop(_LINE) for table, parsed in files.items()}
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    log = ImportLogEntry(", ".join(Path(p).name for p in paths), digest.hexdigest(), "canonical",
                         sum(f.height for f in frames.values()), 0)
    return write_tables(con, leads=frames.get("leads"), activities=frames.get("activities"),
                        feedback=frames.get("feedback"), log=log)


def _empty(table: str, path: Path) -> CanonicalFile:
    return CanonicalFile(table, path, pl.DataFrame(schema={**TABLE_SCHEMAS[table], _LINE: pl.UInt32}))


def _typed(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Datetime("us"):
        return pl.col(column).map_batches(parse_timestamps, return_dtype=pl.Datetime("us")).alias(column)
    if dtype == pl.Float64:
        return pl.col(column).str.replace_all(",", "").cast(pl.Float64, strict=False).alias(column)
    return pl.col(column)


def _problems(name: str, table: str, raw: pl.DataFrame, typed: pl.DataFrame) -> list[RowProblem]:
    problems: list[RowProblem] = []
    schema = TABLE_SCHEMAS[table]

    def report(mask: pl.Series, column: str, reason: str) -> None:
        for line, value in raw.filter(mask).select(_LINE, column).iter_rows():
            problems.append(RowProblem(name, line, column, value, reason))

    for column in REQUIRED[table]:
        report(raw[column].is_null(), column, "required value is empty")
    for column, dtype in schema.items():
        if dtype in (pl.Datetime("us"), pl.Float64):
            kind = "a date or timestamp (YYYY-MM-DD[ HH:MM[:SS]])" if dtype != pl.Float64 else "a number"
            report(raw[column].is_not_null() & typed[column].is_null(), column, f"not {kind}")
    if table == "leads":
        duplicated = raw["lead_id"].is_duplicated() & raw["lead_id"].is_not_null()
        report(duplicated, "lead_id", "lead_id appears twice in this file")
    if table == "feedback":
        bad_verdict = raw["verdict"].is_not_null() & ~raw["verdict"].is_in(FEEDBACK_VERDICTS)
        report(bad_verdict, "verdict", "verdict must be accepted or rejected")
    return sorted(problems, key=lambda p: (p.line, p.column))


def _unknown_leads(con: duckdb.DuckDBPyConnection, files: dict[str, CanonicalFile]) -> list[RowProblem]:
    """Activity and feedback rows must belong to a lead stored already or imported with them."""
    no_leads = pl.DataFrame(schema={"lead_id": pl.String})
    incoming = files["leads"].rows.select("lead_id") if "leads" in files else no_leads
    problems: list[RowProblem] = []
    for table in ("activities", "feedback"):
        if table not in files:
            continue
        rows = files[table].rows.filter(pl.col("lead_id").is_not_null()).select(_LINE, "lead_id")
        cursor = con.cursor()
        try:
            cursor.register("rows_to_check", rows)
            cursor.register("incoming_ids", incoming)
            orphans = cursor.execute(
                "SELECT r.__line, r.lead_id FROM rows_to_check r "
                "ANTI JOIN leads USING (lead_id) ANTI JOIN incoming_ids USING (lead_id) ORDER BY r.__line"
            ).fetchall()
        finally:
            cursor.close()
        problems += [
            RowProblem(files[table].path.name, line, "lead_id", lead_id,
                       "no such lead (not stored, not in leads.csv)")
            for line, lead_id in orphans
        ]
    return problems
