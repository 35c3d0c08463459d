"""Reading a canonical CSV file into a typed temporary staging table, inside DuckDB (leadfunnel.ingest.canonical).

`read_csv` reads the text (a file in another encoding — CP932 from Excel, UTF-16 — is first converted to UTF-8 beside
it, in a temporary folder); the common timestamp and number forms are parsed in SQL, any other text goes, once per
distinct value, through the rules every import shares (leadfunnel.ingest.values). A file DuckDB cannot split into
rows (a row with more or fewer fields than the header, an unclosed quote) is examined line by line in Python, which
names each such row. The values are checked by leadfunnel.ingest.canonical_checks.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from leadfunnel.database import one_row
from leadfunnel.ingest.errors import RowProblem
from leadfunnel.ingest.readers import ENCODING_SAMPLE, UnreadableFile, detect_encoding, physical_lines, split_rows
from leadfunnel.ingest.timestamps import parse_timestamps
from leadfunnel.ingest.values import SQL_PLAIN_NUMBER, parse_numbers
from leadfunnel.model import SQL_TYPES, TABLE_SCHEMAS

OPTIONAL: dict[str, tuple[str, ...]] = {"leads": ("job_title", "account_id"), "activities": ("channel", "campaign"),
                                        "feedback": (), "spend": ("campaign",)}
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Every other byte: deleting them leaves only control bytes. bytes.translate does that at memory speed (0.5 s for
# 870 MB, where a regular expression search took 4.9 s of a core the staging needed).
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_UTF8 = ("utf-8", "utf-8-sig")


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


def scan(paths: Sequence[Path]) -> tuple[str, dict[Path, bool]]:
    """One pass over the bytes: the import log's digest, and which files hold control characters at all (only
    those get the per-value check in SQL)."""
    digest = hashlib.sha256()
    control: dict[Path, bool] = {}
    for path in paths:
        found = False
        with path.open("rb") as file:
            while chunk := file.read(1 << 22):
                digest.update(chunk)
                found = found or bool(chunk.translate(None, _NOT_CONTROL))
        control[path] = found
    return digest.hexdigest(), control


def utf8_copy(path: Path, scratch: Path, encoding: str | None) -> tuple[Path, str]:
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


def stage(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, table: str, scratch: Path, zone: str) -> None:
    """Read one file into the typed temporary table `canonical_<table>` (problems of its structure go to
    `checked`; its values are checked by canonical_checks.check_staged)."""
    name, file, path = checked.staged[table], checked.files[table].name, checked.readable[table]
    checked.rows[table] = 0
    try:
        _read_into(con, name, table, path, checked.separator)
        checked.lines[table] = _LineMap(path, checked.separator)
    except _HeaderProblems as refused:
        _create_empty(con, name, table)
        checked.problems += refused.problems
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
    checked.rows[table] = one_row(con.execute(f"SELECT count(*) FROM {name} WHERE NOT __blank"))[0]
    _parse_the_rest(con, name, table, zone)


def _create_empty(con: duckdb.DuckDBPyConnection, name: str, table: str) -> None:
    """A staging table with no rows, for a file that could not be read (so the rest of the check runs as usual)."""
    columns = ", ".join(f'NULL::{SQL_TYPES[dtype]} AS "{column}"' for column, dtype in TABLE_SCHEMAS[table].items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {columns}, false AS __blank LIMIT 0")


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
    parsed_later = typed_columns(table)  # trimmed later, with the Python rules, if the SQL parse fails
    texts = ", ".join((f'"{c}"' if c in parsed_later else _trimmed(f'"{c}"')) + f' AS "{c}"' if c in header
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
        f"""ELSE trim("{c}", $blank) = '' END""" if c in parsed_later else f'"{c}" IS NULL' for c in schema)
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
    for column in typed_columns(table):
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


def typed_columns(table: str) -> list[str]:
    return [c for c, dtype in TABLE_SCHEMAS[table].items() if dtype in (pl.Datetime("us"), pl.Float64)]

