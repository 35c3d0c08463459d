"""Real exports (HubSpot, Salesforce, Mautic, a Japanese CP932 spreadsheet) imported and counted by hand.

Fixtures are in tests/fixtures/exports, written in each tool's own column layout.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from leadfunnel.filters import Filters
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import PRESETS, guess_mapping, guess_preset
from leadfunnel.ingest.readers import read_table
from leadfunnel.ingest.saved_mappings import mappings_for, save_mapping
from leadfunnel.query import QueryRunner
from leadfunnel.reports import funnel_report
from tests.conftest import FIXTURES

EXPORTS = FIXTURES / "exports"
APRIL = Filters(date(2025, 4, 1), date(2025, 4, 30))


def checked(con, *names: str, preset: str | None = None, mapping=None):
    uploads = [Upload(name, (EXPORTS / name).read_bytes()) for name in names]
    tables = [read_table(u.data, u.name) for u in uploads]
    chosen = PRESETS[preset] if preset else guess_preset(tables[0].frame.columns)
    return check(con, uploads, tables, chosen, mapping)


def funnel(con) -> dict[str, int]:
    report = funnel_report(QueryRunner(con), APRIL, "cohort")
    return {stage["stage"]: stage["count"] for stage in report["stages"]}


def lead(con, lead_id: str) -> dict:
    cursor = con.execute("SELECT * FROM leads WHERE lead_id = $id", {"id": lead_id})
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


def test_hubspot_export_with_a_bad_row(empty_db):
    result = checked(empty_db, "hubspot_contacts.csv")
    assert result.source == "hubspot"
    assert [str(p) for p in result.problems] == [
        "hubspot_contacts.csv, line 6, column Create Date: not a date or time (value 'not a date')"]
    assert (result.leads_new, result.leads_updated, result.leads_unchanged) == (4, 0, 0)
    with pytest.raises(ImportRejected):
        commit(empty_db, result)  # rejected rows and no consent: nothing written
    assert empty_db.execute("SELECT count(*) FROM leads").fetchone() == (0,)
    summary = commit(empty_db, result, accept_valid=True)
    assert summary.leads_new == 4
    # 103 skipped MQL (SQL only) and counts as MQL and SAL; 101 went all the way.
    # HubSpot exports have no SAL date: "not in your data" (None), not a copy of the SQL count.
    assert funnel(empty_db) == {"lead": 4, "mql": 3, "sal": None, "sql": 2, "opportunity": 1, "won": 1}
    taro = lead(empty_db, "hubspot:101")
    assert (taro["channel"], taro["company"], taro["company_size"], taro["owner"], taro["job_title"]) == (
        "seo", "株式会社髙島製作所", "50-299", "佐藤 健", "部長")
    # A zoned timestamp (08:00 UTC) lands in the data's zone (Asia/Tokyo).
    assert lead(empty_db, "hubspot:103")["created_at"] == datetime(2025, 4, 3, 17, 0)
    assert lead(empty_db, "hubspot:104")["created_at"] == datetime(2025, 4, 15, 14, 30)


def test_reimport_is_idempotent_and_a_newer_export_loses_nothing(empty_db, tmp_path):
    commit(empty_db, checked(empty_db, "hubspot_contacts.csv"), accept_valid=True)
    again = checked(empty_db, "hubspot_contacts.csv")
    assert (again.leads_new, again.leads_updated, again.leads_unchanged) == (0, 0, 4)
    before = empty_db.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()
    commit(empty_db, again, accept_valid=True)
    assert empty_db.execute("SELECT * FROM leads ORDER BY lead_id").fetchall() == before
    # A newer export: 102 became a customer, 101's MQL date is blank, 103 and 104 are missing.
    newer = (EXPORTS / "hubspot_contacts.csv").read_text(encoding="utf-8-sig").splitlines()
    header, taro, hanako = newer[0], newer[1], newer[2]
    taro = taro.replace("2025-04-03 10:00", "")
    hanako = hanako.replace(",,,,60,", ",2025-04-20 10:00,2025-04-22 10:00,2025-05-30 10:00,60,")
    (tmp_path / "newer.csv").write_text("\n".join([header, taro, hanako]), encoding="utf-8")
    upload = Upload("newer.csv", (tmp_path / "newer.csv").read_bytes())
    update = check(empty_db, [upload], [read_table(upload.data, upload.name)], PRESETS["hubspot"])
    assert (update.leads_new, update.leads_updated, update.leads_unchanged) == (0, 1, 1)
    commit(empty_db, update)
    assert lead(empty_db, "hubspot:101")["mql_at"] == datetime(2025, 4, 3, 10, 0)  # a blank never erases
    assert lead(empty_db, "hubspot:102")["won_at"] == datetime(2025, 5, 30, 10, 0)
    assert empty_db.execute("SELECT count(*) FROM leads").fetchone() == (4,)  # nobody deleted
    log = empty_db.execute("SELECT files, source, rows_read, rows_rejected, leads_new, leads_updated "
                           "FROM import_log ORDER BY imported_at, files").fetchall()
    assert log == [("hubspot_contacts.csv", "hubspot", 5, 1, 4, 0), ("hubspot_contacts.csv", "hubspot", 5, 1, 0, 0),
                   ("newer.csv", "hubspot", 2, 0, 0, 1)]


def test_salesforce_leads_joined_with_opportunities(empty_db):
    result = checked(empty_db, "salesforce_leads.csv", "salesforce_opportunities.csv")
    assert result.source == "salesforce" and not result.problems
    commit(empty_db, result)
    # Salesforce leads carry no MQL or SAL date: those stages are not in the data.
    assert funnel(empty_db) == {"lead": 4, "mql": None, "sal": None, "sql": 2, "opportunity": 2, "won": 1}
    won = lead(empty_db, "salesforce:00Q000000000001")
    assert (won["channel"], won["sql_at"], won["won_at"], won["amount"]) == (
        "seo", datetime(2025, 4, 10), datetime(2025, 5, 20), 1_200_000)
    lost = lead(empty_db, "salesforce:00Q000000000002")
    assert (lost["channel"], lost["lost_at"], lost["won_at"]) == ("trade_show", datetime(2025, 5, 25), None)
    assert lead(empty_db, "salesforce:00Q000000000003")["company_size"] == "1000+"


def test_mautic_contacts_and_points_log(empty_db):
    result = checked(empty_db, "mautic_contacts.csv", "mautic_points.csv")
    assert result.source == "mautic"
    assert [(p.column, p.value, p.reason) for p in result.problems] == [
        ("lead_id", "mautic:3", "no such lead (not stored, not in this import)")]
    commit(empty_db, result, accept_valid=True)
    rows = empty_db.execute("SELECT lead_id, activity_type FROM activities ORDER BY occurred_at").fetchall()
    assert rows == [("mautic:1", "email_open"), ("mautic:1", "page_view"), ("mautic:2", "contact_form"),
                    ("mautic:2", "whitepaper_download")]


def test_japanese_cp932_spreadsheet(empty_db):
    result = checked(empty_db, "japanese_leads_cp932.csv")
    assert result.source == "generic" and not result.problems
    assert result.prepared.leads.height == 3
    commit(empty_db, result)
    assert [r[0] for r in empty_db.execute("SELECT company FROM leads ORDER BY lead_id").fetchall()] == [
        "㈱髙橋製作所", "テスト①商会", "髙島屋商事\\大阪支店"]
    j1 = lead(empty_db, "J1")
    assert (j1["channel"], j1["created_at"], j1["sql_at"], j1["won_at"], j1["amount"]) == (
        "trade_show", datetime(2025, 4, 1), datetime(2025, 4, 10), datetime(2025, 5, 1), 1_000_000)
    assert lead(empty_db, "J2")["created_at"] == datetime(2025, 4, 2, 9, 5)  # full-width digits
    # The sheet has MQL日, 商談化日 and 受注日: SAL and opportunity are not in the data.
    assert funnel(empty_db) == {"lead": 3, "mql": 2, "sal": None, "sql": 1, "opportunity": None, "won": 1}


def test_header_guess_and_saved_mapping_offered_again(empty_db):
    table = read_table((EXPORTS / "japanese_leads_cp932.csv").read_bytes(), "j.csv")
    guessed = guess_mapping(table.frame.columns, PRESETS["generic"])
    assert guessed == {"lead_id": "顧客ID", "created_at": "登録日", "channel": "流入経路", "company": "会社名",
                       "owner": "担当者", "mql_at": "MQL日", "sql_at": "商談化日", "won_at": "受注日",
                       "amount": "受注金額", "email": "メールアドレス"}
    corrected = {**guessed, "lead_id": "メールアドレス"}
    save_mapping(empty_db, "名簿 (email as id)", table.frame.columns, "generic", corrected)
    offered = mappings_for(empty_db, list(reversed(table.frame.columns)))  # same headers, any order
    assert [(m.name, m.mapping["lead_id"]) for m in offered] == [("名簿 (email as id)", "メールアドレス")]
    assert mappings_for(empty_db, ["other", "headers"]) == []


def test_rejected_rows_report_names_file_line_and_column(empty_db, tmp_path):
    text = ("顧客ID,登録日,MQL日,受注金額\n"
            "K1,2025-04-01,2025-03-01,100\n"      # MQL before creation: a warning only
            ",2025-04-02,,\n"                     # no id
            "K3,2025-04-03,,lots\n"               # not a number
            "K3,2025-04-04,,\n")                  # K3 twice
    upload = Upload("名簿.csv", text.encode("utf-8"))
    result = check(empty_db, [upload], [read_table(upload.data, upload.name)], PRESETS["generic"])
    report = result.report()
    assert report.select("severity", "line", "column", "reason").rows() == [
        ("rejected", 3, "顧客ID", "the lead id is empty"),
        ("rejected", 4, "受注金額", "not a number (write 1234567 or 1,234,567.89; ¥, 円 and 万 are fine; "
                                    "a decimal comma is not)"),
        ("rejected", 4, "顧客ID", "this id appears more than once in the file"),
        ("rejected", 5, "顧客ID", "this id appears more than once in the file"),
        ("warning", 2, "MQL日", "mql date is before the created date"),
    ]
    assert result.prepared.leads["lead_id"].to_list() == ["K1"]
    assert isinstance(report, pl.DataFrame) and report["file"].unique().to_list() == ["名簿.csv"]


def test_utf16_tab_separated_and_xlsx(empty_db, tmp_path):
    from openpyxl import Workbook

    text = "顧客ID\t会社名\t登録日\tMQL日\nU1\t㈱テスト\t2025/04/01 9:05\t2025-04-02\n"
    utf16 = Upload("unicode.txt", text.encode("utf-16"))
    table = read_table(utf16.data, utf16.name)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    commit(empty_db, check(empty_db, [utf16], [table], PRESETS["generic"]))
    book = Workbook()
    sheet = book.active
    sheet.append(["顧客ID", "会社名", "登録日", "MQL日"])
    sheet.append(["X1", "株式会社エクセル", datetime(2025, 4, 3, 10, 0), 45755])  # a serial day number
    path = tmp_path / "leads.xlsx"
    book.save(path)
    xlsx = Upload("leads.xlsx", path.read_bytes())
    commit(empty_db, check(empty_db, [xlsx], [read_table(xlsx.data, xlsx.name)], PRESETS["generic"]))
    assert lead(empty_db, "U1")["created_at"] == datetime(2025, 4, 1, 9, 5)
    x1 = lead(empty_db, "X1")
    assert (x1["created_at"], x1["mql_at"]) == (datetime(2025, 4, 3, 10, 0), datetime(2025, 4, 8))


def test_a_parquet_export_with_typed_columns(empty_db, tmp_path):
    """Parquet keeps types: timestamps, dates, numbers and nulls arrive as the text the presets read (a datetime
    column once stopped every Parquet import with a Polars error)."""
    path = tmp_path / "contacts.parquet"
    pl.DataFrame({
        "顧客ID": ["P1", "P2"], "会社名": ["株式会社パーケット", None],
        "登録日": [datetime(2025, 5, 1, 9, 30), datetime(2025, 5, 2, 14, 0)],
        "MQL日": [date(2025, 5, 3), None], "受注金額": [1_200_000.0, None],
    }).write_parquet(path)
    upload = Upload("contacts.parquet", path.read_bytes())
    table = read_table(upload.data, upload.name)
    assert table.frame["登録日"].to_list() == ["2025-05-01 09:30:00", "2025-05-02 14:00:00"]
    assert table.frame["会社名"].to_list() == ["株式会社パーケット", None]
    commit(empty_db, check(empty_db, [upload], [table], PRESETS["generic"]))
    p1, p2 = lead(empty_db, "P1"), lead(empty_db, "P2")
    assert (p1["created_at"], p1["mql_at"], p1["company"]) == (datetime(2025, 5, 1, 9, 30), datetime(2025, 5, 3),
                                                               "株式会社パーケット")
    assert (p2["created_at"], p2["mql_at"], p2["company"]) == (datetime(2025, 5, 2, 14, 0), None, None)


def test_unreadable_files_name_the_file(tmp_path):
    from leadfunnel.ingest.readers import UnreadableFile

    with pytest.raises(UnreadableFile, match=r"broken\.xlsx: not an XLSX file"):
        read_table(b"not a zip", "broken.xlsx")
    with pytest.raises(UnreadableFile, match=r"bad\.csv: line 2 is not valid utf-8"):
        read_table("a,b\n\u00e9,x\n".encode("latin-1"), "bad.csv", encoding="utf-8")


def test_an_activity_log_with_channel_and_campaign_columns(empty_db):
    """#18: a spreadsheet's activity log with 流入経路 and キャンペーン (CP932, as Excel saves it) fills the
    activities' channel (as a channel key) and campaign; a log without them still reads, with both empty."""
    leads = Upload("リード.csv", "リードID,登録日,流入経路\nR1,2025-04-01 09:00,展示会\n".encode("cp932"))
    log = Upload("活動.csv", ("リードID,日時,活動,流入経路,キャンペーン\n"
                             "R1,2025-04-02 10:00,ウェビナー参加,ウェビナー,春のウェビナー\n"
                             "R1,2025-04-03 10:00,メール開封,,\n").encode("cp932"))
    tables = [read_table(u.data, u.name) for u in (leads, log)]
    commit(empty_db, check(empty_db, [leads, log], tables, PRESETS["generic"]))
    rows = empty_db.execute("SELECT activity_type, channel, campaign FROM activities ORDER BY occurred_at").fetchall()
    assert rows == [("webinar_attended", "webinar", "春のウェビナー"), ("email_open", None, None)]


