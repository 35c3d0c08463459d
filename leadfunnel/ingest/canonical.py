"""Reading the canonical CSV files (`leads.csv`, `activities.csv`, `feedback.csv`) with validation.

Every bad value is reported with file, physical line, column and value; if any row is bad nothing is
written (unless the user accepts leaving the bad rows out). `check_canonical` only reads; `commit_canonical`
writes what was checked, in one transaction.

The files are read, typed and checked inside DuckDB (`read_csv` into a temporary staging table, then
SQL checks), so 20M activities stream through bounded memory and never become Python objects. A file in
another encoding (CP932 from Excel, UTF-16) is first converted to UTF-8 beside it, in a temporary folder.
The common timestamp and number forms are parsed in SQL; any other text goes, once per distinct value,
through the rules every import shares (leadfunnel.ingest.values). A file DuckDB cannot split into rows
(a row with more or fewer fields than the header, an unclosed quote) is examined line by line in Python,
which names each such row.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from leadfunnel.i18n import Message
from leadfunnel.ingest.errors import ImportRejected, RowProblem, UnknownLeadActivities
from leadfunnel.ingest.readers import (
    ENCODING_SAMPLE,
    UnreadableFile,
    check_encoding,
    checked_delimiter,
    detect_encoding,
    physical_lines,
    split_rows,
)
from leadfunnel.ingest.store import ImportLogEntry, WriteSummary, count_incoming_leads, write_incoming
from leadfunnel.ingest.timestamps import DATA_TIMEZONE, check_zone, parse_timestamps
from leadfunnel.ingest.values import (
    CONTROL_IN_KEY,
    CONTROL_IN_TEXT,
    SQL_PLAIN_NUMBER,
    date_range,
    parse_numbers,
    range_text,
)
from leadfunnel.model import FEEDBACK_VERDICTS, TABLE_SCHEMAS

REQUIRED: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at"),
    "activities": ("lead_id", "occurred_at", "activity_type"),
    "feedback": ("lead_id", "at", "verdict"),
    "spend": ("month", "channel", "amount"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {"leads": ("job_title", "account_id"), "activities": ("channel", "campaign"),
                                        "feedback": (), "spend": ("campaign",)}
KEY_COLUMNS = frozenset({"lead_id", "channel", "activity_type", "verdict"})  # no control characters at all
STAGE_COLUMNS = ("created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at")
# DuckDB memory during an import (LEADFUNNEL_IMPORT_MEMORY_LIMIT): at 1M leads / 20M activities the
# process then peaks at about 2.5 GiB instead of 4.6 GiB, for a few seconds of spilling.
IMPORT_MEMORY_LIMIT = os.environ.get("LEADFUNNEL_IMPORT_MEMORY_LIMIT", "2GB")
CANONICAL_NAMES = frozenset({"leads.csv", "activities.csv", "feedback.csv", "spend.csv"})
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")
_UTF8 = ("utf-8", "utf-8-sig")


def is_canonical(paths: Sequence[Path]) -> bool:
    """Files named like the canonical tables (any case): read by this module rather than through a preset."""
    return bool(paths) and all(Path(p).name.lower() in CANONICAL_NAMES for p in paths)


def table_of(path: Path) -> str:
    """Which table a canonical file feeds, from its name (`leads.csv` → leads)."""
    table = path.stem.lower()
    if table not in TABLE_SCHEMAS:
        raise UnreadableFile("import.canonical_name", file=path.name)
    return table


@dataclass
class CanonicalCheck:
    """What an import of canonical files would write, and every problem found; the rows wait in staging tables."""

    files: dict[str, Path]  # table → the user's file
    readable: dict[str, Path]  # table → the UTF-8 text DuckDB read (the file itself, or a converted copy)
    encodings: dict[str, str]
    separator: str
    digest: str
    staged: dict[str, str] = field(default_factory=dict)  # table → staging table
    rows: dict[str, int] = field(default_factory=dict)
    lines: dict[str, Callable[[int], int]] = field(default_factory=dict)  # table → record number → physical line
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    leads_new: int = 0
    leads_updated: int = 0
    leads_unchanged: int = 0

    @property
    def rejected_lines(self) -> int:
        return len({(p.file, p.line) for p in self.problems})

    @property
    def valid_leads(self) -> int:
        rejected = len({p.line for p in self.problems if p.file == self.files.get("leads", Path()).name})
        return self.rows.get("leads", 0) - rejected


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
        scan = scanning.submit(_scan, list(files.values()))  # digest and control bytes, while DuckDB reads
        try:
            readable: dict[str, Path] = {}
            encodings: dict[str, str] = {}
            for table, path in files.items():
                readable[table], encodings[table] = _utf8_copy(path, Path(scratch), wanted_encoding)
            checked = CanonicalCheck(files, readable, encodings, separator, "", staged)
            for table in files:
                staged[table] = f"canonical_{table}"
                _stage(con, checked, table, Path(scratch), zone)
            checked.digest, has_control = scan.result()  # the scan ran while DuckDB read the files
            for table, path in files.items():
                if table in checked.lines:  # read: check its values
                    _check_staged(con, checked, table, has_control[path])
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


# A month as spreadsheets write it — 2025-04, 2025/4, 2025-04-01 or 2025/4/1 00:00 (Excel turns 2025-04 into a date
# when it saves), 2025年4月 — as YYYY-MM; NULL when it is none of these. {c} is the quoted column.
_MONTH_NUMBER = r"regexp_extract({c}, '^\d{{4}}\s*[-/.年]\s*(\d{{1,2}})', 1)"
_MONTH_SQL = (r"CASE WHEN regexp_full_match({c}, '\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*月?"
              r"(\s*[-/.]\s*\d{{1,2}}\s*日?)?(\s+\d{{1,2}}:\d{{2}}(:\d{{2}})?)?') "
              f"AND TRY_CAST({_MONTH_NUMBER} AS INTEGER) BETWEEN 1 AND 12 "
              f"THEN left({{c}}, 4) || '-' || lpad({_MONTH_NUMBER}, 2, '0') END")
NORMALISED = {("spend", "month"): _MONTH_SQL}  # columns written in one form whatever the file's


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


def _scan(paths: Sequence[Path]) -> tuple[str, dict[Path, bool]]:
    """One pass over the bytes: the import log's digest, and which files hold control characters at all (only
    those get the per-value check in SQL)."""
    digest = hashlib.sha256()
    control: dict[Path, bool] = {}
    for path in paths:
        found = False
        with path.open("rb") as file:
            while chunk := file.read(1 << 22):
                digest.update(chunk)
                found = found or _CONTROL_BYTES.search(chunk) is not None
        control[path] = found
    return digest.hexdigest(), control


def _utf8_copy(path: Path, scratch: Path, encoding: str | None) -> tuple[Path, str]:
    """The file itself when it is UTF-8, else a UTF-8 copy in `scratch` (streamed: any size); the encoding read."""
    with path.open("rb") as file:
        head = file.read(ENCODING_SAMPLE)
    try:
        used = encoding or detect_encoding(head)
    except UnreadableFile as error:
        raise UnreadableFile("error.in_file", file=path.name, problem=error.message) from None
    if used in _UTF8 or codecs.lookup(used).name == "utf-8":
        return path, used
    copy = scratch / path.name
    decoder = codecs.getincrementaldecoder(used)(errors="strict")
    line = 1
    with path.open("rb") as source, copy.open("w", encoding="utf-8", newline="") as target:
        while True:
            chunk = source.read(1 << 22)
            try:
                target.write(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                raise UnreadableFile("import.bad_encoding", file=path.name, line=line, encoding=used) from None
            if not chunk:
                break
            line += chunk.count(b"\n")
    return copy, used


def _stage(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, table: str, scratch: Path, zone: str) -> None:
    """Read one file into the typed temporary table `canonical_<table>` (problems of its structure go to
    `checked`; its values are checked by `_check_staged`)."""
    name, file, path = checked.staged[table], checked.files[table].name, checked.readable[table]
    checked.rows[table] = 0
    try:
        _read_into(con, name, table, path, checked.separator)
        checked.lines[table] = _LineMap(path, checked.separator)
    except _HeaderProblems as header:
        _create_empty(con, name, table)
        checked.problems += header.problems
        return
    except duckdb.Error as error:  # rows DuckDB cannot split: read again in Python, which says which and why
        _create_empty(con, name, table)
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as bad:  # the whole file is in another encoding than the one chosen
            line = data[: bad.start].count(b"\n") + 1
            raise UnreadableFile("import.bad_encoding", file=file, line=line,
                                 encoding=checked.encodings[table]) from None
        header, rows, lines, problems = split_rows(text, checked.separator, file)
        if problems:
            checked.problems += problems
            return
        normalised = scratch / f"normalised-{table}.csv"  # e.g. lone CR line ends: written plainly, read again
        with normalised.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, lineterminator="\n").writerows([header, *rows])
        try:
            _read_into(con, name, table, normalised, ",")
        except (duckdb.Error, _HeaderProblems):
            _create_empty(con, name, table)
            detail = str(error).splitlines()[0].removeprefix("Invalid Input Error: ")[:200]
            checked.problems.append(RowProblem.of(file, 1, "-", None, "import.not_a_csv", detail=detail))
            return
        checked.lines[table] = lambda record: lines[record] if record < len(lines) else record + 2
    checked.rows[table] = con.execute(f"SELECT count(*) FROM {name} WHERE NOT __blank").fetchone()[0]
    _parse_the_rest(con, name, table, zone)


def _check_staged(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, table: str, has_control: bool) -> None:
    """Every value check of a staged file; problems and warnings by physical line."""
    found, warnings = _staged_problems(con, checked.staged[table], table, checked.files[table].name, has_control)
    lines_of = checked.lines[table]
    checked.problems += [problem.at_line(lines_of(problem.record)) for problem in found]
    checked.warnings += [warning.at_line(lines_of(warning.record)) for warning in warnings]


def _create_empty(con: duckdb.DuckDBPyConnection, name: str, table: str) -> None:
    """A staging table with no rows, for a file that could not be read (so the rest of the check runs as usual)."""
    columns = ", ".join(f'NULL::{_SQL_TYPES[dtype]} AS "{column}"' for column, dtype in TABLE_SCHEMAS[table].items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {columns}, false AS __blank LIMIT 0")


_SQL_TYPES = {pl.String(): "VARCHAR", pl.Datetime("us"): "TIMESTAMP", pl.Float64(): "DOUBLE"}


class _HeaderProblems(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems


def _read_into(con: duckdb.DuckDBPyConnection, name: str, table: str, path: Path, separator: str) -> None:
    source = ("read_csv($path, header = true, all_varchar = true, delim = $delim, quote = '\"', escape = '\"', "
              "strict_mode = true, null_padding = false, ignore_errors = false)")
    raw_header = _first_record(path, separator)
    if problems := _header_problems(f"{table}.csv" if path.name.startswith("normalised-") else path.name, table,
                                    raw_header):
        raise _HeaderProblems(problems)
    header = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0",
                                        {"path": str(path), "delim": separator}).description]
    if header != [column.strip().removeprefix("\ufeff") for column in raw_header]:
        # DuckDB's sniffer took another row for the header (rows of other lengths): read it the careful way
        raise duckdb.InvalidInputException("the rows do not all have the header's number of fields")
    con.execute(_staging_sql(name, table, header, source), _staging_params(table, path, separator))


def _first_record(path: Path, separator: str) -> list[str]:
    """The header as the file writes it (DuckDB renames a repeated name `amount_1`, so it cannot tell)."""
    with path.open("rb") as file:
        head = file.read(1 << 20).decode("utf-8-sig", errors="ignore")
    for record in csv.reader(io.StringIO(head, newline=""), delimiter=separator, quotechar='"'):
        if any(cell.strip() for cell in record):
            return record
    return []


def _header_problems(file: str, table: str, header: list[str]) -> list[RowProblem]:
    names = [column.strip().removeprefix("\ufeff") for column in header]
    duplicated = sorted({column for column in names if names.count(column) > 1})
    missing = [c for c in TABLE_SCHEMAS[table] if c not in names and c not in OPTIONAL[table]]
    return ([RowProblem.of(file, 1, column, None, "import.duplicate_column") for column in duplicated]
            + [RowProblem.of(file, 1, column, None, "import.column_missing") for column in missing])


class _LineMap:
    """Staged record number → physical line. DuckDB skips blank lines and reads quoted line breaks, so the plain
    `record + 2` holds only for files without either; others are counted in Python, once, when a problem needs
    its line (the error path: a clean import never reads the file a second time)."""

    def __init__(self, path: Path, separator: str) -> None:
        self.path, self.separator = path, separator
        self.starts: list[int] | None = None

    def __call__(self, record: int) -> int:
        if self.starts is None:
            data = self.path.read_bytes()
            plain = b'"' not in data and b"\n\n" not in data and b"\r" not in data
            self.starts = [] if plain else list(physical_lines(data.decode("utf-8-sig"), self.separator,
                                                               every_record=True))
        return self.starts[record] if record < len(self.starts) else record + 2


def _staging_sql(name: str, table: str, header: list[str], source: str) -> str:
    """CREATE TEMP TABLE … AS: each column trimmed and typed; for a typed column also `<column>__text`, its
    text where the SQL parse did not succeed (else NULL); `__blank` for a row whose every field is empty.

    The rows keep the file's order (insertion order is preserved), so a row's record number is its rowid:
    numbering them with a window function would cost a third of the staging pass.
    """
    schema = TABLE_SCHEMAS[table]
    typed_columns = _typed_columns(table)  # trimmed later, with the Python rules, if the SQL parse fails
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
            parsed.append(f"CASE WHEN regexp_full_match({quoted}, $number_shape) THEN CAST({quoted} AS DOUBLE) END "
                          f'AS "{column}__value"')
        else:
            typed.append(quoted)
            continue
        typed.append(f'"{column}__value" AS {quoted}')
        kept.append(f'CASE WHEN "{column}__value" IS NULL THEN {quoted} END AS "{column}__text"')
    # Empty fields read as NULL and text columns are trimmed already. A typed cell is blank when NULL, or — only
    # where the fast parse failed, so trim() does not run over 20M parsed cells (2.6 s) — when it is all spaces.
    blank = " AND ".join(
        f"""CASE WHEN "{c}" IS NULL THEN true WHEN "{c}__value" IS NOT NULL THEN false """
        f"""ELSE trim("{c}", $blank) = '' END""" if c in typed_columns else f'"{c}" IS NULL' for c in schema)
    return (f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"WITH raw AS (SELECT {texts} FROM {source}), "
            f"parsed AS (SELECT *, {', '.join(parsed) or 'NULL AS __none'}, ({blank}) AS __blank FROM raw) "
            f"SELECT {', '.join(typed + kept)}, __blank FROM parsed")


_BLANK = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_BLANK_CODES = ", ".join(str(ord(c)) for c in _BLANK)  # integers of this module, not data


def _trimmed(column: str) -> str:
    """Whitespace stripped at both ends and empty as NULL; trim() (slow) only runs when an end is blank.
    What Polars' strip_chars() strips (Unicode White_Space), so SQL trims exactly like the Python rules."""
    ends = f"ascii({column}) IN ({_BLANK_CODES}) OR ascii({column}[-1]) IN ({_BLANK_CODES})"
    return f"nullif(CASE WHEN {ends} THEN trim({column}, $blank) ELSE {column} END, '')"


