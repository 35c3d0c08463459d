"""Reading the canonical CSV files (`leads.csv`, `activities.csv`, `feedback.csv`, `spend.csv`) with validation.

Every bad value is reported with file, physical line, column and value; if any row is bad nothing is
written (unless the user accepts leaving the bad rows out). `check_canonical` only reads; `commit_canonical`
writes what was checked, in one transaction.

The files are read, typed and checked inside DuckDB (`read_csv` into a temporary staging table, then
SQL checks), so 20M activities stream through bounded memory and never become Python objects: reading and
typing a file is leadfunnel.ingest.canonical_staging, checking its values leadfunnel.ingest.canonical_checks;
this module runs both, looks for rows whose lead is not there and hands the rest to the one write path
(leadfunnel.ingest.write).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import duckdb

from leadfunnel.database import one_row
from leadfunnel.ingest.canonical_checks import NORMALISED, check_staged
from leadfunnel.ingest.canonical_staging import CanonicalCheck, scan, stage, utf8_copy
from leadfunnel.ingest.errors import NO_SUCH_LEAD, ImportRejected, RowProblem, UnknownLeadActivities
from leadfunnel.ingest.readers import UnreadableFile, check_encoding, checked_delimiter
from leadfunnel.ingest.timestamps import DATA_TIMEZONE, check_zone
from leadfunnel.ingest.write import (
    ImportLogEntry,
    WriteSummary,
    count_incoming_leads,
    rows_without_lead,
    write_incoming,
)
from leadfunnel.model import TABLE_SCHEMAS

# DuckDB memory during an import (LEADFUNNEL_IMPORT_MEMORY_LIMIT): at 1M leads / 20M activities the
# process then peaks at about 2.5 GiB instead of 4.6 GiB, for a few seconds of spilling.
IMPORT_MEMORY_LIMIT = os.environ.get("LEADFUNNEL_IMPORT_MEMORY_LIMIT", "2GB")
CANONICAL_NAMES = frozenset({"leads.csv", "activities.csv", "feedback.csv", "spend.csv"})


def is_canonical(paths: Sequence[Path]) -> bool:
    """Files named like the canonical tables (any case): read by this module rather than through a preset."""
    return bool(paths) and all(Path(p).name.lower() in CANONICAL_NAMES for p in paths)


def table_of(path: Path) -> str:
    """Which table a canonical file feeds, from its name (`leads.csv` → leads)."""
    table = path.stem.lower()
    if table not in TABLE_SCHEMAS:
        raise UnreadableFile("import.canonical_name", file=path.name)
    return table


def import_canonical(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, encoding: str | None = None,
                     delimiter: str | None = None, zone: str = DATA_TIMEZONE,
                     accept_valid: bool = False) -> WriteSummary:
    """Validate all files, then write them in one transaction; raise ImportRejected if any row is bad (and the
    bad rows were not accepted to be left out)."""
    with check_canonical(con, paths, encoding=encoding, delimiter=delimiter, zone=zone) as checked:
        return commit_canonical(con, checked, accept_valid=accept_valid)


@contextmanager
def check_canonical(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, encoding: str | None = None,
                    delimiter: str | None = None, zone: str = DATA_TIMEZONE) -> Iterator[CanonicalCheck]:
    """Stage and check the files without writing anything (the connection may be read-only).

    Inside the block the relations `incoming_<table>` hold the rows that would be written (bad rows left out).
    """
    separator = checked_delimiter(delimiter) or ","
    wanted_encoding = check_encoding(encoding) if encoding else None
    check_zone(zone)
    files: dict[str, Path] = {}
    for path in map(Path, paths):
        table = table_of(path)
        if table in files:
            raise UnreadableFile("import.two_files_for_table", table=table, first=files[table].name, second=path.name)
        files[table] = path
    staged: dict[str, str] = {}
    with (_bounded_memory(con), tempfile.TemporaryDirectory(prefix="leadfunnel-import-") as scratch,
          ThreadPoolExecutor(max_workers=1) as scanning):
        scanned = scanning.submit(scan, list(files.values()))  # digest and control bytes, while DuckDB reads
        try:
            readable: dict[str, Path] = {}
            encodings: dict[str, str] = {}
            for table, path in files.items():
                readable[table], encodings[table] = utf8_copy(path, Path(scratch), wanted_encoding)
            checked = CanonicalCheck(files, readable, encodings, separator, "", staged)
            for table in files:
                staged[table] = f"canonical_{table}"
                stage(con, checked, table, Path(scratch), zone)
            checked.digest, has_control = scanned.result()  # the scan ran while DuckDB read the files
            for table, path in files.items():
                if table in checked.lines:  # read: check its values
                    check_staged(con, checked, table, has_control[path])
            checked.problems += _rows_without_lead(con, checked, "feedback")  # small: looked up here
            if checked.problems:  # activities' are found by the write itself, unless the import fails anyway
                checked.problems += _rows_without_lead(con, checked, "activities")
            checked.problems.sort(key=lambda p: (p.file, p.line, p.column))
            _incoming_views(con, checked)
            if "leads" in staged:
                checked.leads_new, checked.leads_updated, checked.leads_unchanged = count_incoming_leads(con)
            yield checked
        finally:
            for table, name in staged.items():
                con.execute(f"DROP VIEW IF EXISTS incoming_{table}")
                con.execute(f"DROP TABLE IF EXISTS rejected_{table}")
                con.execute(f"DROP TABLE IF EXISTS {name}")


def _incoming_views(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck) -> None:
    """`incoming_<table>`: the staged rows in the table's column order, less blank and refused rows."""
    for table, name in checked.staged.items():
        file = checked.files[table].name
        records = sorted({p.record for p in checked.problems if p.file == file and p.record is not None})
        columns = ", ".join(NORMALISED[table, c].format(c=f'"{c}"') + f' AS "{c}"' if (table, c) in NORMALISED
                            else f'"{c}"' for c in TABLE_SCHEMAS[table])
        con.execute(f"CREATE OR REPLACE TEMP TABLE rejected_{table} AS SELECT unnest($records::BIGINT[]) AS record",
                    {"records": records})
        con.execute(f"CREATE OR REPLACE TEMP VIEW incoming_{table} AS SELECT {columns} FROM {name} "
                    f"WHERE NOT __blank AND rowid NOT IN (SELECT record FROM rejected_{table})")


