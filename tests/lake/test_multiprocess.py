"""Several processes on one DuckLake: the CLI imports while other processes serve reports.

Every reader must see the data as it was before an import or after it, never a mix; two importers
started together must both land (they queue on the writer lock).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from leadfunnel.backends import storage_for
from leadfunnel.lake import LakeStorage
from tests.lake.conftest import Lake
from tests.lake.reader_loop import STATE_SQL

PROJECT = Path(__file__).resolve().parents[2]


def write_batch(directory: Path, prefix: str, leads: int, activities: int, seed: int) -> list[Path]:
    """Canonical leads.csv and activities.csv with ids of their own (`<prefix>L00000001`)."""
    from bench.generate import generate_tables, write_tables

    tables = generate_tables(leads, activities, seed=seed)
    tables = {name: frame.with_columns((pl.lit(prefix) + pl.col("lead_id")).alias("lead_id"))
              for name, frame in tables.items()}
    files = write_tables(tables, directory)
    return [files["leads"], files["activities"]]


def cli(lake: Lake, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "leadfunnel", *args, "--db", lake.location], cwd=PROJECT,
                            env=lake.env(), capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def funnel(lake: Lake) -> list[int]:
    output = cli(lake, "report", "funnel", "--format", "json").stdout
    report = json.loads(output[output.index("{"):])  # DuckDB's progress bar may come first (slow machine)
    return [stage["count"] for stage in report["stages"]]


def state(lake: Lake) -> list:
    con = LakeStorage(lake.location).open_reader()
    try:
        return list(con.execute(STATE_SQL).fetchone())
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _routed_to_the_lake(fresh_lake: Lake) -> None:
    if not isinstance(storage_for(fresh_lake.location), LakeStorage):
        pytest.fail("leadfunnel.backends.storage_for does not route ducklake: locations to lake.LakeStorage yet")


def test_reports_see_an_import_whole_or_not_at_all_while_it_runs(fresh_lake, tmp_path):
    first = write_batch(tmp_path / "first", "A", 2_000, 20_000, seed=1)
    second = write_batch(tmp_path / "second", "B", 8_000, 120_000, seed=2)
    cli(fresh_lake, "import", *map(str, first))
    before_state, before_funnel = state(fresh_lake), funnel(fresh_lake)

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-m", "tests.lake.reader_loop", fresh_lake.location, str(stop)],
                              cwd=PROJECT, env=fresh_lake.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert json.loads(reader.stdout.readline())["state"] == before_state  # serving before the import starts
        importer = subprocess.Popen([sys.executable, "-m", "leadfunnel", "import", *map(str, second),
                                     "--db", fresh_lake.location], cwd=PROJECT, env=fresh_lake.env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cli_funnels = []
        while importer.poll() is None:  # the real CLI report, from further processes, during the import
            cli_funnels.append(funnel(fresh_lake))
        _, import_errors = importer.communicate()
        assert importer.returncode == 0, import_errors
        after_state, after_funnel = state(fresh_lake), funnel(fresh_lake)
        time.sleep(0.5)  # let the replica read the new data a few times
    finally:
        stop.touch()
        lines, reader_errors = reader.communicate(timeout=60)
    assert reader.returncode == 0, reader_errors

    assert after_state[0] == before_state[0] + 8_000 and after_state[2] != before_state[2]
    rounds = [json.loads(line) for line in lines.splitlines()]
    for seen in rounds:
        assert seen["state"] in (before_state, after_state), seen
        assert seen["funnel"] in (before_funnel, after_funnel), seen
    assert rounds[-1]["state"] == after_state  # the long-lived reader saw the new data without reopening
    assert len(rounds) >= 10
    assert cli_funnels and all(seen in (before_funnel, after_funnel) for seen in cli_funnels)
    print(f"{len(rounds)} replica rounds, {len(cli_funnels)} CLI reports during the import")


def test_two_imports_started_together_both_land(fresh_lake, tmp_path):
    batches = [write_batch(tmp_path / name, name, 3_000, 30_000, seed=seed) for name, seed in (("C", 3), ("D", 4))]
    importers = [subprocess.Popen([sys.executable, "-m", "leadfunnel", "import", *map(str, files),
                                   "--db", fresh_lake.location], cwd=PROJECT, env=fresh_lake.env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for files in batches]
    for importer in importers:  # both start on an empty catalog: one creates the lake, the other waits
        _, errors = importer.communicate(timeout=300)
        assert importer.returncode == 0, errors
    leads, activities, _ = state(fresh_lake)
    assert leads == 6_000
    expected = sum(pl.read_csv(files[1]).unique().height for files in batches)  # stored as a set
    assert activities == expected
    assert os.listdir(fresh_lake.data_path)  # the data is Parquet files in the shared directory