def _staging_params(table: str, path: Path, separator: str) -> dict[str, object]:
    kinds = set(TABLE_SCHEMAS[table].values())
    params: dict[str, object] = {"path": str(path), "blank": _BLANK, "delim": separator}
    if pl.Datetime("us") in kinds:
        params |= {"seconds": "%Y-%m-%d %H:%M:%S", "minutes": "%Y-%m-%d %H:%M", "day": "%Y-%m-%d"}
    if pl.Float64 in kinds:
        params["number_shape"] = SQL_PLAIN_NUMBER
    return params


def _parse_the_rest(con: duckdb.DuckDBPyConnection, name: str, table: str, zone: str) -> None:
    """Text the SQL parse left (padded, other date forms, zones, numbers with separators or marks): stripped and
    parsed by the shared rules, once per distinct value; blank text becomes empty (NULL)."""
    for column in _typed_columns(table):
        texts = con.execute(f'SELECT DISTINCT "{column}__text" AS text FROM {name} '
                            f'WHERE "{column}__text" IS NOT NULL').pl()
        if texts.is_empty():
            continue
        stripped = texts["text"].str.strip_chars().replace("", None)
        value = (parse_timestamps(stripped, zone) if TABLE_SCHEMAS[table][column] == pl.Datetime("us")
                 else parse_numbers(stripped))
        parsed = pl.DataFrame({"text": texts["text"], "stripped": stripped, "value": value})
        con.register("parsed_text", parsed)  # on this connection: the staging table is temporary to it
        try:
            con.execute(f'UPDATE {name} SET "{column}" = p.value, "{column}__text" = p.stripped '
                        f'FROM parsed_text AS p WHERE {name}."{column}__text" = p.text')
        finally:
            con.unregister("parsed_text")


