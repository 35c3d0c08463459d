"""Canonical CSV import: whole-or-nothing, errors that name file/line/column, re-import loses nothing."""

import shutil
from pathlib import Path

import pytest

from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.ingest.errors import ImportRejected
from tests.conftest import SMALL, SMALL_FILES

HEADER = (SMALL / "leads.csv").read_text(encoding="utf-8").splitlines(keepends=True)[0]


def table_counts(con) -> tuple[int, int, int]:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("leads", "activities", "feedback"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_imports_every_row(empty_db):
    summary = import_canonical(empty_db, SMALL_FILES)
    assert (summary.leads_new, summary.activities_added, summary.feedback_added) == (7, 6, 2)
    assert table_counts(empty_db) == (7, 6, 2)
    assert empty_db.execute("SELECT company FROM leads WHERE lead_id = 'A1'").fetchone()[0] == "株式会社髙島製作所"
    assert empty_db.execute("SELECT channel FROM leads WHERE lead_id = 'A6'").fetchone()[0] == "trade_show"


def test_bad_rows_are_named_by_file_line_and_column_and_nothing_is_written(empty_db, tmp_path):
    leads = write(tmp_path, "leads.csv", HEADER
                  + "B1,2025-01-01,seo,,,,,,,,,,,\n"          # line 2: fine
                  + "B2,2025-13-45,seo,,,,,,,,,,,\n"          # line 3: impossible date
                  + ",2025-01-02,seo,,,,,,,,,,,\n"            # line 4: no id
                  + "B1,2025-01-03,seo,,,,,,,,,,,\n"          # line 5: duplicate id
                  + "B5,2025-01-03,seo,,,,,,,,,,,12abc\n")    # line 6: amount not a number
    activities = write(tmp_path, "activities.csv",
                       "lead_id,occurred_at,activity_type,detail\nB1,2025-01-02,email_open,\nZZ,2025-01-02,email_open,\n")
    with pytest.raises(ImportRejected) as raised:
        import_canonical(empty_db, [leads, activities])
    found = {(p.file, p.line, p.column) for p in raised.value.problems}
    assert found == {
        ("leads.csv", 3, "created_at"),
        ("leads.csv", 4, "lead_id"),
        ("leads.csv", 2, "lead_id"), ("leads.csv", 5, "lead_id"),  # both copies of B1 are named
        ("leads.csv", 6, "amount"),
        ("activities.csv", 3, "lead_id"),  # ZZ is no known lead
    }
    assert "leads.csv, line 3, column created_at" in str(raised.value)
    assert table_counts(empty_db) == (0, 0, 0)


def test_missing_column_is_reported_on_the_header_line(empty_db, tmp_path):
    leads = write(tmp_path, "leads.csv", "lead_id,created_at\nB1,2025-01-01\n")
    with pytest.raises(ImportRejected) as raised:
        import_canonical(empty_db, [leads])
    assert ("leads.csv", 1, "channel") in {(p.file, p.line, p.column) for p in raised.value.problems}


def test_bad_file_leaves_earlier_data_untouched(small_runner, tmp_path):
    con = small_runner.con
    before = con.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()
    rows = "A1,2025-01-05 10:00,seo,Changed,,,,,,,,,,\nA9,not a date,seo,,,,,,,,,,,\n"
    leads = write(tmp_path, "leads.csv", HEADER + rows)
    with pytest.raises(ImportRejected):
        import_canonical(con, [leads])
    assert con.execute("SELECT * FROM leads ORDER BY lead_id").fetchall() == before


def test_reimport_is_idempotent(small_runner):
    con = small_runner.con
    before = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("leads", "activities", "feedback")]
    summary = import_canonical(con, SMALL_FILES)
    assert (summary.leads_new, summary.leads_updated, summary.leads_unchanged) == (0, 0, 7)
    assert (summary.activities_added, summary.feedback_added) == (0, 0)
    after = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("leads", "activities", "feedback")]
    assert after == before


