"""Tables leave the product as CSV that Excel opens correctly and cannot turn into formulas."""

from __future__ import annotations

import polars as pl

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with a single quote; numbers stay numbers."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(name).str.starts_with(start) for start in FORMULA_STARTS))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text_columns
    ) if text_columns else frame


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Windows shows Japanese text instead of mojibake."""
    return "\ufeff".encode() + neutralise_formulas(frame).write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "leadfunnel") -> bytes:
    """An Excel workbook of the table; text that looks like a formula is neutralised as in CSV."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31])
    worksheet.append(frame.columns)
    for row in neutralise_formulas(frame).iter_rows():
        worksheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
