"""The Data page through AppTest: upload → preview → mapping → check → import, and the demo's guard."""

from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY
from tests.conftest import FIXTURES

EXPORTS = FIXTURES / "exports"


def open_data(monkeypatch, db_file) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page("pages/data.py").run()
    assert not app.exception
    return app


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_upload_map_check_and_import_a_japanese_cp932_file(monkeypatch, small_app_db):
    app = open_data(monkeypatch, small_app_db)
    data = (EXPORTS / "japanese_leads_cp932.csv").read_bytes()
    app.file_uploader(key="uploads").set_value(("名簿.csv", data, "text/csv")).run()
    assert not app.exception
    assert app.selectbox(key="preset").value == "generic"
    assert app.selectbox(key="map:generic:None:lead_id").value == "顧客ID"
    assert app.dataframe[0].value["会社名"].tolist() == ["㈱髙橋製作所", "テスト①商会", "髙島屋商事\\大阪支店"]
    assert (metric(app, "Leads to import"), metric(app, "New"), metric(app, "Rejected rows")) == ("3", "3", "0")
    import_button = next(b for b in app.button if b.label == "Import")
    import_button.click().run()
    assert not app.exception
    from leadfunnel.ui.session import runner_for

    stored = runner_for(small_app_db).con.execute("SELECT company FROM leads WHERE lead_id LIKE 'J%' "
                                                    "ORDER BY lead_id").fetchall()
    assert stored == [("㈱髙橋製作所",), ("テスト①商会",), ("髙島屋商事\\大阪支店",)]
    assert "3 new" in app.success[0].value


def test_rejected_rows_need_consent_and_a_saved_mapping_comes_back(monkeypatch, small_app_db):
    app = open_data(monkeypatch, small_app_db)
    data = (EXPORTS / "hubspot_contacts.csv").read_bytes()
    app.file_uploader(key="uploads").set_value(("contacts.csv", data, "text/csv")).run()
    assert app.selectbox(key="preset").value == "hubspot"
    assert metric(app, "Rejected rows") == "1"
    assert next(b for b in app.button if b.label == "Import").disabled
    app.text_input(key="mapping_name").input("HubSpot 標準").run()
    next(b for b in app.button if b.label == "Save mapping").click().run()
    assert app.selectbox(key="saved_mapping").options == ["none — use the guess", "HubSpot 標準"]
    assert app.selectbox(key="saved_mapping").value == "HubSpot 標準"
    app.checkbox(key="accept_valid").check().run()
    next(b for b in app.button if b.label == "Import").click().run()
    # After the import: the summary on top, counts that include the new leads, an empty upload box.
    assert "4 new" in app.success[0].value
    assert "11 leads" in app.caption[0].value and "last import: never" not in app.caption[0].value
    assert not app.file_uploader(key="uploads1").value
    assert "HubSpot contacts export" in app.dataframe[-1].value["source"].tolist()  # labels, never raw keys


def test_the_demo_database_is_never_imported_into(monkeypatch, demo_app_db, tmp_path):
    monkeypatch.setattr("leadfunnel.paths.DATA_DIR", tmp_path)
    app = open_data(monkeypatch, demo_app_db)
    assert "demo data" in app.info[0].value
    assert not app.file_uploader  # no upload on the demo
    app.button[0].click().run()  # "Create and switch to it" with the suggested name
    assert not app.exception
    assert (tmp_path / "company.duckdb").exists()
    assert "company.duckdb" in app.caption[0].value
    assert app.file_uploader(key="uploads") is not None


def test_source_values_are_mapped_to_channels_and_saved_with_the_mapping(monkeypatch, small_app_db, tmp_path):
    """#13: 'display' and 'social' are read as Display ads and SNS posts; a value can be mapped by hand, and the
    saved mapping brings the choice back for the next file with these columns."""
    from tests.own_export import own_export

    app = open_data(monkeypatch, small_app_db)
    app.file_uploader(key="uploads").set_value(("リード一覧.csv", own_export(tmp_path).read_bytes(), "text/csv")).run()
    assert not app.exception
    editor = next(e for e in app.dataframe if "source" in e.value.columns)
    guessed = dict(zip(editor.value["source"], editor.value["channel"], strict=True))
    assert (guessed["display"], guessed["social"], guessed["展示会"]) == ("Display ads", "SNS posts", "Trade show")
    app.text_input(key="mapping_name").input("名簿").run()
    next(b for b in app.button if b.label == "Save mapping").click().run()
    from leadfunnel.ingest.saved_mappings import load_mapping
    from leadfunnel.ui.session import runner_for

    saved = load_mapping(runner_for(small_app_db).con, "名簿")
    assert saved.channel_values["display"] == "display_ads" and saved.channel_values["SEO"] == "seo"


def test_spend_is_checked_then_imported_and_a_newer_amount_replaces_the_stored_one(monkeypatch, small_app_db):
    import duckdb

    app = open_data(monkeypatch, small_app_db)
    bad = b"month,channel,campaign,amount\n2025-13,seo,,100\n2025-01,seo,,-5\n"
    app.file_uploader(key="spend_file0").set_value(("費用.csv", bad, "text/csv")).run()
    assert not app.exception
    assert app.error[0].value.startswith("費用.csv: 2 problem(s), nothing imported.")
    assert not any(b.key == "spend_import" for b in app.button)
    good = (FIXTURES / "attribution" / "spend.csv").read_bytes()
    app.file_uploader(key="spend_file0").set_value(("費用.csv", good, "text/csv")).run()
    assert any(c.value.startswith("8 rows read, all valid.") for c in app.caption)
    app.button(key="spend_import").click().run()
    assert not app.exception
    assert any(s.value.startswith("Spend imported: 8 amounts added, 0 stored amounts replaced") for s in app.success)
    newer = "month,channel,campaign,amount\n2025年1月,seo,,350000\n".encode("cp932")  # Excel's Japanese CSV
    app.file_uploader(key="spend_file1").set_value(("費用2.csv", newer, "text/csv")).run()
    app.button(key="spend_import").click().run()
    assert any(s.value.startswith("Spend imported: 0 amounts added, 1 stored amounts replaced") for s in app.success)
    con = duckdb.connect(str(small_app_db), read_only=True)
    try:
        assert con.execute("SELECT amount FROM spend WHERE month = '2025-01' AND channel = 'seo'").fetchone() == (
            350_000,)
    finally:
        con.close()
