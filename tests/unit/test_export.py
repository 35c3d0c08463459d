"""CSV exports: BOM for Excel, formulas neutralised in text cells only."""

import polars as pl

from leadfunnel.export import csv_bytes


def test_csv_has_bom_keeps_japanese_and_neutralises_formulas():
    frame = pl.DataFrame({"company": ["=HYPERLINK(\"x\")", "+81 3", "-x", "@SUM(A1)", "\tz", "\rz", "㈱髙橋", None],
                          "amount": [-5, 1, 2, 3, 4, 5, 6, 7]})
    text = csv_bytes(frame).decode("utf-8")
    assert text.startswith("\ufeffcompany,amount\n")
    rows = text.removeprefix("\ufeffcompany,amount\n").splitlines()
    assert rows[0] == "\"'=HYPERLINK(\"\"x\"\")\",-5"  # the number -5 stays a number
    assert rows[1:5] == ["'+81 3,1", "'-x,2", "'@SUM(A1),3", "'\tz,4"]
    assert "㈱髙橋,6" in rows


def test_xlsx_keeps_japanese_numbers_and_neutralises_formulas():
    import io

    from openpyxl import load_workbook

    from leadfunnel.export import xlsx_bytes

    frame = pl.DataFrame({"company": ["㈱髙橋①", "=HYPERLINK(\"http://x\")"], "leads": [3, -4]})
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["company", "leads"], ["㈱髙橋①", 3], ["'=HYPERLINK(\"http://x\")", -4]]
    assert sheet["A3"].data_type == "s"  # text, not a formula
