"""Several processes on one database: imports run while readers (a dashboard, reports) have it open,
writers queue instead of overwriting each other, and a writer killed anywhere leaves a whole file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from typer.testing import CliRunner

from leadfunnel.cli import app
from leadfunnel.storage import FileStorage
from tests.conftest import FIXTURES

PROJECT = Path(__file__).resolve().parents[2]
CP932_EXPORT = FIXTURES / "exports" / "japanese_leads_cp932.csv"  # 3 leads
HUBSPOT_EXPORT = FIXTURES / "exports" / "hubspot_contacts.csv"  # 4 valid leads, 1 rejected row
cli = CliRunner()


def lead_count(path: Path) -> int:
    con = FileStorage(path).open_reader()
    try:
        return con.execute("SELECT count(*) FROM leads").fetchone()[0]
    finally:
        con.close()


def reader_process(path: Path) -> subprocess.Popen:
    """A process that keeps the database open as the dashboard does, and prints its count on each line it reads."""
    script = textwrap.dedent(f"""
        import sys
        from leadfunnel.storage import FileStorage
        con = FileStorage({str(path)!r}).open_reader()
        print(con.execute("SELECT count(*) FROM leads").fetchone()[0], flush=True)
        for line in sys.stdin:
            if line.strip() == "reopen":
                con.close()
                con = FileStorage({str(path)!r}).open_reader()
            print(con.execute("SELECT count(*) FROM leads").fetchone()[0], flush=True)
    """)
    return subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def ask(process: subprocess.Popen, line: str) -> int:
    process.stdin.write(line + "\n")
    process.stdin.flush()
    return int(process.stdout.readline())


def test_the_cli_imports_while_a_reader_has_the_database_open(small_db_file, tmp_path):
    path = Path(shutil.copy(small_db_file, tmp_path / "team.duckdb"))
    reader = reader_process(path)
    try:
        assert int(reader.stdout.readline()) == 7  # the small fixture's 7 leads
        result = cli.invoke(app, ["import", str(CP932_EXPORT), "--db", str(path)])
        assert result.exit_code == 0, result.output
        report = cli.invoke(app, ["report", "funnel", "--db", str(path)])  # a second reader at the same time
        assert report.exit_code == 0, report.output
        assert ask(reader, "again") == 7  # an open reader keeps the whole version it opened
        assert ask(reader, "reopen") == 10  # and sees the import once it reopens
    finally:
        reader.kill()
        reader.wait()
    assert lead_count(path) == 10
    assert not list(tmp_path.glob("team.duckdb.tmp-*")) and not list(tmp_path.glob(".team.duckdb.reader-*"))


def test_concurrent_writers_queue_and_keep_each_others_changes(small_db_file, tmp_path):
    path = Path(shutil.copy(small_db_file, tmp_path / "team.duckdb"))
    results = {}

    def run(name: str, args: list[str]) -> None:
        results[name] = subprocess.run([sys.executable, "-m", "leadfunnel", "import", *args, "--db", str(path)],
                                       cwd=PROJECT, capture_output=True, text=True)

    writers = [threading.Thread(target=run, args=("cp932", [str(CP932_EXPORT)])),
               threading.Thread(target=run, args=("hubspot", [str(HUBSPOT_EXPORT), "--accept-valid"]))]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert all(r.returncode == 0 for r in results.values()), {k: r.stderr for k, r in results.items()}
    assert lead_count(path) == 7 + 3 + 4  # neither import overwrote the other


def test_a_writer_killed_during_its_checkpoint_leaves_the_previous_file(small_db_file, tmp_path):
    from bench.generate import generate_tables, write_tables

    files = write_tables(generate_tables(20_000, 400_000, seed=7), tmp_path / "big")
    script = textwrap.dedent(f"""
        import os, sys, time
        from leadfunnel import storage
        from leadfunnel.ingest.canonical import import_canonical

        real_replace = os.replace

        def replace_slowly(source, target):  # a window between the finished copy and the swap
            if sys.argv[2] == "pause-before-swap":
                print("swap", flush=True)
                time.sleep(60)
            real_replace(source, target)

        storage.os.replace = replace_slowly
        with storage.FileStorage(sys.argv[1]).writing() as con:
            import_canonical(con, [{str(files["leads"])!r}, {str(files["activities"])!r}])
            print("checkpoint", flush=True)  # leaving the block checkpoints the copy, then swaps it in
    """)
    finished = Path(shutil.copy(small_db_file, tmp_path / "finished.duckdb"))
    subprocess.run([sys.executable, "-c", script, str(finished), "run"], cwd=PROJECT, check=True,
                   capture_output=True)
    after = lead_count(finished)
    assert after == 7 + 20_000
    for kill_at in ("checkpoint+0.0", "checkpoint+0.02", "checkpoint+0.1", "checkpoint+0.3", "swap+0.0"):
        point, delay = kill_at.split("+")
        path = Path(shutil.copy(small_db_file, tmp_path / f"killed-{kill_at}.duckdb"))
        writer = subprocess.Popen([sys.executable, "-c", script, str(path),
                                   "pause-before-swap" if point == "swap" else "run"],
                                  cwd=PROJECT, stdout=subprocess.PIPE, text=True)
        while (line := writer.stdout.readline().strip()) != point:
            assert line, f"the writer ended before {point}"
        time.sleep(float(delay))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        count = lead_count(path)
        assert count in (7, after), kill_at  # it opens, and holds one whole version
        if point == "swap":
            assert count == 7  # killed after its checkpoint but before the rename: nothing changed
        tidy = cli.invoke(app, ["import", str(CP932_EXPORT), "--db", str(path)])  # the next writer tidies up
        assert tidy.exit_code == 0, tidy.output
        assert not list(tmp_path.glob(f"killed-{kill_at}.duckdb.tmp-*"))
        assert lead_count(path) == count + 3
