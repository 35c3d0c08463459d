"""Schema versions: an older file is upgraded in place with its data kept; a newer or foreign one is refused."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app

cli = CliRunner()


def make_version_1(source: Path, target: Path) -> Path:
    """What schema version 1 wrote: the same data, no scoring tables."""
    shutil.copy(source, target)
    con = database.connect(target)
    for table in ("rule_points", "rule_fit", "rule_sets"):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    return target


def test_reports_upgrade_an_older_file_and_keep_its_data(small_db_file, tmp_path):
    old = make_version_1(small_db_file, tmp_path / "old.duckdb")
    result = cli.invoke(app, ["report", "funnel", "--db", str(old), "--from", "2025-01-01", "--to", "2025-01-31"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stages"][0]["count"] == 3
    con = database.connect(old, read_only=True)
    assert database.schema_version(con) == database.SCHEMA_VERSION
    assert database.read_meta(con, "kind") == "user"
    assert con.execute("SELECT count(*) FROM leads").fetchone() == (7,)
    assert con.execute("SELECT count(*) FROM rule_sets").fetchone() == (0,)
    con.close()


def test_upgrade_command_says_what_it_did(small_db_file, tmp_path):
    old = make_version_1(small_db_file, tmp_path / "old.duckdb")
    first = cli.invoke(app, ["upgrade", "--db", str(old)])
    assert first.exit_code == 0
    assert f"Upgraded {old} to schema version {database.SCHEMA_VERSION}" in " ".join(first.output.split())
    assert cli.invoke(app, ["upgrade", "--db", str(old)]).output == ""  # already current


@pytest.mark.parametrize(("version", "message"), [("99", "written by a newer leadfunnel"),
                                                  (None, "not a leadfunnel database")])
def test_newer_or_foreign_files_are_refused_untouched(small_db_file, tmp_path, version, message):
    path = shutil.copy(small_db_file, tmp_path / "other.duckdb")
    con = database.connect(path)
    if version is None:
        con.execute("DROP TABLE meta")
    else:
        con.execute("UPDATE meta SET value = $v WHERE key = 'schema_version'", {"v": version})
    con.close()
    before = Path(path).read_bytes()
    result = cli.invoke(app, ["report", "funnel", "--db", str(path)])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert Path(path).read_bytes() == before


def test_version_5_file_gains_job_titles_and_role_fit_points(small_db_file, tmp_path):
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.scoring.saved_rules import load_rule_set, save_rule_set

    path = shutil.copy(small_db_file, tmp_path / "v5.duckdb")
    con = database.connect(path)
    con.execute("DROP VIEW lead_stage_times CASCADE")
    con.execute("ALTER TABLE leads DROP COLUMN job_title")
    con.execute("DROP TABLE rule_fit")
    con.execute("CREATE TABLE rule_fit (rule_set VARCHAR NOT NULL, attribute VARCHAR NOT NULL CHECK (attribute IN "
                "('industry', 'company_size', 'channel', 'owner')), value VARCHAR NOT NULL, points DOUBLE NOT NULL, "
                "PRIMARY KEY (rule_set, attribute, value))")
    con.execute("INSERT INTO rule_fit VALUES ('Old', 'industry', 'Retail', 5)")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    assert database.upgrade(con, path)
    assert con.execute("SELECT count(*) FROM leads WHERE job_title IS NULL").fetchone() == (7,)
    assert con.execute("SELECT * FROM rule_fit").fetchall() == [("Old", "industry", "Retail", 5.0)]
    role = DEFAULT_RULES.with_changes(name="By role", fit={("job_title", "部長"): 20})
    save_rule_set(con, role)
    assert load_rule_set(con, "By role") == role
    con.close()


def test_version_11_file_gains_the_schema_12_macros_and_rollup_names(small_db_file, tmp_path):
    from leadfunnel.model import ACTIVITY_TYPES
    from leadfunnel.query import QueryRunner
    from leadfunnel.scoring.scores import current_scores

    path = shutil.copy(small_db_file, tmp_path / "v11.duckdb")
    con = database.connect(path)
    con.execute("DROP MACRO TABLE lead_fit")
    con.execute("DROP MACRO TABLE view_stage_entries")
    for name in ACTIVITY_TYPES:  # the rollup as schema 11 wrote it
        con.execute(f"ALTER TABLE lead_activity_rollup RENAME COLUMN before_sql_{name} TO sql_{name}")
        con.execute(f"ALTER TABLE lead_activity_rollup RENAME COLUMN before_won_{name} TO won_{name}")
    con.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    before = con.execute("SELECT * FROM lead_activity_rollup ORDER BY lead_id").fetchall()
    assert database.upgrade(con, path)
    columns = [row[0] for row in con.execute("DESCRIBE lead_activity_rollup").fetchall()]
    assert "before_sql_email_open" in columns and "sql_email_open" not in columns
    assert con.execute("SELECT * FROM lead_activity_rollup ORDER BY lead_id").fetchall() == before  # same counts
    assert current_scores(QueryRunner(con), datetime(2025, 7, 1)).height == 7  # lead_fit is there again
    con.close()
    result = cli.invoke(app, ["report", "funnel", "--db", str(path), "--from", "2025-01-01", "--to", "2025-01-31"])
    assert result.exit_code == 0, result.output  # view_stage_entries too
