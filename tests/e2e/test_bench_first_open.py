"""The first-open comparison of the bench runs end to end (one round; the timings are recorded, not asserted:
the full run, `python -m bench first-open`, is in bench/RESULTS.md)."""

import shutil

import pytest

from bench.first_open import run_first_open


@pytest.mark.parametrize("cached", [False, True], ids=["new browser", "returning browser"])
def test_first_open_times_a_page_against_hello_world(chromium_path, small_db_file, tmp_path, capsys, cached):
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db_file, db)
    summary = run_first_open(rounds=1, db=db, pages=("funnel",), cached=cached)
    assert set(summary) == {"hello world", "hello world with the sidebar's widgets", "funnel", "funnel at /funnel"}
    for row in summary.values():  # every phase seen, in order
        assert 0 < row["script_started"] <= row["script_done"] <= row["last_run_done"] and row["first_number"] > 0
    assert summary["hello world"]["plotly_arrived"] and summary["funnel"]["plotly_arrived"]
    funnel = summary["funnel"]  # the numbers first; the charts' rerun after them
    assert funnel["first_number"] < funnel["last_run_done"] and funnel["script_done"] < funnel["last_run_done"]
    assert summary["hello world"]["ratio"] == 1.0
    out = capsys.readouterr().out
    assert "| funnel |" in out and ("code cached" in out) == cached
