"""Tables leave the product as CSV and Excel that open correctly and cannot turn into formulas.

A download can carry the reader's column names and the kind of each column: Excel then gets typed cells
(a percentage is a number formatted 0.0 %, an amount ¥#,##0, a timestamp a date cell to the second) and
the CSV writes percentages as `92.2%` and timestamps to the second, which Excel reads as numbers and dates.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import polars as pl

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_FORMATS = {"percent": "0.0%", "days": "#,##0.0", "hours": "#,##0.0", "money": "¥#,##0", "count": "#,##0",
                 "credit": "#,##0.00", "times": "0.00", "points": '+0.0%;-0.0%;0.0%'}


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with a single quote; numbers stay numbers."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(name).str.starts_with(start) for start in FORMULA_STARTS))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text_columns
    ) if text_columns else frame


def for_people(frame: pl.DataFrame, kinds: Mapping[str, str] | None = None,
               labels: Mapping[str, str] | None = None) -> pl.DataFrame:
    """The CSV's cells: percentages as `92.2%`, timestamps to the second, floats rounded; columns renamed to
    the reader's names."""
    kinds = kinds or {}
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if kinds.get(name) == "percent":
            column = pl.when(column.is_not_null()).then((column * 100).round(1).cast(pl.String) + "%")
        elif kinds.get(name) == "points":  # a difference of two rates as a number of percentage points (5.6), the
            column = (column * 100).round(1)  # header says "pt"; text such as "+5.6 pt" would read as a formula
        elif isinstance(dtype, pl.Datetime):
            column = column.dt.strftime("%Y-%m-%d %H:%M:%S")
        elif dtype.is_float():
            column = column.round(2 if kinds.get(name) != "money" else 0)
        columns.append(column.alias(name))
    shaped = frame.select(columns)
    return shaped.rename({k: v for k, v in (labels or {}).items() if k in shaped.columns})


def csv_bytes(frame: pl.DataFrame, kinds: Mapping[str, str] | None = None,
              labels: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Windows shows Japanese text instead of mojibake."""
    return "\ufeff".encode() + neutralise_formulas(for_people(frame, kinds, labels)).write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "leadfunnel", kinds: Mapping[str, str] | None = None,
               labels: Mapping[str, str] | None = None) -> bytes:
    """An Excel workbook of the table with typed cells; text that looks like a formula is neutralised as in CSV."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    kinds = kinds or {}
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31])
    worksheet.append([(labels or {}).get(name, name) for name in frame.columns])
    formats = [EXCEL_FORMATS.get(kinds.get(name, ""), "yyyy-mm-dd hh:mm:ss" if isinstance(dtype, pl.Datetime)
                                 else "yyyy-mm-dd" if dtype == pl.Date else None)
               for name, dtype in frame.schema.items()]
    for row in neutralise_formulas(frame).iter_rows():
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            cell = WriteOnlyCell(worksheet, value=value)
            if number_format and value is not None:
                cell.number_format = number_format
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
