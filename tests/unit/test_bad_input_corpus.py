"""The bad-input corpus (tests/corpus): every case through the command line and, where it says so, the Data
page's reader; the database is left as the case says, and nothing prints a traceback or a raw missing value."""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.imports import Upload, check
from leadfunnel.ingest.presets import guess_preset
from leadfunnel.ingest.readers import UnreadableFile, read_table

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "bad"
CASES = sorted(CORPUS.glob("**/case.toml"))
COUNTS: Counter[str] = Counter()  # printed by tests/conftest.py after the run
NEVER_PRINTED = re.compile(r"Traceback|\b(None|nan|NaN|inf|Infinity)\b")  # a crash, or a missing value shown raw
ECHOED_VALUE = re.compile(r"\(value '[^']*'\)")
cli = CliRunner()


def _case_id(path: Path) -> str:
    return str(path.parent.relative_to(CORPUS))


def _make_start(start: str, folder: Path, db: Path, small_db_file: Path) -> None:
    """Put the database the case starts from at `db`."""
    if start == "none":
        return
    if start in ("small", "demo", "seven", "bitflip", "truncated"):
        shutil.copy(small_db_file, db)
        if start in ("demo", "seven"):
            con = database.connect(db)
            key, value = ("kind", "demo") if start == "demo" else ("schema_version", "seven")
            con.execute("UPDATE meta SET value = $v WHERE key = $k", {"v": value, "k": key})
            con.close()
        elif start == "bitflip":
            data = bytearray(db.read_bytes())
            rng = random.Random(7)
            for offset in rng.sample(range(4096, len(data)), 64):
                data[offset] ^= 0xFF
            db.write_bytes(bytes(data))
        elif start == "truncated":
            data = db.read_bytes()
            db.write_bytes(data[: len(data) // 3])
        return
    if start == "empty":
        con = database.connect(db)
        database.initialise(con)
        con.close()
    elif start == "zero":
        db.write_bytes(b"")
    elif start == "random":
        db.write_bytes(random.Random(3).randbytes(64 * 1024))
    elif start == "sqlite":
        with sqlite3.connect(db) as lite:
            lite.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
            lite.execute("INSERT INTO invoices VALUES (1, 9.5)")
    elif start == "foreign":
        con = database.connect(db)
        con.execute("CREATE TABLE invoices (id INTEGER, total DOUBLE)")
        con.execute("INSERT INTO invoices VALUES (1, 9.5)")
        con.close()
    elif start == "directory":
        db.mkdir()
    elif start == "blank":  # a new DuckDB file with no tables at all, as `duckdb team.duckdb` leaves it
        database.connect(db).close()
    elif start == "unwritable":  # a whole database in a folder this process may not write in
        if os.geteuid() == 0:
            pytest.skip("runs as root, whom a read-only folder does not stop (see test_foreign_databases.py)")
        shutil.copy(small_db_file, db)
        db.parent.chmod(0o500)
    elif (folder / start).is_file():
        shutil.copy(folder / start, db)
    else:
        raise AssertionError(f"unknown start {start!r}")


def _with_db(args: list[str], case: dict, db: Path) -> list[str]:
    args = [str(a).replace("{db}", str(db)) for a in args]
    return [*args, "--db", str(db)] if case.get("db_option", True) and "--db" not in args else args


def _snapshot(db: Path) -> bytes | str | None:
    if db.is_dir():
        return "directory"
    return db.read_bytes() if db.exists() else None


@pytest.mark.parametrize("case_file", CASES, ids=_case_id)
def test_case(case_file: Path, tmp_path: Path, small_db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = tomllib.loads(case_file.read_text(encoding="utf-8"))
    work = tmp_path / "case"
    shutil.copytree(case_file.parent, work)
    db = tmp_path / "team.duckdb"
    _make_start(case.get("start", "small"), work, db, small_db_file)
    monkeypatch.chdir(work)
    for step in case.get("before", []):  # what the user did first (an import that sets the scene)
        done = cli.invoke(app, _with_db(step, case, db))
        assert done.exit_code == 0, done.output
    before = _snapshot(db)
    result = cli.invoke(app, _with_db(case["args"], case, db), env=case.get("env"))
    output = result.output
    assert result.exit_code == case["exit_code"], output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output}")
    for expected in case.get("output", []):
        assert expected in output, f"{expected!r} not in:\n{output}"
    ours = ECHOED_VALUE.sub("", output)  # a user's own value quoted back ("value 'NaN'") is not ours to hide
    assert not NEVER_PRINTED.search(ours), f"{NEVER_PRINTED.search(ours)[0]!r} printed:\n{output}"
    for word in case.get("absent", []):
        assert word not in output, f"{word!r} printed:\n{output}"
    expected_db = case.get("db", "unchanged")
    if expected_db == "unchanged":
        assert _snapshot(db) == before, "the database changed"
    elif expected_db == "absent":
        assert not db.exists()
    else:
        assert _snapshot(db) != before, "the database did not change"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("team.duckdb") and p != db]
    assert not [name for name in leftovers if not name.endswith(".lock")], leftovers
    COUNTS[f"command line ({case['args'][0]})"] += 1
    if "data_page" in case:
        _check_data_page(case, work)
        COUNTS["Data page reader"] += 1


def _check_data_page(case: dict, work: Path) -> None:
    """What the Data page does with the same files: read each, map with the guessed preset, check."""
    expected = case["data_page"]
    names = [a for a in case["args"] if (work / str(a)).is_file()]
    uploads = [Upload(name, (work / name).read_bytes()) for name in names]
    con = database.connect(":memory:")
    database.initialise(con)
    try:
        tables = [read_table(u.data, u.name) for u in uploads]
    except UnreadableFile as error:
        assert expected["outcome"] == "unreadable", f"unreadable: {error}"
        text = str(error)
    else:
        assert expected["outcome"] != "unreadable", "the Data page read the file"
        try:
            result = check(con, uploads, tables, guess_preset(tables[0].frame.columns))
        except ImportRejected as error:
            pytest.fail(f"check raised instead of reporting: {error}")
        report = result.report()
        text = "\n".join(" ".join(str(v) for v in row) for row in report.iter_rows())
        outcome = ("rejected" if result.problems else "warning" if result.prepared.warnings else "clean")
        assert outcome == expected["outcome"], text
    finally:
        con.close()
    for wanted in expected.get("output", []):
        assert wanted in text, f"{wanted!r} not in:\n{text}"


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 1, f"no cases under {CORPUS}"
    assert os.path.isdir(CORPUS)
