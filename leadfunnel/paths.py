"""Where the project's files live, so the CLI, the app and the tests agree."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
QUERY_DIR = PROJECT_DIR / "queries"
DATA_DIR = PROJECT_DIR / "data"
DEMO_DATABASE = DATA_DIR / "leadfunnel.duckdb"


def database_location() -> str:
    """The data the dashboard and the CLI open: `LEADFUNNEL_DB` if set (a DuckDB file, or a `ducklake:` or
    `parquet:` location, see docs/scale.md), else the bundled demo database."""
    return os.environ.get("LEADFUNNEL_DB") or str(DEMO_DATABASE)
