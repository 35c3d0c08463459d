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
