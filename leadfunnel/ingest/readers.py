"""Any export file → a table of text cells, with the encoding and delimiter it was read with.

CSV/TSV bytes are decoded in Python: a byte-order mark decides (UTF-8, UTF-16); else strict UTF-8;
else charset-normalizer's guess, where every Japanese legacy guess becomes `cp932` — Windows'
Shift_JIS, which has ①, ㈱, 髙 and a literal backslash that plain `shift_jis` mangles or rejects.
The delimiter is sniffed. Rows are split by Python's csv module, so every row keeps the physical line
it starts on (blank lines and line breaks inside quotes counted) and a row with more or fewer fields
than the header is refused by that line instead of being padded or shifted. XLSX goes through openpyxl
after a zip-bomb check, ignoring the size a sheet declares; merged cells are filled and formulas without
a saved value refused. Parquet goes through Polars. The encoding and the delimiter can be overridden.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Protocol

import polars as pl
from charset_normalizer import from_bytes

from leadfunnel.i18n import LocalizedError
from leadfunnel.ingest.errors import RowProblem

DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
DELIMITER_NAMES = {name: symbol for symbol, name in DELIMITERS.items()}
JAPANESE_LEGACY = {"shift_jis", "shift_jis_2004", "shift_jisx0213", "cp932", "ms932", "euc_jp", "iso2022_jp",
                   "euc_jis_2004", "euc_jisx0213"}
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024  # refuse spreadsheets that expand beyond this
MAX_XLSX_RATIO = 200  # … or that compress suspiciously well (zip bombs)
MAX_XLSX_CELLS = 20_000_000  # rows × columns actually present, whatever the sheet declares
ENCODING_SAMPLE = 1 << 20  # bytes looked at to detect an encoding


class UnreadableFile(LocalizedError):
    """The file cannot be read as a table; the message (a catalogue key) names the file and says why."""


@dataclass(frozen=True)
class RawTable:
    name: str
    frame: pl.DataFrame  # every cell as text (None = empty); header row taken as column names
    kind: str  # csv | xlsx | parquet
    encoding: str | None = None
    delimiter: str | None = None
    lines: list[int] | None = None  # the physical line (CSV) or sheet row (XLSX) of each row of `frame`
    problems: list[RowProblem] = field(default_factory=list)  # rows that could not be split into the header's fields
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def from_spreadsheet(self) -> bool:
        """Excel stores dates as serial day numbers when a cell is not formatted as a date."""
        return self.kind == "xlsx"

    def line_numbers(self) -> pl.Series:
        """The line of each row as the user's editor shows it (header = line 1)."""
        if self.lines is not None:
            return pl.Series("__line", self.lines, dtype=pl.Int64)
        return pl.Series("__line", range(2, self.frame.height + 2), dtype=pl.Int64)


def read_table(data: bytes, name: str, *, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, name)
    if suffix == ".parquet":
        return RawTable(name, _read_parquet(data, name), "parquet")
    text, used = decode(data, name, encoding)
    separator = checked_delimiter(delimiter) or sniff_delimiter(text, suffix)
    header, rows, lines, problems = split_rows(text, separator, name)
    columns = _header_names(header, name)
    frame = pl.DataFrame([list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in columns],
                         schema=dict.fromkeys(columns, pl.String), orient="col")
    return RawTable(name, _clean(frame), "csv", used, separator, lines, problems)


def checked_delimiter(delimiter: str | None) -> str | None:
    """A separator the user asked for: one of DELIMITERS, by symbol or name (`tab`); anything else is refused."""
    if delimiter is None:
        return None
    chosen = DELIMITER_NAMES.get(delimiter.strip().lower(), delimiter if len(delimiter) == 1 else delimiter.strip())
    if chosen not in DELIMITERS:
        raise UnreadableFile("import.bad_delimiter", delimiter=delimiter,
                             allowed=", ".join(f"{name} ({symbol!r})" for symbol, name in DELIMITERS.items()))
    return chosen


def detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:ENCODING_SAMPLE]
    if _is_utf8(sample, complete=len(data) <= ENCODING_SAMPLE):
        return "utf-8"
    best = from_bytes(sample).best()
    if best is None:
        try:  # charset-normalizer gives up on short Japanese files; Excel's CSV is CP932 then
            sample.decode("cp932", errors="strict" if len(data) <= ENCODING_SAMPLE else "ignore")
        except UnicodeDecodeError:
            raise UnreadableFile("import.unknown_encoding") from None
        return "cp932"
    guess = best.encoding.lower().replace("-", "_")
    return "cp932" if guess in JAPANESE_LEGACY else guess


