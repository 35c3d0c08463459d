"""The canonical import reads and checks files in DuckDB, with a fast path in SQL for the common forms; the
shared rules applied cell by cell in Python are the reference: on any file both give the same report, or store
the same rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadfunnel import database
from leadfunnel.i18n import Message
from leadfunnel.ingest import canonical
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.readers import UnreadableFile
from leadfunnel.ingest.timestamps import parse_timestamps
from leadfunnel.ingest.values import date_range, parse_numbers, range_text
from leadfunnel.model import LEAD_SCHEMA

stamps = st.sampled_from(["2025-04-01", "2025-04-01 09:05", "2025-04-01 09:05:30", " 2025-04-01 09:05 ", "2025/04/01",
                          "2025年4月1日", "4/1/2025 9:05 AM", "2025-04-01T09:05:00Z", "2025-13-45", "2025-02-30 10:00",
                          "２０２５-０４-０１", "\u30002025-04-01\u3000", "not a date", "", " ", "2025-04-01 9:05:00"])
numbers = st.sampled_from(["", "1000", "1,000,000", "-5", "+3", "1e3", "12abc", " 7 ", "1.5", "inf", "\u3000"])
names = st.sampled_from(["", " seo ", "seo", "\u3000webinar", "株式会社髙島", "\t", "x\u00a0"])
ids = st.sampled_from(["L1", "L2", "L3", " L1", "L4\u3000", "", "L5"])


def row(lead_id: str, stamp: str, name: str, number: str) -> dict[str, str]:
    values = {c: "" for c in LEAD_SCHEMA}
    return values | {"lead_id": lead_id, "created_at": stamp, "channel": name, "company": name, "sql_at": stamp,
                     "amount": number}


def write_leads(folder: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(LEAD_SCHEMA), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "leads.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def outcome(path: Path) -> tuple[str, object]:
    con = duckdb.connect(":memory:")
    database.initialise(con)
    try:
        canonical.import_canonical(con, [path])
    except ImportRejected as rejected:
        return "rejected", sorted((p.line, p.column, p.reason) for p in rejected.problems)
    finally:
        stored = con.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()
        con.close()
    return "stored", stored


def expected(rows: list[dict[str, str]]) -> tuple[str, object]:
    """The same file by the shared rules (leadfunnel.ingest.values), cell by cell in Python: the reference that
    the SQL fast path must agree with."""
    frame = pl.DataFrame(rows, schema=dict.fromkeys(LEAD_SCHEMA, pl.String)) if rows else pl.DataFrame(
        schema=dict.fromkeys(LEAD_SCHEMA, pl.String))
    text = frame.with_columns(pl.all().str.strip_chars().replace("", None))
    typed = text.with_columns(
        *(parse_timestamps(text[c]).alias(c) for c, t in LEAD_SCHEMA.items() if t == pl.Datetime("us")),
        parse_numbers(text["amount"]).alias("amount"))
    problems = []
    for index, (raw, value) in enumerate(zip(text.iter_rows(named=True), typed.iter_rows(named=True), strict=True)):
        line = index + 2
        blank = all(v is None for v in raw.values())
        if blank:
            continue
        for column in ("lead_id", "created_at"):
            if raw[column] is None:
                problems.append((line, column, "required value is empty"))
        for column, kind in LEAD_SCHEMA.items():
            if kind in (pl.Datetime("us"), pl.Float64) and raw[column] is not None and value[column] is None:
                problems.append((line, column, str(Message("import.not_a_number" if kind == pl.Float64
                                                           else "import.not_a_date"))))
            elif kind == pl.Datetime("us") and value[column] is not None and not (
                    date_range()[0] <= value[column] < date_range()[1]):
                problems.append((line, column, str(Message("import.implausible_date", range=range_text()))))
    ids = [r["lead_id"] for r in text.iter_rows(named=True) if r["lead_id"] is not None]
    for index, row in enumerate(text.iter_rows(named=True)):
        if row["lead_id"] is not None and ids.count(row["lead_id"]) > 1:
            problems.append((index + 2, "lead_id", str(Message("import.duplicate_id"))))
    if problems:
        return "rejected", sorted(problems)
    stored = typed.filter(pl.any_horizontal(pl.all().is_not_null())).sort("lead_id")
    return "stored", [tuple(row) for row in stored.rows()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(ids, stamps, names, numbers), min_size=0, max_size=8))
def test_duckdb_reader_reports_and_stores_exactly_by_the_shared_rules(tmp_path, cells):
    rows = [row(*cell) for cell in cells]
    path = write_leads(tmp_path, rows)
    assert outcome(path) == expected(rows)


def test_a_file_in_another_encoding_is_converted_not_refused(empty_db, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes("lead_id,created_at,channel\nB1,2025-01-01,s\u00e9o\n".encode("latin-1"))
    with pytest.raises(ImportRejected) as rejected:  # the header lacks columns; the file itself was read
        canonical.import_canonical(empty_db, [path], encoding="latin-1")
    assert {p.column for p in rejected.value.problems} >= {"company", "amount"}


def test_a_wrong_encoding_is_one_message_about_the_file(empty_db, tmp_path):
    path = tmp_path / "leads.csv"
    header = ",".join(LEAD_SCHEMA)
    path.write_bytes(f"{header}\nB1,2025-01-01{',' * 13}\nB2,2025-01-01,,株式会社{',' * 11}\n".encode("cp932"))
    with pytest.raises(UnreadableFile, match=r"leads\.csv: line 3 is not valid utf-8 text"):
        canonical.import_canonical(empty_db, [path], encoding="utf-8")