def test_newer_export_updates_but_never_blanks_a_known_value(small_runner, tmp_path):
    con = small_runner.con
    # A2 now has an SQL date, and its export lost the company name and MQL date.
    leads = write(tmp_path, "leads.csv", HEADER + "A2,2025-01-15 09:00,webinar,,,,,,,2025-02-01 09:00,,,,\n")
    summary = import_canonical(con, [leads])
    assert (summary.leads_new, summary.leads_updated) == (0, 1)
    company, mql_at, sql_at = con.execute("SELECT company, mql_at, sql_at FROM leads WHERE lead_id='A2'").fetchone()
    assert company == "Acme Corp."
    assert str(mql_at) == "2025-01-20 09:00:00"
    assert str(sql_at) == "2025-02-01 09:00:00"
    assert table_counts(con)[0] == 7


def test_utf8_bom_header_is_read(empty_db, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (SMALL / "leads.csv").read_bytes())
    assert import_canonical(empty_db, [path]).leads_new == 7


def test_unknown_file_name_is_refused(empty_db, tmp_path):
    other = tmp_path / "contacts.csv"
    shutil.copy(SMALL / "leads.csv", other)
    with pytest.raises(ValueError, match=r"leads\.csv, activities\.csv or feedback\.csv"):
        import_canonical(empty_db, [other])


def test_activities_of_unknown_leads_are_named_and_nothing_is_written(small_runner, tmp_path):
    """Otherwise valid files: the write itself finds the activities whose lead is not there (the rollup's join
    counts fewer than were stored), rolls back and names every such row — of any activity type."""
    con = small_runner.con
    before = table_counts(con), con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    leads = write(tmp_path, "leads.csv", HEADER + "C1,2025-04-01,seo,,,,,,,,,,,\n")
    activities = write(tmp_path, "activities.csv", "lead_id,occurred_at,activity_type,detail\n"
                       "C1,2025-04-02,email_open,\n"          # the new lead: fine
                       "A1,2025-04-02,crm_custom_event,\n"    # a stored lead, a type outside the canonical list: fine
                       "C9,2025-04-03,email_open,\n"          # line 4: no such lead
                       "C8,2025-04-03,crm_custom_event,\n")   # line 5: no such lead, other type
    with pytest.raises(ImportRejected) as raised:
        import_canonical(con, [leads, activities])
    assert [(p.file, p.line, p.column, p.value) for p in raised.value.problems] == [
        ("activities.csv", 4, "lead_id", "C9"), ("activities.csv", 5, "lead_id", "C8")]
    assert (table_counts(con), con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()) == before
    assert con.execute("SELECT count(*) FROM leads WHERE lead_id = 'C1'").fetchone()[0] == 0

    activities.write_text("lead_id,occurred_at,activity_type,detail\nC1,2025-04-02,email_open,\n"
                          "A1,2025-04-02,crm_custom_event,\n", encoding="utf-8")
    summary = import_canonical(con, [leads, activities])  # every activity has its lead: it lands
    assert (summary.leads_new, summary.activities_added) == (1, 2)
    assert con.execute("SELECT other_activities, n_email_open FROM lead_activity_rollup WHERE lead_id = 'C1'"
                       ).fetchone() == (0, 1)


def test_feedback_of_unknown_leads_is_named(small_runner, tmp_path):
    feedback = write(tmp_path, "feedback.csv", "lead_id,at,verdict,reason\nA1,2025-04-02,accepted,\nQQ,2025-04-02,"
                     "rejected,Spam\n")
    with pytest.raises(ImportRejected) as raised:
        import_canonical(small_runner.con, [feedback])
    assert [(p.file, p.line, p.value) for p in raised.value.problems] == [("feedback.csv", 3, "QQ")]


def test_activities_stored_without_their_lead_are_named_as_such(small_runner, tmp_path):
    """A file changed by hand (a lead deleted, its activities kept): the next import says so, keeps nothing."""
    from leadfunnel.ingest.errors import UnknownLeadActivities

    con = small_runner.con
    con.execute("DELETE FROM leads WHERE lead_id = 'A1'")  # A1 has three activities
    before = table_counts(con)
    leads = write(tmp_path, "leads.csv", HEADER + "C1,2025-04-01,seo,,,,,,,,,,,\n")
    activities = write(tmp_path, "activities.csv",
                       "lead_id,occurred_at,activity_type,detail\nC1,2025-04-02,email_open,\n")
    with pytest.raises(UnknownLeadActivities, match="3 activities belong to no lead"):
        import_canonical(con, [leads, activities])
    assert table_counts(con) == before