def test_hubspot_latest_source_is_a_touch_and_a_newer_export_adds_the_next(empty_db):
    """#18: HubSpot's Latest Source (with its drill-down and date) on a contact row becomes a `source_touch` activity
    with that channel; importing the same export again adds nothing, a newer latest source adds a touch."""
    header = "Record ID,Create Date,Original Source,Lifecycle Stage,Latest Source,Latest Source Drill-Down 1," \
             "Latest Source Date\n"
    first = Upload("contacts.csv", (header + "7,2025-04-01 09:00,Organic Search,lead,Paid Search,spring-brand,"
                                    "2025-04-10 12:00\n").encode())
    later = Upload("contacts-may.csv", (header + "7,2025-04-01 09:00,Organic Search,lead,Email Marketing,"
                                        "may-newsletter,2025-05-02 08:00\n").encode())
    for upload in (first, first, later):
        table = read_table(upload.data, upload.name)
        assert guess_preset(table.frame.columns).key == "hubspot"
        commit(empty_db, check(empty_db, [upload], [table], PRESETS["hubspot"]))
    assert empty_db.execute("SELECT occurred_at, activity_type, channel, campaign FROM activities "
                            "ORDER BY occurred_at").fetchall() == [
        (datetime(2025, 4, 10, 12), "source_touch", "listing_ads", "spring-brand"),
        (datetime(2025, 5, 2, 8), "source_touch", "email_newsletter", "may-newsletter")]
    assert empty_db.execute("SELECT channel FROM leads").fetchall() == [("seo",)]  # first touch stays