def commit_canonical(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, *,
                     accept_valid: bool = False) -> WriteSummary:
    """Write the checked files in one transaction: all of them, or with `accept_valid` the valid rows only
    (activities and feedback of leads that are not there are left out too)."""
    if checked.problems and not accept_valid:
        raise ImportRejected(checked.problems)
    if accept_valid:
        _leave_out_rows_without_lead(con, checked)
    rows = sum(checked.rows.values()) - checked.rejected_lines
    log = ImportLogEntry(", ".join(p.name for p in checked.files.values()), checked.digest, "canonical", rows,
                         checked.rejected_lines)
    try:
        return write_incoming(con, checked.staged, log)
    except UnknownLeadActivities:  # rolled back: name the rows
        if rows_without_lead := _rows_without_lead(con, checked, "activities"):
            raise ImportRejected(rows_without_lead) from None
        raise  # none of this import's rows: activities stored earlier lack their lead (changed by hand)


@contextmanager
def _bounded_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's memory_limit at IMPORT_MEMORY_LIMIT for the import, then back to what it was.

    With its default (80% of RAM) DuckDB keeps the staged 20M rows, the dedupe and the rollup's hash
    tables all in memory (4.6 GiB peak); with a limit it spills to its temporary directory instead. A
    connection with a lower limit, or locked settings (database.lock_down), is left as it is.
    """
    limit, locked = one_row(con.execute("SELECT current_setting('memory_limit'), "
                                        "current_setting('lock_configuration')"))
    if locked or _bytes(con, limit) <= _bytes(con, IMPORT_MEMORY_LIMIT):
        yield
        return
    con.execute("SET memory_limit = $limit", {"limit": IMPORT_MEMORY_LIMIT})
    try:
        yield
    finally:
        con.execute("SET memory_limit = $limit", {"limit": limit})


def _bytes(con: duckdb.DuckDBPyConnection, size: str) -> int:
    return int(one_row(con.execute("SELECT parse_formatted_bytes($size)", {"size": size}))[0])


_NO_LEADS = "SELECT NULL::VARCHAR AS lead_id WHERE false"


def _rows_without_lead(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, table: str) -> list[RowProblem]:
    """Rows of `table` whose lead is neither stored nor in this import's leads.csv (a refused row of it included:
    its own problem is reported)."""
    if table not in checked.staged or not checked.rows.get(table):
        return []
    leads = (f"SELECT lead_id FROM {checked.staged['leads']} WHERE NOT __blank" if "leads" in checked.staged
             else _NO_LEADS)
    lines = checked.lines[table]
    return [RowProblem.of(checked.files[table].name, lines(record), "lead_id", lead_id, NO_SUCH_LEAD)
            .with_record(record) for record, lead_id in rows_without_lead(con, _staged_rows(checked, table), leads)]


def _leave_out_rows_without_lead(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck) -> None:
    """With the bad rows left out, activities and feedback of leads that are not there (or refused) are left out
    too."""
    leads = "SELECT lead_id FROM incoming_leads" if "leads" in checked.staged else _NO_LEADS
    for table in ("activities", "feedback"):
        if table in checked.staged:
            records = [record for record, _ in rows_without_lead(con, _staged_rows(checked, table), leads)]
            con.execute(f"INSERT INTO rejected_{table} SELECT unnest($records::BIGINT[])", {"records": records})


def _staged_rows(checked: CanonicalCheck, table: str) -> str:
    return f"SELECT rowid AS record, lead_id FROM {checked.staged[table]} WHERE NOT __blank"
