"""A stand-in for a dashboard replica: one reader on the storage, querying in a loop until told to stop.

`python -m tests.lake.reader_loop LOCATION STOP_FILE` prints one JSON line per round: the row counts
and data version read in one query, and the funnel report built from the same reader.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from leadfunnel.backends import storage_for
from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
from leadfunnel.reports import funnel_report

STATE_SQL = ("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM activities), "
             "(SELECT value FROM meta WHERE key = 'data_version')")


def main(location: str, stop_file: Path) -> None:
    con = storage_for(location).open_reader()
    runner = QueryRunner(con)
    try:
        while not stop_file.exists():
            leads, activities, version = con.cursor().execute(STATE_SQL).fetchone()
            funnel = [stage["count"] for stage in funnel_report(runner, Filters(), "cohort")["stages"]]
            print(json.dumps({"state": [leads, activities, version], "funnel": funnel}), flush=True)
            time.sleep(0.05)
    finally:
        con.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
