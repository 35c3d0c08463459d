"""Where an import's seconds go: the canonical CSV import with every SQL statement timed.

`python -m bench.phases DIR` imports DIR/leads.csv and DIR/activities.csv (from `python -m bench generate`)
into a new database and prints each statement that took over 50 ms, then the total and the peak RSS,
so a change to the import can be judged phase by phase rather than by the harness's one number.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from leadfunnel import database
from leadfunnel.ingest.canonical import import_canonical


class TimedConnection:
    """Forwards to a DuckDB connection and records how long each `execute` took."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self.log: list[tuple[float, str]] = []

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        start = time.perf_counter()
        result = self._con.execute(sql, *args)
        self.log.append((time.perf_counter() - start, " ".join(sql.split())[:100]))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def main(folder: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="leadfunnel-phases-") as workdir:
        start = time.perf_counter()
        con = database.connect(Path(workdir) / "phases.duckdb")
        database.initialise(con)
        timed = TimedConnection(con)
        import_canonical(timed, [folder / "leads.csv", folder / "activities.csv"])  # type: ignore[arg-type]
        timed.execute("CHECKPOINT")
        con.close()
        total = time.perf_counter() - start
    for seconds, sql in timed.log:
        if seconds > 0.05:
            print(f"{seconds:7.2f} s  {sql}")
    print(f"{total:7.2f} s  total; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
