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
from tests.conftest import FIXTURES, SMALL_FILES

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
        from leadfunnel.ingest.canonical import import_canonical
        from leadfunnel.storage import FileStorage
        import sys
        with FileStorage(sys.argv[1]).writing() as con:
            import_canonical(con, [{str(files["leads"])!r}, {str(files["activities"])!r}])
            print("checkpoint", flush=True)  # leaving the block checkpoints the copy, then swaps it in
    """)
    finished = Path(shutil.copy(small_db_file, tmp_path / "finished.duckdb"))
    subprocess.run([sys.executable, "-c", script, str(finished)], cwd=PROJECT, check=True, capture_output=True)
    after = lead_count(finished)
    assert after == 7 + 20_000
    outcomes = set()
    for delay in (0.0, 0.02, 0.08, 0.2, 0.5):
        path = Path(shutil.copy(small_db_file, tmp_path / f"killed-{delay}.duckdb"))
        writer = subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=PROJECT, stdout=subprocess.PIPE,
                                  text=True)
        assert writer.stdout.readline().strip() == "checkpoint"
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        count = lead_count(path)
        assert count in (7, after), delay  # it opens, and holds one whole version
        outcomes.add(count)
        cli.invoke(app, ["import", str(CP932_EXPORT), "--db", str(path)])  # the next writer tidies up
        assert not list(tmp_path.glob(f"killed-{delay}.duckdb.tmp-*"))
    assert 7 in outcomes  # at least one kill landed before the swap
