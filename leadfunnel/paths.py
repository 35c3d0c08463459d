"""Where the project's files live, so the CLI, the app and the tests agree."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
QUERY_DIR = PROJECT_DIR / "queries"
DEMO_DATABASE = PROJECT_DIR / "data" / "leadfunnel.duckdb"
# Where the Data page creates a team's databases (LEADFUNNEL_DATA_DIR: elsewhere, e.g. a shared disk or a test's).
DATA_DIR = Path(os.environ.get("LEADFUNNEL_DATA_DIR") or PROJECT_DIR / "data")


def database_location() -> str:
    """The data the dashboard and the CLI open: `LEADFUNNEL_DB` if set (a DuckDB file, or a `ducklake:` or
    `parquet:` location, see docs/scale.md), else the bundled demo database."""
    return os.environ.get("LEADFUNNEL_DB") or str(DEMO_DATABASE)
