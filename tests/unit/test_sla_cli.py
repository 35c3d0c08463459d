"""`python -m leadfunnel report sla` on tests/fixtures/sla (numbers from its README)."""

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
JANUARY = ["--from", "2025-01-01", "--to", "2025-01-31", "--as-of", "2025-01-24T12:00"]


@pytest.fixture(scope="module")
def sla_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sla") / "sla.duckdb"
    con = database.connect(path)
    database.initialise(con)
    sla = FIXTURES / "sla"
    import_canonical(con, [sla / "leads.csv", sla / "activities.csv", sla / "feedback.csv"])
    con.close()
    return path


def report(*args: str) -> dict:
    result = cli.invoke(app, ["report", "sla", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_calendar_hours_json(sla_db):
    result = report("--db", str(sla_db), *JANUARY)
    assert {k: result[k] for k in ("handed_over", "met", "breached", "overdue_open", "pending")} == {
        "handed_over": 7, "met": 2, "breached": 4, "overdue_open": 1, "pending": 1}
    assert result["compliance_rate"] == pytest.approx(1 / 3)
    assert result["median_hours_to_first_touch"] == 54
    assert (result["clock"], result["handover"], result["as_of"]) == ("calendar", "mql", "2025-01-24T12:00:00")


def test_business_hours_and_deadline_options(sla_db):
    business = report("--db", str(sla_db), *JANUARY, "--business-hours")
    assert (business["met"], business["breached"], business["pending"], business["median_hours_to_first_touch"]) == (
        5, 0, 2, 9)
    longer = report("--db", str(sla_db), *JANUARY, "--deadline-hours", "72")
    assert (longer["met"], longer["breached"], longer["compliance_rate"]) == (4, 1, 0.8)
    assert report("--db", str(sla_db), *JANUARY, "--handover", "sal")["handed_over"] == 1


def test_csv_lists_every_hand_over(sla_db):
    result = cli.invoke(app, ["report", "sla", "--db", str(sla_db), *JANUARY, "--format", "csv"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("lead_id,company,channel,owner,handover_at,first_touch_at")
    assert len(lines) == 8