def _staged_problems(con: duckdb.DuckDBPyConnection, name: str, table: str, file: str,
                     has_control: bool) -> tuple[list[RowProblem], list[RowProblem]]:
    """Every check of a staged file as one query: problems (rows refused) and warnings, by record number."""
    schema = TABLE_SCHEMAS[table]
    start, end = date_range()
    checks: list[tuple[str, str, str, str, dict[str, object], bool]] = []  # condition, column, value, key, …

    def check(condition: str, column: str, value: str, key: str, warning: bool = False, **params: object) -> None:
        checks.append((condition, column, value, key, params, warning))

    for column in REQUIRED[table]:
        empty = f'"{column}" IS NULL' + (f' AND "{column}__text" IS NULL' if column in _typed_columns(table) else "")
        check(empty, column, "NULL::VARCHAR", "import.required_empty")
    for column in _typed_columns(table):
        is_date = schema[column] == pl.Datetime("us")
        check(f'"{column}__text" IS NOT NULL AND "{column}" IS NULL', column, f'"{column}__text"',
              "import.not_a_date" if is_date else "import.not_a_number")
        if is_date:
            check(f'("{column}" < $start OR "{column}" >= $end)', column, f'strftime("{column}", \'%Y-%m-%d %H:%M\')',
                  "import.implausible_date", range=range_text())
    if has_control:
        for column, dtype in schema.items():
            if dtype == pl.String():
                pattern = "$control_key" if column in KEY_COLUMNS else "$control_text"
                check(f'regexp_matches("{column}", {pattern})', column, f'"{column}"', "import.control_character")
    if table == "leads":
        check(f"lead_id IN (SELECT lead_id FROM {name} WHERE NOT __blank GROUP BY lead_id HAVING count(*) > 1)",
              "lead_id", "lead_id", "import.duplicate_id")
        for index, later in enumerate(STAGE_COLUMNS[1:], start=1):
            for earlier in reversed(STAGE_COLUMNS[:index]):  # the latest earlier stage it comes before
                later_ones = STAGE_COLUMNS[STAGE_COLUMNS.index(earlier) + 1:index]
                newest = " AND ".join(f"({c} IS NULL OR {c} <= {earlier})" for c in later_ones) or "true"
                check(f"{later} < {earlier} AND {newest}", later, f"strftime({later}, '%Y-%m-%d %H:%M')",
                      "import.dates_out_of_order", warning=True, later=Message(f"import.date.{later}"),
                      earlier=Message(f"import.date.{earlier}"))
    if table == "feedback":
        check("verdict IS NOT NULL AND NOT list_contains($verdicts, verdict)", "verdict", "verdict",
              "import.bad_verdict")
    if table == "spend":
        month = _MONTH_SQL.format(c="month")
        check(f"month IS NOT NULL AND {month} IS NULL", "month", "month", "import.not_a_month")
        check("amount < 0", "amount", "amount", "import.negative_spend")
        check(f"{month} IS NOT NULL AND ({month}, channel, coalesce(campaign, '')) IN (SELECT ({month}, channel, "
              f"coalesce(campaign, '')) FROM {name} WHERE NOT __blank GROUP BY ALL HAVING count(*) > 1)",
              "month", "month", "import.duplicate_spend")
    params: dict[str, object] = {"start": start, "end": end, "verdicts": list(FEEDBACK_VERDICTS),
                                 "control_key": CONTROL_IN_KEY, "control_text": CONTROL_IN_TEXT}
    union = " UNION ALL ".join(
        f"SELECT rowid AS record, {index} AS check_index, {value}::VARCHAR AS value FROM {name} "
        f"WHERE NOT __blank AND ({condition})" for index, (condition, _, value, *_) in enumerate(checks))
    used = {key: value for key, value in params.items() if f"${key}" in union}
    rows = con.execute(union + " ORDER BY record, check_index", used).fetchall()
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []
    for record, index, value in rows:
        _, column, _, key, extra, warning = checks[index]
        (warnings if warning else problems).append(RowProblem.of(file, record + 2, column, value, key, **extra)
                                                   .with_record(record))
    return problems, warnings


