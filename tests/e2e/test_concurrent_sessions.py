"""Journey under load: several people use one dashboard at once (the bench's load test, at a tiny scale).

The full run (`python -m bench load`, 8 sessions × 60 s on 100k leads) is recorded in bench/RESULTS.md."""

from bench.load import run_load


def test_three_sessions_at_once_see_no_errors_and_keep_their_own_filters(chromium_path):
    summary = run_load(leads=2_000, sessions=3, seconds=8)
    assert summary["errors"] == [], summary
    assert summary["sessions_kept_own_state"] == 3, summary
    assert summary["interactions"]["scoring threshold slider: marker"]["count"] >= 3, summary
    assert summary["interactions"]["scoring threshold slider: rerun"]["count"] >= 3, summary
    assert summary["received_per_rerun_kib"]["max"] < 1024  # aggregates only: well under 1 MB per rerun
