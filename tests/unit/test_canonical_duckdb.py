"""The canonical import reads and checks files in DuckDB; the Polars reader (still used for files DuckDB
refuses) is the reference: on any file both give the same report, or store the same rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadfunnel import database
from leadfunnel.ingest import canonical
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.store import LEAD_SCHEMA

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


def outcome(importer, path: Path) -> tuple[str, object]:
    con = duckdb.connect(":memory:")
    database.initialise(con)
    try:
        importer(con, [path])
    except ImportRejected as rejected:
        return "rejected", [(p.file, p.line, p.column, p.value, p.reason) for p in rejected.problems]
    finally:
        stored = con.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()
        con.close()
    return "stored", stored


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(ids, stamps, names, numbers), min_size=0, max_size=8))
def test_duckdb_reader_reports_and_stores_exactly_like_the_polars_reader(tmp_path, cells):
    path = write_leads(tmp_path, [row(*cell) for cell in cells])
    assert outcome(canonical.import_canonical, path) == outcome(canonical._import_with_polars, path)


def test_a_file_duckdb_cannot_read_is_reported_by_the_polars_reader(empty_db, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes("lead_id,created_at,channel\nB1,2025-01-01,s\u00e9o\n".encode("latin-1"))
    try:
        canonical.import_canonical(empty_db, [path])
    except ImportRejected as rejected:
        assert [(p.line, p.reason) for p in rejected.problems] == [(2, "not UTF-8 text")]
    else:
        raise AssertionError("a latin-1 file was imported")
