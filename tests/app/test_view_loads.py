"""Sessions opening new scoring views at once load them one at a time (leadfunnel.ui.scoring_views): each load
holds its rows twice for a moment, so overlapping loads added up (5 sessions at 1M peaked at 4.2 GiB)."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from leadfunnel.ui import scoring_views


def test_views_load_one_at_a_time_across_sessions(monkeypatch):
    running, most = [0], [0]
    guard = threading.Lock()

    def slow_load(runner, as_of, filters):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with guard:
            running[0] -= 1
        return (as_of, filters.channels)

    monkeypatch.setattr(scoring_views, "load_history", slow_load)
    monkeypatch.setattr(scoring_views, "load_rollup", slow_load)
    scoring_views._history.clear()
    scoring_views._rollup.clear()
    as_of = datetime(2026, 1, 1)
    calls = [(loader, ((f"channel{i}",),)) for i in range(3) for loader in (scoring_views._history,
                                                                             scoring_views._rollup)]
    threads = [threading.Thread(target=loader, args=(None, "db", f"v{n}", as_of,
                                                     (("channels", channels), ("industries", ()),
                                                      ("company_sizes", ()), ("owners", ()))))
               for n, (loader, channels) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    scoring_views._history.clear()
    scoring_views._rollup.clear()
    assert most[0] == 1  # six views, six loads, never two at once
