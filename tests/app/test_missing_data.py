"""#13: missing data is said, not shown as bad performance; a worse suggestion is not offered as the better one;
the comparison period is calendar-aware and can be last year."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from leadfunnel.cli import app as cli_app
from leadfunnel.scoring.learn import Suggestion
from tests.app.test_pages import ENTRY


def open_page(monkeypatch, db: Path, page: str, **state) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db))
    app = AppTest.from_file(ENTRY, default_timeout=90)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    return app


def test_no_sales_touches_is_said_not_shown_as_zero_compliance(monkeypatch, own_db):
    app = open_page(monkeypatch, own_db, "pages/sla.py")
    assert any("No sales touches in this data" in info.value for info in app.info)
    assert "Compliance" not in [m.label for m in app.metric]  # no 0.0 %, no "breached" for missing data
    report = json.loads(CliRunner().invoke(cli_app, ["report", "sla", "--db", str(own_db)]).stdout)
    assert report["sales_touches_in_data"] is False
    assert report["compliance_rate"] is None and report["breached"] is None and report["handed_over"] > 0


def test_no_activities_is_said_not_shown_as_an_empty_backtest(monkeypatch, own_db):
    app = open_page(monkeypatch, own_db, "pages/scoring.py")
    assert any("no activities" in info.value for info in app.info)
    assert "Recall" not in [m.label for m in app.metric]


def test_a_learned_suggestion_worse_than_the_rules_is_labelled_so(monkeypatch, scoring_app_db):
    worse = Suggestion(points={"email_open": 1.0}, coefficients={}, holdout_auc_current=0.64,
                       holdout_auc_suggested=0.61, train_leads=10, holdout_leads=5)
    monkeypatch.setattr("leadfunnel.ui.scoring_sections.learned_weights", lambda *args: worse)
    app = open_page(monkeypatch, scoring_app_db, "pages/scoring.py")
    assert any("rank worse (AUC 0.61) than the current rules (0.64)" in w.value for w in app.warning)
    labels = [b.label for b in app.button]
    assert "Use the suggestion as a new rule set" not in labels
    assert "Save the learned weights anyway" in labels


def test_the_comparison_can_be_the_same_period_last_year(monkeypatch, small_app_db):
    quarter = (date(2025, 1, 1), date(2025, 3, 31))
    previous = open_page(monkeypatch, small_app_db, "pages/funnel.py", date_range=quarter)
    assert any("2024-10-01 to 2024-12-31" in c.value for c in previous.caption)  # Q1 → Q4, not 90 days before
    last_year = open_page(monkeypatch, small_app_db, "pages/funnel.py", date_range=quarter, compare="last_year")
    assert any("2024-01-01 to 2024-03-31" in c.value for c in last_year.caption)


def test_a_kept_date_range_outside_the_data_is_brought_inside_it(monkeypatch, small_app_db):
    """Whatever the session kept (another database's range, a stale tab), the page opens within the data."""
    app = open_page(monkeypatch, small_app_db, "pages/funnel.py", date_range=(date(2025, 4, 1), date(2026, 9, 30)))
    assert not app.error
    assert app.date_input(key="date_range").value == (date(2025, 4, 1), date(2025, 5, 1))


def test_a_stage_the_data_never_had_reads_as_such_whole(monkeypatch, tmp_path):
    """MQL and won dates only (a public export joined in a sheet): the SQL metric is "–" with "データなし" under it —
    as the value, in a fifth of the page, it was cut to "データ…"."""
    from leadfunnel import database
    from leadfunnel.ingest.canonical import import_canonical

    header = "lead_id,created_at,channel,company,industry,company_size,owner,mql_at,sal_at,sql_at,opportunity_at," \
             "won_at,lost_at,amount"
    (tmp_path / "leads.csv").write_text(
        f"{header}\nM1,2025-01-01,seo,,,,,2025-01-05,,,,2025-01-25,,\nM2,2025-01-02,seo,,,,,2025-01-10,,,,,,\n",
        encoding="utf-8")
    con = database.connect(tmp_path / "gaps.duckdb")
    database.initialise(con)
    import_canonical(con, [tmp_path / "leads.csv"])
    con.close()
    monkeypatch.setenv("LEADFUNNEL_DB", str(tmp_path / "gaps.duckdb"))
    app = AppTest.from_file(ENTRY, default_timeout=90)
    app.query_params["lang"] = "ja"
    app.run()
    assert not app.exception
    shown = {metric.label: (metric.value, metric.delta) for metric in app.metric}
    assert shown["SQL"] == ("–", "データなし")
    assert shown["MQL"][0] == "2" and shown["受注"][0] == "1"
