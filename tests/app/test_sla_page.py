"""The SLA page through AppTest on tests/fixtures/sla (numbers from its README)."""

from datetime import date, time

from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY


def open_sla(monkeypatch, db_file) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page("pages/sla.py").run()
    app.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 1, 31)))
    app.date_input(key="as_of_day").set_value(date(2025, 1, 24))
    app.time_input(key="as_of_time").set_value(time(12, 0)).run()
    assert not app.exception
    return app


def shown(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_compliance_in_calendar_hours(monkeypatch, sla_app_db):
    app = open_sla(monkeypatch, sla_app_db)
    metrics = shown(app)
    assert (metrics["Compliance"], metrics["Met"], metrics["Breached"], metrics["Overdue now"],
            metrics["Pending"]) == ("33.3%", "2", "4", "1", "1")
    assert metrics["Median to touch"] == "54.0 h"
    overdue = app.dataframe[2].value
    assert overdue["lead_id"].tolist() == ["H5"]


def test_changing_the_deadline_changes_the_numbers(monkeypatch, sla_app_db):
    app = open_sla(monkeypatch, sla_app_db)
    app.number_input(key="sla_deadline").set_value(72.0)
    app.button[0].click().run()  # the policy form's first button, "Try these settings"
    assert not app.exception
    metrics = shown(app)
    assert (metrics["Compliance"], metrics["Met"], metrics["Breached"], metrics["Overdue now"],
            metrics["Pending"]) == ("80.0%", "4", "1", "0", "2")
    assert any("within 72 calendar hours" in caption.value for caption in app.caption)


def test_business_hours(monkeypatch, sla_app_db):
    app = open_sla(monkeypatch, sla_app_db)
    app.radio(key="sla_clock").set_value("business")
    app.button[0].click().run()
    metrics = shown(app)
    assert (metrics["Compliance"], metrics["Met"], metrics["Pending"], metrics["Median to touch"]) == (
        "100.0%", "5", "2", "9.0 h")


def test_long_lists_show_their_first_rows_and_say_so(monkeypatch, sla_app_db):
    """At a million leads the overdue list runs to tens of thousands: the page shows the first rows (here one)
    with a note, so a rerun sends little to the browser; the downloads keep every row."""
    monkeypatch.setattr("leadfunnel.ui.downloads.DISPLAY_ROWS", 1)
    app = open_sla(monkeypatch, sla_app_db)
    app.date_input(key="as_of_day").set_value(date(2025, 3, 1)).run()  # every hand-over a week old
    assert not app.exception
    waiting = app.dataframe[-1].value  # hand-overs without feedback: H1, H5, H6, H7 (README: H1 only on 01-24)
    assert waiting["lead_id"].tolist() == ["H1"]  # the oldest first
    notes = [c.value for c in app.caption if c.value.startswith("Showing the first")]
    assert notes == ["Showing the first 1 of 4 rows; the CSV and Excel downloads have them all."], notes


def test_trying_settings_writes_nothing_and_saving_records_when(monkeypatch, sla_app_db):
    """#13: looking changes nothing for anyone else; agreeing is an explicit act that records when."""
    from leadfunnel.sla.policy import load_policy, policy_saved_at
    from leadfunnel.ui.session import runner_for

    app = open_sla(monkeypatch, sla_app_db)
    before = sla_app_db.read_bytes()
    app.number_input(key="sla_deadline").set_value(72.0)
    next(b for b in app.button if b.label == "Try these settings").click().run()
    assert shown(app)["Compliance"] == "80.0%"  # the numbers under the tried settings …
    assert any("not the agreed policy" in w.value for w in app.warning)
    assert sla_app_db.read_bytes() == before  # … and nothing written
    next(b for b in app.button if b.label == "Back to the agreed policy").click().run()
    assert shown(app)["Compliance"] == "33.3%"
    app.number_input(key="sla_deadline").set_value(72.0)
    next(b for b in app.button if b.label == "Save as the agreed policy").click().run()
    con = runner_for(sla_app_db).con
    assert load_policy(con).deadline_hours == 72.0
    assert policy_saved_at(con) is not None
    assert any(c.value.startswith("Agreed policy, saved") for c in app.caption)


def test_stage_limits_are_set_in_the_sla_policy_and_read_by_the_pipeline_page(monkeypatch, sla_app_db):
    """#17: the limits are part of the policy: tried on the SLA page, the Pipeline page counts by them; saved, they
    are everyone's (0 = no limit)."""
    from leadfunnel.sla.policy import load_policy
    from leadfunnel.ui.session import runner_for

    app = open_sla(monkeypatch, sla_app_db)
    assert app.number_input(key="sla_limit_mql").value == 7.0 and app.number_input(key="sla_limit_lead").value == 0
    app.number_input(key="sla_limit_mql").set_value(1000.0)
    app.number_input(key="sla_limit_sql").set_value(0.0)
    app.radio(key="sla_aging_clock").set_value("business")
    next(b for b in app.button if b.label == "Try these settings").click().run()
    app.switch_page("pages/pipeline.py").run()
    assert not app.exception
    limits = next(c.value for c in app.caption if c.value.startswith("Limits:"))
    assert limits.startswith("Limits: MQL 1000 days, SAL 5 days, Opportunity 30 days (business days)")
    assert "tried in this session only" in limits
    app.switch_page("pages/sla.py").run()
    app.number_input(key="sla_limit_mql").set_value(3.0)
    next(b for b in app.button if b.label == "Save as the agreed policy").click().run()
    saved = load_policy(runner_for(sla_app_db).con)
    assert saved.stage_limits == (("mql", 3.0), ("sal", 5.0), ("opportunity", 30.0)) and saved.aging_business_days
