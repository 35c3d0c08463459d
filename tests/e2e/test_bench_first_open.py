"""The first-open comparison of the bench runs end to end (one round; the timings are recorded, not asserted:
the full run, `python -m bench first-open`, is in bench/RESULTS.md)."""

import shutil

from bench.first_open import run_first_open


def test_first_open_times_a_page_against_hello_world(chromium_path, small_db_file, tmp_path, capsys):
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db_file, db)
    summary = run_first_open(rounds=1, db=db, pages=("funnel",))
    assert set(summary) == {"hello world", "funnel"}
    for row in summary.values():  # every phase seen, in order, for a page with a chart
        assert 0 < row["script_started"] <= row["script_done"] and row["first_number"] > 0
        assert row["plotly_arrived"] is not None
    assert summary["hello world"]["ratio"] == 1.0
    assert "| funnel |" in capsys.readouterr().out
