"""Property-based tests of every reader and mapper: bad input gives a clear error or a correct import —
never a crash, never a partial write. The run's summary line says how many cases ran (tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
import zipfile

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadfunnel import database
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import PRESETS
from leadfunnel.ingest.readers import UnreadableFile, read_table

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CASES: dict[str, int] = {}

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "2025-04-01", "2025年4月1日", "２０２５/０４/０１ ９:０５", "1899-12-31", "9999-12-31 23:59",
                     "2150-01-01", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\t", "\r\n", "45748", "1,000,000",
                     "㈱髙橋①\\", "<script>alert(1)</script>", "x" * 5000]),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=8), min_size=0, max_size=12)
HEADERS = ["顧客ID", "会社名", "登録日", "MQL日", "受注日", "受注金額", "流入経路", "担当者"]


def counted(name: str) -> None:
    CASES[name] = CASES.get(name, 0) + 1


def as_csv(header: list[str], body: list[list[str]], newline: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".parquet"]),
       encoding=st.sampled_from([None, "utf-8", "cp932", "utf-16", "latin-1"]))
def test_random_bytes_are_read_or_refused_clearly(data, suffix, encoding):
    counted("random bytes")
    try:
        table = read_table(data, f"file{suffix}", encoding=encoding)
    except UnreadableFile as error:
        assert f"file{suffix}" in str(error)
    else:
        assert table.frame.width >= 1


@FUZZ
@given(body=rows, newline=st.sampled_from(["\n", "\r\n", "\r"]), encoding=st.sampled_from(["utf-8-sig", "cp932",
                                                                                            "utf-16"]),
       truncate=st.integers(min_value=0, max_value=40))
def test_messy_spreadsheets_import_wholly_or_not_at_all(body, newline, encoding, truncate):
    counted("spreadsheets")
    text = as_csv(HEADERS, body, newline)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")  # characters CP932 lacks: the file would be UTF-8 in real life
    if truncate:
        data = data[: max(len(data) - truncate, 0)]
    con = duckdb.connect(":memory:")
    database.initialise(con)
    try:
        table = read_table(data, "名簿.csv")
    except UnreadableFile:
        return
    result = check(con, [Upload("名簿.csv", data)], [table], PRESETS["generic"])
    for problem in result.problems:
        assert problem.file == "名簿.csv" and problem.line >= 1 and problem.reason
    try:
        commit(con, result)
    except ImportRejected:
        assert result.problems
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (0,)  # nothing partial
        assert con.execute("SELECT count(*) FROM import_log").fetchone() == (0,)
    else:
        assert not result.problems
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (result.prepared.leads.height,)
        # The same file again changes nothing.
        again = check(con, [Upload("名簿.csv", data)], [read_table(data, "名簿.csv")], PRESETS["generic"])
        assert again.leads_new == 0 and again.leads_updated == 0
    finally:
        con.close()


@FUZZ
@given(body=rows)
def test_spreadsheets_as_xlsx(body):
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    counted("xlsx")
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    buffer = io.BytesIO()
    try:
        for row in body:
            sheet.append([value[:1000] for value in row])
        book.save(buffer)
    except IllegalCharacterError:
        return  # Excel cannot hold control characters in cells: such a file cannot exist
    con = duckdb.connect(":memory:")
    database.initialise(con)
    try:
        table = read_table(buffer.getvalue(), "leads.xlsx")
        result = check(con, [Upload("leads.xlsx", buffer.getvalue())], [table], PRESETS["generic"])
        assert all(p.file == "leads.xlsx" for p in result.problems)
    except UnreadableFile as error:
        assert "leads.xlsx" in str(error)
    finally:
        con.close()


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)  # 60 MB of zeros, ~60 KB compressed
    with pytest.raises(UnreadableFile, match="would expand to 60,000,000 bytes"):
        read_table(buffer.getvalue(), "bomb.xlsx")