def test_salesforce_campaign_members_who_responded_are_touches(empty_db):
    leads = checked(empty_db, "salesforce_leads.csv")
    commit(empty_db, leads, accept_valid=True)
    lead_id = empty_db.execute("SELECT lead_id FROM leads ORDER BY lead_id LIMIT 1").fetchone()[0]
    raw_id = lead_id.removeprefix("salesforce:")
    members = Upload("campaign_members.csv", (
        "Campaign Name,Campaign Type,Lead ID,Status,First Responded Date\n"
        f"Spring Webinar,Webinar,{raw_id},Responded,2025-04-20\n"
        f"Tokyo Expo,Trade Show,{raw_id},Sent,\n").encode())
    table = read_table(members.data, members.name)
    result = check(empty_db, [members], [table], PRESETS["salesforce"])
    assert not result.problems
    commit(empty_db, result)
    assert empty_db.execute("SELECT lead_id, activity_type, channel, campaign FROM activities").fetchall() == [
        (lead_id, "webinar_attended", "webinar", "Spring Webinar")]  # the expo member never responded


def test_mautic_utm_tags_are_touches(empty_db):
    """Mautic's UTM tags export (a contact's visits with utm_source and utm_campaign, no event name) reads as
    `source_touch` activities with the source as the channel."""
    commit(empty_db, checked(empty_db, "mautic_contacts.csv"))
    tags = Upload("utm_tags.csv", b"contact_id,date_added,utm_source,utm_campaign,url\n"
                                  b"1,2025-04-12 10:00,webinar,spring,https://example.com/w\n")
    table = read_table(tags.data, tags.name)
    commit(empty_db, check(empty_db, [tags], [table], PRESETS["mautic"]))
    assert empty_db.execute("SELECT lead_id, activity_type, channel, campaign FROM activities").fetchall() == [
        ("mautic:1", "source_touch", "webinar", "spring")]