def _typed_columns(table: str) -> list[str]:
    return [c for c, dtype in TABLE_SCHEMAS[table].items() if dtype in (pl.Datetime("us"), pl.Float64)]


def _rows_without_lead(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, table: str) -> list[RowProblem]:
    """Rows of `table` whose lead is neither stored nor in this import's leads.csv."""
    if table not in checked.staged or not checked.rows.get(table):
        return []
    incoming = (f" ANTI JOIN (SELECT lead_id FROM {checked.staged['leads']} WHERE NOT __blank) AS incoming "
                f"ON incoming.lead_id = r.lead_id" if "leads" in checked.staged else "")
    orphans = con.execute(
        f"SELECT r.rowid AS record, r.lead_id FROM {checked.staged[table]} AS r ANTI JOIN leads USING (lead_id)"
        f"{incoming} WHERE r.lead_id IS NOT NULL AND NOT r.__blank ORDER BY record").fetchall()
    lines = checked.lines[table]
    return [RowProblem.of(checked.files[table].name, lines(record), "lead_id", lead_id, "import.no_such_lead")
            .with_record(record) for record, lead_id in orphans]


def _leave_out_rows_without_lead(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck) -> None:
    """With the bad rows left out, activities and feedback of leads that are not there are left out too."""
    for table in ("activities", "feedback"):
        if table in checked.staged:
            leads = "SELECT lead_id FROM leads" + (" UNION ALL SELECT lead_id FROM incoming_leads"
                                                   if "leads" in checked.staged else "")
            con.execute(f"INSERT INTO rejected_{table} SELECT rowid FROM {checked.staged[table]} "
                        f"WHERE NOT __blank AND lead_id NOT IN ({leads})")
