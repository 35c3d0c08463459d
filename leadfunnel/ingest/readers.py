"""Any export file → a table of text cells, with the encoding and delimiter it was read with.

CSV/TSV bytes are decoded in Python: a byte-order mark decides (UTF-8, UTF-16); else strict UTF-8;
else charset-normalizer's guess, where every Japanese legacy guess becomes `cp932` — Windows'
Shift_JIS, which has ①, ㈱, 髙 and a literal backslash that plain `shift_jis` mangles or rejects.
The delimiter is sniffed. XLSX goes through openpyxl after a zip-bomb check; Parquet through Polars.
Both the encoding and the delimiter can be overridden by the user.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import polars as pl
from charset_normalizer import from_bytes

from leadfunnel.i18n import LocalizedError

DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
JAPANESE_LEGACY = {"shift_jis", "shift_jis_2004", "shift_jisx0213", "cp932", "ms932", "euc_jp", "iso2022_jp",
                   "euc_jis_2004", "euc_jisx0213"}
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024  # refuse spreadsheets that expand beyond this
MAX_XLSX_RATIO = 200  # … or that compress suspiciously well (zip bombs)


class UnreadableFile(LocalizedError):
    """The file cannot be read as a table; the message (a catalogue key) names the file and says why."""


@dataclass(frozen=True)
class RawTable:
    name: str
    frame: pl.DataFrame  # every cell as text (None = empty); header row taken as column names
    kind: str  # csv | xlsx | parquet
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def from_spreadsheet(self) -> bool:
        """Excel stores dates as serial day numbers when a cell is not formatted as a date."""
        return self.kind == "xlsx"


def read_table(data: bytes, name: str, *, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return RawTable(name, _read_xlsx(data, name), "xlsx")
    if suffix == ".parquet":
        return RawTable(name, _read_parquet(data, name), "parquet")
    text, used = decode(data, name, encoding)
    separator = delimiter or sniff_delimiter(text, suffix)
    return RawTable(name, _read_csv(text, separator, name), "csv", used, separator)


def detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        try:  # charset-normalizer gives up on short Japanese files; Excel's CSV is CP932 then
            data.decode("cp932")
        except UnicodeDecodeError:
            raise UnreadableFile("import.unknown_encoding") from None
        return "cp932"
    guess = best.encoding.lower().replace("-", "_")
    return "cp932" if guess in JAPANESE_LEGACY else guess


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    try:
        used = encoding or detect_encoding(data)
    except UnreadableFile as error:
        raise UnreadableFile("error.in_file", file=name, problem=error.message) from None
    try:
        text = data.decode(used)
    except (UnicodeDecodeError, LookupError) as error:
        line = data[: getattr(error, "start", 0)].count(b"\n") + 1
        raise UnreadableFile("import.bad_encoding", file=name, line=line, encoding=used) from None
    return text.removeprefix("\ufeff"), used


def sniff_delimiter(text: str, suffix: str = "") -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(text: str, separator: str, name: str) -> pl.DataFrame:
    try:
        frame = pl.read_csv(io.StringIO(text), separator=separator, infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile("import.not_a_table", file=name, detail=str(error).splitlines()[0]) from None
    return _clean(frame, name)


def _read_xlsx(data: bytes, name: str) -> pl.DataFrame:
    from openpyxl import load_workbook  # only spreadsheets need it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile("import.not_xlsx", file=name) from None
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > MAX_XLSX_UNCOMPRESSED or expanded > MAX_XLSX_RATIO * max(len(data), 1):
        raise UnreadableFile("import.xlsx_too_large", file=name, size=expanded)
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as error:  # openpyxl raises many types for broken files
        raise UnreadableFile("import.not_a_spreadsheet", file=name, detail=str(error)) from None
    rows = [row for row in rows if any(v is not None for v in row)]
    if not rows:
        raise UnreadableFile("import.empty_sheet", file=name)
    header, body = rows[0], rows[1:]
    columns = {}
    for index, title in enumerate(header):
        columns[title or f"column_{index + 1}"] = [row[index] if index < len(row) else None for row in body]
    return _clean(pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)), name)


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
        raise UnreadableFile("import.not_parquet", file=name, detail=str(error)) from None
    return _clean(frame.with_columns(
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S%.f"), pl.all().cast(pl.String)), name)


def _clean(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Trimmed header names and cells; empty cells become null; a file without rows is an error."""
    renamed = {c: str(c).strip().removeprefix("\ufeff") for c in frame.columns}
    if len(set(renamed.values())) != len(renamed):
        raise UnreadableFile("import.duplicate_header", file=name)
    frame = frame.rename(renamed)
    return frame.with_columns(pl.all().cast(pl.String).str.strip_chars().replace("", None))
