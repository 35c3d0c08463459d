"""Backup and restore through the CLI: every row comes back, nothing is overwritten without a copy."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app

cli = CliRunner()
TABLES = ("leads", "activities", "feedback", "rule_sets", "lead_activity_rollup")


def counts(path) -> dict[str, int]:
    con = database.connect(path, read_only=True)
    try:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
    finally:
        con.close()


def test_backup_then_restore_into_a_new_file(small_db_file, tmp_path):
    db = shutil.copy(small_db_file, tmp_path / "team.duckdb")
    result = cli.invoke(app, ["backup", "--db", str(db), "--out", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    restored = tmp_path / "restored.duckdb"
    result = cli.invoke(app, ["restore", str(tmp_path / "backup"), "--db", str(restored)])
    assert result.exit_code == 0, result.output
    assert counts(restored) == counts(db) == {"leads": 7, "activities": 6, "feedback": counts(db)["feedback"],
                                              "rule_sets": 0, "lead_activity_rollup": 7}
    con = database.connect(restored, read_only=True)
    assert database.schema_version(con) == database.SCHEMA_VERSION
    assert database.read_meta(con, "last_backup_at") is not None  # when the last backup happened
    # Views and macros come back too: the funnel runs on the restored file.
    assert con.execute("SELECT count(*) FROM stage_entries(NULL, NULL, 'cohort', [], [], [], [])").fetchone()[0] > 7
    con.close()


def test_backup_never_overwrites_and_restore_keeps_the_replaced_file(small_db_file, tmp_path):
    db = shutil.copy(small_db_file, tmp_path / "team.duckdb")
    out = tmp_path / "backup"
    assert cli.invoke(app, ["backup", "--db", str(db), "--out", str(out)]).exit_code == 0
    again = cli.invoke(app, ["backup", "--db", str(db), "--out", str(out)])
    assert again.exit_code == 1 and "not empty" in again.output
    refused = cli.invoke(app, ["restore", str(out), "--db", str(db)])
    assert refused.exit_code == 1 and "--replace" in refused.output
    replaced = cli.invoke(app, ["restore", str(out), "--db", str(db), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    kept = list(tmp_path.glob("team.duckdb.before-restore-*"))
    assert len(kept) == 1 and counts(kept[0])["leads"] == 7


def test_restore_from_a_folder_that_is_not_a_backup(tmp_path):
    result = cli.invoke(app, ["restore", str(tmp_path), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1 and "not a leadfunnel backup" in result.output