def _is_utf8(sample: bytes, *, complete: bool) -> bool:
    """Strict UTF-8, allowing a sample that was cut inside a character."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return not complete and error.start >= len(sample) - 3 and error.reason == "unexpected end of data"
    return True


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used; a wrong encoding is one message about the file."""
    used = check_encoding(encoding) if encoding else None
    try:
        used = used or detect_encoding(data)
    except UnreadableFile as error:
        raise UnreadableFile("error.in_file", file=name, problem=error.message) from None
    try:
        text = data.decode(used)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UnreadableFile("import.bad_encoding", file=name, line=line, encoding=used) from None
    return text.removeprefix("\ufeff"), used


def check_encoding(encoding: str) -> str:
    """An encoding name the user gave, as Python knows it; an unknown name is refused."""
    import codecs

    try:
        return codecs.lookup(encoding.strip()).name
    except LookupError:
        raise UnreadableFile("import.unknown_encoding_name", encoding=encoding) from None


def sniff_delimiter(text: str, suffix: str = "") -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    sample = "\n".join(text[:200_000].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def split_rows(text: str, separator: str, name: str) -> tuple[list[str], list[list[str]], list[int], list[RowProblem]]:
    """Header, rows with exactly the header's number of fields, each row's physical line, and the refused rows.

    Blank lines (and rows whose every field is empty, as Excel writes below a table) are skipped but
    counted, so line numbers are what an editor shows.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[RowProblem] = []
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(_structure_problem(name, start, str(error)))
            break
        if header is None:
            if any(cell.strip() for cell in record):
                header = record
        elif any(cell.strip() for cell in record):
            if len(record) == len(header):
                rows.append(record)
                lines.append(start)
            else:
                problems.append(RowProblem.of(name, start, "-", _excerpt(separator.join(record)), "import.field_count",
                                              found=len(record), expected=len(header)))
        start = reader.line_num + 1
    if header is None:
        raise UnreadableFile("import.no_header", file=name)
    return header, rows, lines, problems


def _structure_problem(name: str, line: int, detail: str) -> RowProblem:
    if "unexpected end of data" in detail or "EOF" in detail:
        return RowProblem.of(name, line, "-", None, "import.unclosed_quote")
    return RowProblem.of(name, line, "-", None, "import.bad_csv_row", detail=detail)


def _excerpt(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def physical_lines(text: str, separator: str = ",", *, every_record: bool = False) -> Iterator[int]:
    """The physical start line of every data row, in order, as `split_rows` counts them — or, with
    `every_record`, of every non-blank record as DuckDB's reader numbers them (rows of empty fields included)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
    seen_header, start = False, 1
    for record in reader:
        if record and (every_record or any(cell.strip() for cell in record)):
            if seen_header:
                yield start
            seen_header = True
        start = reader.line_num + 1


def _header_names(header: list[str], name: str) -> list[str]:
    """Trimmed names (a BOM dropped); empty ones numbered; the same name twice is refused, naming it."""
    names = [cell.strip().removeprefix("\ufeff").strip() or f"column_{index + 1}" for index, cell in enumerate(header)]
    seen: set[str] = set()
    for column in names:
        if column in seen:
            raise UnreadableFile("import.duplicate_header", file=name, column=column)
        seen.add(column)
    return names


def _read_xlsx(data: bytes, name: str) -> RawTable:
    from openpyxl import load_workbook  # only spreadsheets need it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile("import.not_xlsx", file=name) from None
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > MAX_XLSX_UNCOMPRESSED or expanded > MAX_XLSX_RATIO * max(len(data), 1):
        raise UnreadableFile("import.xlsx_too_large", file=name, size=expanded)
    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formula_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheets = [sheet for sheet in values_book.worksheets if sheet.sheet_state == "visible"] or values_book.worksheets
        sheet = sheets[0]
        formulas = formula_book[sheet.title]
        merged = _merged_ranges(archive, sheet._worksheet_path)
        rows = _sheet_rows(sheet, name)
        formula_rows = _sheet_rows(formulas, name)
        others = [other.title for other in sheets[1:] if _has_data(other)]
    except UnreadableFile:
        raise
    except Exception as error:  # openpyxl raises many types for broken files
        raise UnreadableFile("import.not_a_spreadsheet", file=name, detail=str(error).splitlines()[0][:200]) from None
    _fill_merged(rows, merged)
    problems = [RowProblem.of(name, number, _column_letter(index), str(formula)[:60], "import.formula_without_value")
                for number, formula_row in formula_rows.items()
                for index, formula in enumerate(formula_row)
                if isinstance(formula, str) and formula.startswith("=")
                and _cell(rows.get(number, ()), index) is None]
    numbers = sorted(number for number, row in rows.items() if any(v is not None for v in row))
    if not numbers:
        raise UnreadableFile("import.empty_sheet", file=name, sheet=sheet.title)
    header_number, *body_numbers = numbers
    header = [_cell_text(v) or "" for v in rows[header_number]]
    width = len(header)
    columns = _header_names(header, name)
    bad_rows = {p.line for p in problems}
    kept = [n for n in body_numbers if n not in bad_rows]
    body = [[_cell_text(_cell(rows[n], index)) for index in range(width)] for n in kept]
    warnings = [RowProblem.of(name, 1, "-", None, "import.other_sheets", sheet=sheet.title, others=", ".join(others))
                ] if others else []
    frame = pl.DataFrame([list(column) for column in zip(*body, strict=True)] if body else [[] for _ in columns],
                         schema=dict.fromkeys(columns, pl.String), orient="col")
    return RawTable(name, _clean(frame), "xlsx", lines=kept, problems=problems, warnings=warnings)


class _Sheet(Protocol):
    """What is read of an openpyxl read-only worksheet (openpyxl has no type information)."""

    def reset_dimensions(self) -> None: ...

    def iter_rows(self, *, values_only: bool, max_row: int | None = None) -> Iterator[tuple[object, ...]]: ...


def _sheet_rows(sheet: _Sheet, name: str) -> dict[int, tuple[object, ...]]:
    """Row number → cell values, reading only what the sheet holds (its declared dimension is ignored)."""
    sheet.reset_dimensions()
    rows: dict[int, tuple[object, ...]] = {}
    cells = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(v is not None for v in row):
            rows[number] = tuple(row)
            cells += len(row)
            if cells > MAX_XLSX_CELLS:
                raise UnreadableFile("import.xlsx_too_many_cells", file=name, limit=MAX_XLSX_CELLS)
    return rows


def _has_data(sheet: _Sheet) -> bool:
    sheet.reset_dimensions()
    return any(any(v is not None for v in row) for row in sheet.iter_rows(values_only=True, max_row=50))


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of every merged range, 0-based columns, from the sheet XML."""
    from defusedxml.ElementTree import iterparse

    ranges = []
    with archive.open(path) as sheet_xml:
        for _, element in iterparse(sheet_xml):
            if element.tag.endswith("}mergeCell"):
                first, _, last = element.get("ref", "").partition(":")
                a, b = _CELL_REF.fullmatch(first), _CELL_REF.fullmatch(last or first)
                if a and b:
                    ranges.append((int(a[2]), _column_index(a[1]), int(b[2]), _column_index(b[1])))
            elif not element.tag.endswith(("}c", "}v", "}f", "}is", "}t")):
                continue
            element.clear()
    return ranges


def _fill_merged(rows: dict[int, tuple[object, ...]], ranges: list[tuple[int, int, int, int]]) -> None:
    """A merged range shows its top-left value in every cell, so every row under it gets that value."""
    for top, left, bottom, right in ranges:
        value = _cell(rows.get(top, ()), left)
        if value is None:
            continue
        for number in range(top, bottom + 1):
            row = list(rows.get(number, ()))
            row += [None] * (right + 1 - len(row))
            for index in range(left, right + 1):
                if row[index] is None:
                    row[index] = value
            rows[number] = tuple(row)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(row: tuple[object, ...], index: int) -> object:
    return row[index] if index < len(row) else None


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_parquet(data: bytes, name: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile("import.not_parquet", file=name, detail=str(error).splitlines()[0]) from None
    _header_names(frame.columns, name)
    # Timestamps written as text first, then everything else: one with_columns for both would name each
    # timestamp column twice (a Polars error on every Parquet export with a datetime column).
    return _clean(frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S%.f")))


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Trimmed cells; empty cells become null."""
    return frame.with_columns(pl.all().cast(pl.String).str.strip_chars().replace("", None))
