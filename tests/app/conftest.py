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
from streamlit.runtime.pages_manager import PagesManager

from tests.conftest import fixture_database


class _NavigationModePagesManager(PagesManager):
    """AppTest resets Streamlit's pages-folder detection before every run, so each run would start in the
    legacy `pages/` mode, run the page alone, and rerun through the entry script — swallowing one-run
    values such as a form's submit click. A served app leaves that mode for good on its first run
    (browser-tested in tests/e2e); this gives AppTest the same steady state."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streamlit.testing.v1.app_test.PagesManager", _NavigationModePagesManager)


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
    return fixture_database(tmp_path, "scoring")


@pytest.fixture
def sla_app_db(tmp_path: Path) -> Path:
    """The SLA fixture (tests/fixtures/sla) as a database file of its own."""
    return fixture_database(tmp_path, "sla")


@pytest.fixture
def own_db(tmp_path: Path) -> Path:
    """A team's sheet imported on the Data page's path: leads and stage dates, no ids, no activities, no sales
    touches, no feedback (tests/own_export.py)."""
    from leadfunnel import database
    from leadfunnel.ingest.imports import Upload, check, commit
    from leadfunnel.ingest.presets import PRESETS
    from leadfunnel.ingest.readers import read_table
    from tests.own_export import own_export

    path = tmp_path / "own.duckdb"
    con = database.connect(path)
    database.initialise(con)
    upload = Upload("リード一覧.csv", own_export(tmp_path).read_bytes())
    commit(con, check(con, [upload], [read_table(upload.data, upload.name)], PRESETS["generic"]))
    con.close()
    return path
