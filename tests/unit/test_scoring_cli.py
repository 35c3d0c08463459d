"""`python -m leadfunnel report scores` on the scoring fixture (numbers from its README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app
from leadfunnel.ingest.canonical import import_canonical
from tests.conftest import FIXTURES

cli = CliRunner()


@pytest.fixture(scope="module")
def scoring_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scoring") / "scoring.duckdb"
    con = database.connect(path)
    database.initialise(con)
    import_canonical(con, [FIXTURES / "scoring" / "leads.csv", FIXTURES / "scoring" / "activities.csv"])
    con.close()
    return path


def run(*args: str) -> str:
    result = cli.invoke(app, ["report", "scores", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_scores_json_with_default_rules(scoring_db):
    report = json.loads(run("--db", str(scoring_db), "--as-of", "2025-06-01"))
    assert report["as_of"] == "2025-06-01T00:00:00"
    assert (report["threshold"], report["leads"], report["over_threshold"]) == (100, 4, 3)
    assert report["backtest"] == {"outcome": "sql", "positives": 2, "caught": 1, "crossed": 3, "recall": 0.5,
                                  "precision": pytest.approx(1 / 3), "median_lead_days": 10.0}


def test_default_as_of_is_the_latest_timestamp_in_the_data(scoring_db):
    report = json.loads(run("--db", str(scoring_db)))
    assert report["as_of"] == "2025-06-17T00:00:00"  # S5's last contact form, on 06-17, counts (at or before)
    assert report["leads"] == 5


def test_threshold_half_life_and_outcome_options(scoring_db):
    report = json.loads(run("--db", str(scoring_db), "--as-of", "2025-06-01", "--threshold", "70",
                            "--half-life", "10", "--outcome", "won"))
    assert report["over_threshold"] == 0  # everything has decayed by June
    assert report["backtest"]["positives"] == 1
    assert report["backtest"]["caught"] == 1
    assert report["backtest"]["median_lead_days"] == 36.0  # S1 crossed on 03-05, won on 04-10


def test_rules_file(scoring_db, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("name: Forms only\nthreshold: 50\npoints: {contact_form: 50}\n", encoding="utf-8")
    report = json.loads(run("--db", str(scoring_db), "--as-of", "2025-06-01", "--rules", str(rules)))
    assert report["rule_set"] == "Forms only"
    assert (report["over_threshold"], report["backtest"]["crossed"], report["backtest"]["caught"]) == (3, 3, 2)


def test_per_lead_csv_counts_what_happened_at_or_before_the_instant(scoring_db):
    assert run("--db", str(scoring_db), "--as-of", "2025-03-04 23:59", "--per-lead") == (
        "lead_id,score\nS1,30.0\nS2,50.0\nS3,40.0\nS4,100.0\n")
    # S1's contact form at 03-05 00:00 counts as of that very instant, as on every page (leadfunnel.asof).
    assert run("--db", str(scoring_db), "--as-of", "2025-03-05", "--per-lead").splitlines()[1] == "S1,80.0"


def test_bad_rules_file_is_a_plain_error(scoring_db, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("threshold: -1\n", encoding="utf-8")
    result = cli.invoke(app, ["report", "scores", "--db", str(scoring_db), "--rules", str(rules)])
    assert result.exit_code == 1
    assert "threshold must be above 0" in result.output


def test_outcome_offers_only_what_the_backtest_measures(scoring_db):
    """The backtest judges a caught lead by reaching SQL or won; attribution's other conversions are refused."""
    result = cli.invoke(app, ["report", "scores", "--db", str(scoring_db), "--outcome", "mql"])
    assert result.exit_code == 2
    assert "'mql' is not one of 'sql', 'won'" in " ".join(result.output.replace("│", " ").split())


def test_the_cli_choices_are_the_domain_s():
    """The option enums spell exactly the models and conversions the domain defines."""
    from leadfunnel.attribution import MODELS, OUTCOMES
    from leadfunnel.cli.options import ModelChoice, OutcomeChoice

    assert tuple(ModelChoice) == MODELS
    assert tuple(OutcomeChoice) == OUTCOMES
