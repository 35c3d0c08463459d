"""AppTest runs pages in this process, where the app caches one read-write connection per database.

Each test gets its own copy of the database and the cache is emptied afterwards, so no connection
outlives its test and locks a file that the CLI or browser tests open later.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def _release_cached_connections() -> Iterator[None]:
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
    gc.collect()


@pytest.fixture
def small_app_db(small_db_file: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(small_db_file, tmp_path / "small.duckdb"))


@pytest.fixture
def demo_app_db(demo_db_file: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_db_file, tmp_path / "demo.duckdb"))


@pytest.fixture
def scoring_app_db(tmp_path: Path) -> Path:
    """The scoring fixture (tests/fixtures/scoring) as a database file of its own."""
    from leadfunnel import database
    from leadfunnel.ingest.canonical import import_canonical
    from tests.conftest import FIXTURES

    path = tmp_path / "scoring.duckdb"
    con = database.connect(path)
    database.initialise(con)
    import_canonical(con, [FIXTURES / "scoring" / "leads.csv", FIXTURES / "scoring" / "activities.csv"])
    con.close()
    return path
