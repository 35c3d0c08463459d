"""Every page through Streamlit's AppTest: the fixture's numbers on screen, the demo without errors."""

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import fixture_database

ENTRY = str(Path(__file__).resolve().parents[2] / "dashboard.py")
PAGES = ("pages/funnel.py", "pages/channels.py", "pages/scoring.py", "pages/sla.py", "pages/pipeline.py",
         "pages/velocity.py", "pages/data.py")


def fixture_app(monkeypatch, tmp_path, name: str) -> Path:
    """The app on a database made from tests/fixtures/<name>."""
    path = fixture_database(tmp_path, name)
    monkeypatch.setenv("LEADFUNNEL_DB", str(path))
    return path


def open_app(monkeypatch, db_file) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    return app.run()


def metrics(app: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_data(monkeypatch, demo_app_db, page):
    app = open_app(monkeypatch, demo_app_db)
    app.switch_page(page).run()
    assert not app.exception
    assert app.title[0].value in ("Funnel", "Channels", "Lead scoring", "SLA: hand-over follow-up",
                                  "Pipeline: stuck leads", "Pipeline velocity", "Data")


def test_funnel_shows_the_fixture_numbers_with_deltas(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db)
    app.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 1, 31)))
    app.radio(key="mode").set_value("cohort").run()
    assert not app.exception
    shown = metrics(app)
    # January cohort: A1–A3; the previous period (December) holds only A7 (lead, MQL).
    assert shown["Lead"] == ("3", "+2")
    assert shown["MQL"] == ("3", "+2")
    assert shown["SQL"] == ("1", "+1")
    assert shown["Won"] == ("1", "+1")
    assert shown["Lead → won"] == ("33.3%", "+33.3 pt")
    table = app.dataframe[0].value
    assert table["Leads"].tolist() == ["3", "3", "2", "1", "1", "1"]
    assert table["From previous"].tolist() == ["–", "100.0%", "66.7%", "50.0%", "100.0%", "100.0%"]
    assert table["Median days"].tolist()[:3] == ["–", "5.0 days", "1.5 days"]


def test_period_mode_and_channel_filter(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db)
    app.date_input(key="date_range").set_value((date(2025, 2, 1), date(2025, 2, 28)))
    app.multiselect(key="channels").set_value(["seo", "referral"]).run()
    # Period February, seo + referral: leads A4, A5; MQL A3, A4; SQL A4; no win (A1 is webinar).
    shown = metrics(app)
    assert (shown["Lead"][0], shown["MQL"][0], shown["SQL"][0], shown["Won"][0]) == ("2", "2", "1", "0")


def test_channels_page_table(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db)
    app.switch_page("pages/channels.py")
    app.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 3, 31)))
    app.radio(key="mode").set_value("cohort").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert table["channel"].tolist() == ["SEO / owned media", "Webinar", "Referral", "Trade show"]
    assert table["won"].tolist() == [1, 1, 0, 0]


def test_empty_selection_explains_itself(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db)
    app.date_input(key="date_range").set_value((date(2025, 3, 2), date(2025, 3, 3))).run()
    assert not app.exception
    assert "No leads match" in app.info[0].value


def test_missing_database_gives_a_plain_message(monkeypatch, tmp_path):
    app = open_app(monkeypatch, tmp_path / "nope.duckdb")
    assert not app.exception
    assert "does not exist" in app.error[0].value


def test_bundled_demo_survives_a_rerun(monkeypatch, demo_app_db):
    # The bundled demo path is checked (and built if missing) once, before the app's connection opens.
    monkeypatch.setattr("leadfunnel.ui.session.DEMO_DATABASE", demo_app_db)
    monkeypatch.setattr("leadfunnel.ui.session._demo_checked", set())
    app = open_app(monkeypatch, demo_app_db)
    app.radio(key="mode").set_value("cohort").run()
    app.switch_page("pages/channels.py").run()
    assert not app.exception
    assert app.title[0].value == "Channels"


def test_the_apps_connection_cannot_reach_other_files(monkeypatch, small_app_db):
    import duckdb

    from leadfunnel.ui.session import runner_for

    app = open_app(monkeypatch, small_app_db)
    assert not app.exception
    con = runner_for(small_app_db).con
    for statement in ("SELECT * FROM read_csv('/etc/hostname')", "ATTACH '/tmp/other.duckdb'",
                      "COPY leads TO '/tmp/leads-leak.csv'"):
        with pytest.raises(duckdb.PermissionException):
            con.execute(statement)
    with pytest.raises(duckdb.InvalidInputException, match="Cannot change configuration"):
        con.execute("SET enable_external_access = true")
    assert con.execute("SELECT current_setting('threads') >= 1, current_setting('memory_limit')").fetchone() == (
        True, "1.8 GiB")


