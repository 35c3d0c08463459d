"""The CLI's JSON contract, run in-process through Typer's test runner."""

import json

import pytest
from typer.testing import CliRunner

from leadfunnel.cli import app
from tests.conftest import SMALL_FILES

cli = CliRunner()


def run_json(*args: str) -> dict:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_funnel_json(small_db_file):
    report = run_json("report", "funnel", "--db", str(small_db_file), "--from", "2025-01-01", "--to", "2025-01-31",
                      "--mode", "cohort")
    assert (report["mode"], report["from"], report["to"]) == ("cohort", "2025-01-01", "2025-01-31")
    assert [(s["stage"], s["count"]) for s in report["stages"]] == [
        ("lead", 3), ("mql", 3), ("sal", 2), ("sql", 1), ("opportunity", 1), ("won", 1)]
    assert report["conversion"][0] == {"from": "lead", "to": "mql", "rate": 1.0}
    assert report["conversion"][1]["rate"] == pytest.approx(2 / 3)


def test_funnel_json_period_with_channel(small_db_file):
    report = run_json("report", "funnel", "--db", str(small_db_file), "--from", "2025-02-01", "--to", "2025-02-28",
                      "--mode", "period", "--channel", "webinar")
    assert [s["count"] for s in report["stages"]] == [0, 0, 0, 0, 0, 1]  # only A1's win
    assert report["conversion"][0]["rate"] is None  # a rate over 0 leads is null


def test_channels_json(small_db_file):
    report = run_json("report", "channels", "--db", str(small_db_file), "--from", "2025-01-01", "--to", "2025-03-31",
                      "--mode", "cohort")
    by_channel = {c["channel"]: c for c in report["channels"]}
    webinar = by_channel["webinar"]
    assert {k: webinar[k] for k in ("leads", "mql", "sql", "won", "mql_rate", "sql_rate", "win_rate")} == {
        "leads": 2, "mql": 2, "sql": 1, "won": 1, "mql_rate": 1.0, "sql_rate": 0.5, "win_rate": 1.0}
    assert by_channel["trade_show"]["sql_rate"] is None


def test_csv_output(small_db_file):
    result = cli.invoke(app, ["report", "channels", "--db", str(small_db_file), "--format", "csv", "--mode", "cohort",
                              "--from", "2025-01-01", "--to", "2025-03-31"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("channel,leads,mql,sql,opportunity,won,")
    assert lines[1].startswith("seo,2,2,1,1,1,")


def test_import_creates_database_and_rejects_bad_rows(tmp_path):
    db = tmp_path / "company.duckdb"
    result = cli.invoke(app, ["import", *map(str, SMALL_FILES), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "7 new" in result.stderr
    bad = tmp_path / "leads.csv"
    bad.write_text("lead_id,created_at,channel,company,industry,company_size,owner,mql_at,sal_at,sql_at,"
                   "opportunity_at,won_at,lost_at,amount\nX1,yesterday,seo,,,,,,,,,,,\n", encoding="utf-8")
    result = cli.invoke(app, ["import", str(bad), "--db", str(db)])
    assert result.exit_code == 1
    assert "leads.csv, line 2, column created_at" in result.stderr
    funnel = run_json("report", "funnel", "--db", str(db), "--mode", "cohort")
    assert funnel["stages"][0]["count"] == 7


def test_import_refuses_the_demo_database(tmp_path):
    db = tmp_path / "demo.duckdb"
    assert cli.invoke(app, ["demo", "--db", str(db), "--leads", "50"]).exit_code == 0
    result = cli.invoke(app, ["import", str(SMALL_FILES[0]), "--db", str(db)])
    assert result.exit_code == 1
    assert "demo database" in result.stderr


def test_demo_is_deterministic_and_never_overwrites_imported_data(tmp_path):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for db in (first, second):
        assert cli.invoke(app, ["demo", "--db", str(db), "--leads", "200", "--seed", "7"]).exit_code == 0
    assert run_json("report", "funnel", "--db", str(first)) == run_json("report", "funnel", "--db", str(second))
    user_db = tmp_path / "user.duckdb"
    cli.invoke(app, ["import", *map(str, SMALL_FILES), "--db", str(user_db)])
    result = cli.invoke(app, ["demo", "--db", str(user_db)])
    assert result.exit_code == 1
    assert run_json("report", "funnel", "--db", str(user_db))["stages"][0]["count"] == 7
