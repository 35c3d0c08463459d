"""Reading the canonical CSV files (`leads.csv`, `activities.csv`, `feedback.csv`) with validation.

Every bad value is reported with file, line and column; if any row is bad nothing is written.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from leadfunnel.ingest.errors import ImportRejected, RowProblem
from leadfunnel.ingest.store import TABLE_SCHEMAS, ImportLogEntry, WriteSummary, write_tables
from leadfunnel.ingest.timestamps import parse_timestamps
from leadfunnel.model import FEEDBACK_VERDICTS

REQUIRED: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at"),
    "activities": ("lead_id", "occurred_at", "activity_type"),
    "feedback": ("lead_id", "at", "verdict"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {"leads": ("job_title",), "activities": (), "feedback": ()}
UNKNOWN_CHANNEL = "unknown"
CANONICAL_NAMES = frozenset({"leads.csv", "activities.csv", "feedback.csv"})
_LINE = "__line"


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
