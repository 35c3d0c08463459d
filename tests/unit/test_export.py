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


def test_downloads_carry_the_readers_headers_typed_cells_and_seconds():
    """#13: percentages as Excel reads them (92.2%), timestamps to the second, headers in the reader's words."""
    import io
    from datetime import datetime

    import polars as pl
    from openpyxl import load_workbook

    from leadfunnel.export import csv_bytes, xlsx_bytes

    frame = pl.DataFrame({"channel": ["seo"], "win_rate": [0.9222222222222223],
                          "at": [datetime(2025, 4, 1, 9, 5, 7, 123)]})
    text = csv_bytes(frame, {"win_rate": "percent"}, {"channel": "チャネル", "win_rate": "受注率"}).decode("utf-8-sig")
    assert text.splitlines() == ["チャネル,受注率,at", "seo,92.2%,2025-04-01 09:05:07"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame, kinds={"win_rate": "percent"}))).active
    assert sheet["B2"].value == 0.9222222222222223 and sheet["B2"].number_format == "0.0%"
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_a_change_of_rates_is_written_in_points():
    import io

    import polars as pl
    from openpyxl import load_workbook

    from leadfunnel.export import csv_bytes, xlsx_bytes

    frame = pl.DataFrame({"change": [0.0556, -0.125, None]})
    assert csv_bytes(frame, {"change": "points"}).decode("utf-8-sig").splitlines() == ["change", "5.6", "-12.5", ""]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame, kinds={"change": "points"}))).active
    assert sheet["A2"].value == 0.0556 and sheet["A2"].number_format == "+0.0%;-0.0%;0.0%"
