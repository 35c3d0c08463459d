"""`python -m leadfunnel import` with tool exports: validation report, exit codes, one transaction."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app
from tests.conftest import FIXTURES

cli = CliRunner()
EXPORTS = FIXTURES / "exports"


def leads_in(path) -> int:
    con = database.connect(path, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM leads").fetchone()[0]
    finally:
        con.close()


def test_rejected_rows_stop_the_import_unless_accepted(tmp_path):
    db = str(tmp_path / "team.duckdb")
    refused = cli.invoke(app, ["import", str(EXPORTS / "hubspot_contacts.csv"), "--db", db])
    assert refused.exit_code == 1
    assert "line 6, column Create Date: not a date or time" in refused.output
    assert "nothing was imported" in refused.output
    assert not Path(db).exists()  # a refused import into a new database leaves no file behind
    accepted = cli.invoke(app, ["import", str(EXPORTS / "hubspot_contacts.csv"), "--db", db, "--accept-valid"])
    assert accepted.exit_code == 0, accepted.output
    assert "leads 4 new" in accepted.output
    assert leads_in(db) == 4


def test_dry_run_writes_nothing_and_reports_encoding(tmp_path):
    db = str(tmp_path / "team.duckdb")
    result = cli.invoke(app, ["import", str(EXPORTS / "japanese_leads_cp932.csv"), "--db", db, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "read as cp932, comma-separated, 3 rows" in result.output
    assert "3 leads valid (3 new" in result.output
    assert not Path(db).exists()


def test_salesforce_pair_and_wrong_encoding_override(tmp_path):
    db = str(tmp_path / "team.duckdb")
    both = [str(EXPORTS / "salesforce_leads.csv"), str(EXPORTS / "salesforce_opportunities.csv")]
    assert cli.invoke(app, ["import", *both, "--db", db]).exit_code == 0
    assert leads_in(db) == 4
    wrong = cli.invoke(app, ["import", str(EXPORTS / "japanese_leads_cp932.csv"), "--db", db, "--encoding", "utf-8"])
    assert wrong.exit_code == 1
    assert "japanese_leads_cp932.csv: line 1 is not valid utf-8 text" in wrong.output
