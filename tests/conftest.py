"""Shared fixtures: an in-memory database loaded from the hand-made fixture, and a small demo file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from leadfunnel import database
from leadfunnel.demo import build_demo_database
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.query import QueryRunner

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"
SMALL_FILES = [SMALL / "leads.csv", SMALL / "activities.csv", SMALL / "feedback.csv"]


def fixture_database(folder: Path, name: str) -> Path:
    """tests/fixtures/<name> (its leads.csv, activities.csv and, where it has them, feedback.csv and spend.csv)
    imported into a new database file in `folder`."""
    path = folder / f"{name}.duckdb"
    con = database.connect(path)
    database.initialise(con)
    files = [FIXTURES / name / f"{table}.csv" for table in ("leads", "activities", "feedback", "spend")]
    import_canonical(con, [file for file in files if file.exists()])
    con.close()
    return path


@contextmanager
def reading(path: Path) -> Iterator[QueryRunner]:
    """A read-only runner on a fixture database, closed afterwards."""
    con = database.connect(path, read_only=True)
    try:
        yield QueryRunner(con)
    finally:
        con.close()


@pytest.fixture
def empty_db() -> duckdb.DuckDBPyConnection:
    con = database.connect(":memory:")
    database.initialise(con)
    yield con
    con.close()


@pytest.fixture
def small_runner(empty_db: duckdb.DuckDBPyConnection) -> QueryRunner:
    import_canonical(empty_db, SMALL_FILES)
    return QueryRunner(empty_db)


@pytest.fixture(scope="session")
def small_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture as a database file (for the CLI and AppTest)."""
    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    con = database.connect(path)
    database.initialise(con)
    import_canonical(con, SMALL_FILES)
    con.close()
    return path


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full-size demo database, built once per test session."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo_database(path)
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many generated cases the property-based import tests ran."""
    corpus = sys.modules.get("tests.unit.test_bad_input_corpus")
    if corpus is not None and corpus.COUNTS:
        terminalreporter.write_line("bad-input corpus cases run: " + ", ".join(
            f"{name} {count}" for name, count in sorted(corpus.COUNTS.items())))
    cases: dict[str, int] = {}
    for module in ("tests.unit.test_fuzz_imports", "tests.unit.test_fuzz_rules"):
        fuzz = sys.modules.get(module)
        cases |= fuzz.CASES if fuzz is not None else {}
    if cases:
        terminalreporter.write_line("hypothesis cases run: " + ", ".join(
            f"{name} {count}" for name, count in sorted(cases.items())))
