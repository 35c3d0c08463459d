"""Faults: a file held by another process gives a plain message; a killed import leaves the old data."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app
from tests.conftest import SMALL_FILES

PROJECT = Path(__file__).resolve().parents[2]
cli = CliRunner()


def hold_open(path: Path) -> subprocess.Popen:
    """Another process with the database open for writing (as a dashboard or an import would)."""
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; con = duckdb.connect({str(path)!r}); "
                               "print('open', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    return holder


def test_a_database_in_use_elsewhere_gives_a_plain_message(small_db_file, tmp_path):
    path = Path(shutil.copy(small_db_file, tmp_path / "team.duckdb"))
    holder = hold_open(path)
    try:
        for args in (["import", *map(str, SMALL_FILES)], ["upgrade"], ["report", "funnel"]):
            result = cli.invoke(app, [*args, "--db", str(path)])
            assert result.exit_code == 1, args
            assert "Traceback" not in result.output
            assert ("in use by another process" in result.output) or ("cannot open" in result.output)
    finally:
        holder.kill()
        holder.wait()


def test_killing_an_import_at_any_point_leaves_old_or_new_data(small_db_file, tmp_path):
    from bench.generate import generate_tables, write_tables

    files = write_tables(generate_tables(30_000, 600_000, seed=5), tmp_path / "big")
    command = [sys.executable, "-m", "leadfunnel", "import", str(files["leads"]), str(files["activities"]), "--db"]
    before = counts(Path(shutil.copy(small_db_file, tmp_path / "before.duckdb")))
    finished = Path(shutil.copy(small_db_file, tmp_path / "after.duckdb"))
    subprocess.run([*command, str(finished)], cwd=PROJECT, check=True, capture_output=True)
    after = counts(finished)
    assert after != before
    killed_midway = 0
    for delay in (0.6, 1.0, 1.4, 1.8, 2.4, 3.2):
        path = Path(shutil.copy(small_db_file, tmp_path / f"killed-{delay}.duckdb"))
        process = subprocess.Popen([*command, str(path)], cwd=PROJECT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_midway += 1
        process.wait()
        assert counts(path) in (before, after), delay  # it opens, and holds one whole state
    assert killed_midway >= 2  # the test really interrupted imports


def counts(path: Path) -> dict[str, int]:
    con = database.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("leads", "activities", "meta")}
    finally:
        con.close()