def test_pipeline_page_on_the_aging_fixture(monkeypatch, tmp_path):
    """#17: tests/fixtures/aging at 2025-03-10 12:00 (its README): 7 open leads, 4 stuck, the oldest first."""
    fixture_app(monkeypatch, tmp_path, "aging")
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params["as_of"] = "2025-03-10T12:00"
    app.run()
    app.switch_page("pages/pipeline.py").run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric} == {"Open leads": "7", "Stuck": "4",
                                                      "Stuck share of open leads": "57.1%"}
    stages = app.dataframe[0].value
    assert stages["Stage"].tolist() == ["Lead", "MQL", "SAL", "SQL", "Opportunity"]
    assert stages["Stuck"].tolist() == ["–", "2", "1", "1", "0"]
    assert stages["Median age"].tolist()[:2] == ["36.8 days", "9.0 days"]
    stuck = app.dataframe[-1].value
    assert stuck["lead_id"].tolist() == ["P3", "P6", "P1", "P7"]
    assert stuck["reason"].tolist()[0] == "No owner" and stuck["owner"].tolist()[0] == "–"
    # Limits from a link are tried in this session, not saved; the link keeps them.
    tried = AppTest.from_file(ENTRY, default_timeout=60)
    tried.query_params["as_of"] = "2025-03-10T12:00"
    tried.query_params["limits"] = "mql:9.25,sql:20"
    tried.run()
    tried.switch_page("pages/pipeline.py").run()
    assert not tried.exception
    assert {m.label: m.value for m in tried.metric}["Stuck"] == "2"  # P6 (MQL 9.5 > 9.25) and P7 (SAL, 5 kept)
    assert tried.query_params["limits"] == "mql:9.25,sal:5,sql:20,opportunity:30"
    assert app.query_params.get("limits") is None




def test_velocity_page_on_the_fixture_factor_by_factor(monkeypatch, tmp_path):
    """#17 part 2: tests/fixtures/velocity, Q1 2025 against Q4 2024 (its README)."""
    fixture_app(monkeypatch, tmp_path, "velocity")
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params["from"], app.query_params["to"] = "2025-01-01", "2025-03-31"
    app.run()
    app.switch_page("pages/velocity.py").run()
    assert not app.exception
    assert metrics(app) == {"Velocity per day": ("¥281,250", "+¥261,250"), "Opportunities": ("5", "+3"),
                            "Win rate": ("75.0%", "+25.0 pt"), "Average won amount": ("¥1,500,000", "+¥900,000"),
                            "Average sales cycle": ("20.0 days", "-10.0 days")}
    assert "**5** opportunities × **75.0%** win rate" in " ".join(m.value for m in app.markdown)
    channels = app.dataframe[0].value
    assert channels["Channel"].tolist() == ["SEO / owned media", "Webinar"]
    assert channels["Velocity"].tolist() == ["¥100,000 / day", "–"]  # webinar: its won deal has no amount
    assert channels["Average won amount"].tolist() == ["¥1,500,000", "–"]
    from leadfunnel.i18n import set_language

    set_language("ja")  # AppTest formats widget values with their format_func in this thread
    try:
        japanese = AppTest.from_file(ENTRY, default_timeout=60)
        japanese.query_params.update({"from": "2025-01-01", "to": "2025-03-31", "lang": "ja", "money": "man"})
        japanese.run()
        japanese.switch_page("pages/velocity.py").run()
        assert not japanese.exception
        assert metrics(japanese)["日次ベロシティ"] == ("28.1万円", "+26.1万円")
    finally:
        set_language("en")


def test_velocity_page_says_so_when_the_view_has_no_opportunity(monkeypatch, tmp_path):
    fixture_app(monkeypatch, tmp_path, "velocity")
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params.update({"from": "2025-03-01", "to": "2025-03-31", "owner": "佐藤 健"})
    app.run()
    app.switch_page("pages/velocity.py").run()
    assert not app.exception
    assert not app.metric
    assert app.info[0].value == "No lead became an opportunity in this date range and view."


def test_velocity_page_without_opportunity_dates_says_what_is_missing(monkeypatch, tmp_path):
    """The aging fixture has no opportunity dates: every won lead would have a 0-day cycle, so no velocity."""
    fixture_app(monkeypatch, tmp_path, "aging")
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page("pages/velocity.py").run()
    assert not app.exception
    assert not app.metric and not app.get("plotly_chart")
    assert app.info[0].value.startswith("Your data has no opportunity dates, so velocity cannot be worked out")
