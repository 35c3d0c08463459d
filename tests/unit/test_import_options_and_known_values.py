"""Import options are honoured on every path, a re-import keeps what is known, and files are read as what they are."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import PRESETS
from leadfunnel.ingest.readers import read_table
from tests.conftest import FIXTURES, SMALL

cli = CliRunner()
HEADER = (SMALL / "leads.csv").read_text(encoding="utf-8").splitlines()[0]


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def one(db: Path, sql: str) -> tuple:
    con = database.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


def test_timezone_is_honoured_on_the_canonical_path(tmp_path):
    """2025-04-01T00:00:00Z is 09:00 in Tokyo (the default zone) and 00:00 when the data's zone is UTC."""
    leads = write(tmp_path, "leads.csv", f"{HEADER}\nZ1,2025-04-01T00:00:00Z,seo,,,,,,,,,,,\n")
    tokyo, utc = tmp_path / "tokyo.duckdb", tmp_path / "utc.duckdb"
    assert cli.invoke(app, ["import", str(leads), "--db", str(tokyo)]).exit_code == 0
    assert cli.invoke(app, ["import", str(leads), "--db", str(utc), "--timezone", "UTC"]).exit_code == 0
    assert one(tokyo, "SELECT created_at FROM leads")[0] == datetime(2025, 4, 1, 9, 0)
    assert one(utc, "SELECT created_at FROM leads")[0] == datetime(2025, 4, 1, 0, 0)


def test_accept_valid_on_the_canonical_path_imports_the_good_rows_only(tmp_path):
    leads = write(tmp_path, "leads.csv", f"{HEADER}\nG1,2025-04-01,seo,,,,,,,,,,,\nG2,someday,seo,,,,,,,,,,,\n")
    activities = write(tmp_path, "activities.csv", "lead_id,occurred_at,activity_type,detail\n"
                       "G1,2025-04-02,email_open,\nG2,2025-04-02,email_open,\n")
    db = tmp_path / "team.duckdb"
    refused = cli.invoke(app, ["import", str(leads), str(activities), "--db", str(db)])
    assert refused.exit_code == 1 and not db.exists()
    accepted = cli.invoke(app, ["import", str(leads), str(activities), "--db", str(db), "--accept-valid"])
    assert accepted.exit_code == 0, accepted.output
    assert "leads 1 new" in accepted.output and "1 activities" in accepted.output  # G2's activity went with G2
    assert one(db, "SELECT string_agg(lead_id, ',') FROM leads") == ("G1",)
    assert one(db, "SELECT rows_rejected FROM import_log") == (1,)


def test_a_reimport_without_a_channel_keeps_the_known_channel(small_runner, tmp_path):
    """F2: an empty channel cell (or a later export without the column) is missing, not 'unknown'."""
    con = small_runner.con
    leads = write(tmp_path, "leads.csv", f"{HEADER}\nA1,2025-01-05 10:00,,,,,,,,,,,,\n")
    import_canonical(con, [leads])
    assert con.execute("SELECT channel FROM leads WHERE lead_id = 'A1'").fetchone() == ("webinar",)
    hubspot = "Record ID,Lifecycle Stage,Create Date,Original Source\n11,lead,2025-04-01,Organic Search\n"
    first = Upload("contacts.csv", hubspot.encode())
    commit(con, check(con, [first], [read_table(first.data, first.name)], PRESETS["hubspot"]))
    later = Upload("contacts.csv", b"Record ID,Lifecycle Stage,Create Date\n11,lead,2025-04-01\n")
    commit(con, check(con, [later], [read_table(later.data, later.name)], PRESETS["hubspot"]))
    assert con.execute("SELECT channel FROM leads WHERE lead_id = 'hubspot:11'").fetchone() == ("seo",)


def test_a_lead_never_given_a_channel_is_stored_as_missing_and_read_as_unknown(small_runner, tmp_path):
    con = small_runner.con
    import_canonical(con, [write(tmp_path, "leads.csv", f"{HEADER}\nU1,2025-04-01,,,,,,,,,,,,\n")])
    assert con.execute("SELECT channel FROM leads WHERE lead_id = 'U1'").fetchone() == (None,)
    assert con.execute("SELECT channel FROM lead_stage_times WHERE lead_id = 'U1'").fetchone() == ("unknown",)


def test_a_points_log_alone_adds_activities_to_stored_contacts(empty_db):
    """F3: recognised as an activity log by its columns; the stored contacts are left as they were."""
    contacts = Upload("contacts.csv", (FIXTURES / "exports" / "mautic_contacts.csv").read_bytes())
    commit(empty_db, check(empty_db, [contacts], [read_table(contacts.data, contacts.name)], PRESETS["mautic"]))
    before = empty_db.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()
    points = Upload("points.csv", (FIXTURES / "exports" / "mautic_points.csv").read_bytes())
    result = check(empty_db, [points], [read_table(points.data, points.name)], PRESETS["mautic"])
    # The fixture's contact 3 is in the log only: named by file and line, the rest imports when accepted.
    assert [(p.file, p.line, p.value) for p in result.problems] == [("points.csv", 6, "mautic:3")]
    assert result.prepared.leads.height == 0
    summary = commit(empty_db, result, accept_valid=True)
    assert summary.activities_added == result.prepared.activities.height - 1 > 0
    assert empty_db.execute("SELECT * FROM leads ORDER BY lead_id").fetchall() == before


def test_rows_without_ids_get_stable_generated_ids(empty_db):
    """#13: the id is `auto:` + a hash of the normalised name, company and created date: the same row gives the
    same id whatever the date's spelling or the text's width, and different companies different ids."""
    sheet = ("会社名,登録日,流入経路\n株式会社サンプル,2025/04/01,展示会\n"
             "Ａｃｍｅ,2025-04-02,SEO\n山田商事,2025/4/3,紹介\n")
    respelled = ("会社名,登録日,流入経路\n株式会社サンプル,2025-04-01,展示会\n"
                 "acme,2025/04/02,SEO\n山田商事,2025年4月3日,紹介\n")
    ids = []
    for text in (sheet, respelled):
        upload = Upload("名簿.csv", text.encode("cp932"))
        result = check(empty_db, [upload], [read_table(upload.data, upload.name)], PRESETS["generic"])
        assert result.problems == [] and result.prepared.generated_ids == 3
        ids.append(result.prepared.leads["lead_id"].to_list())
    assert ids[0] == ids[1] and len(set(ids[0])) == 3
    assert all(lead_id.startswith("auto:") and len(lead_id) == len("auto:") + 16 for lead_id in ids[0])


def test_source_values_mapped_by_hand_override_the_guess(empty_db):
    upload = Upload("list.csv", b"lead_id,created_at,channel\nV1,2025-04-01,Spring fair\nV2,2025-04-02,display\n"
)
    table = read_table(upload.data, upload.name)
    result = check(empty_db, [upload], [table], PRESETS["generic"], channel_values={"Spring fair": "trade_show"})
    assert dict(zip(result.prepared.leads["lead_id"], result.prepared.leads["channel"], strict=True)) == {
        "V1": "trade_show", "V2": "display_ads"}
