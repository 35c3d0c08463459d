"""Where the project's files live, so the CLI, the app and the tests agree."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
QUERY_DIR = PROJECT_DIR / "queries"
DATA_DIR = PROJECT_DIR / "data"
DEMO_DATABASE = DATA_DIR / "leadfunnel.duckdb"


def database_path() -> Path:
    """The database the dashboard opens: `LEADFUNNEL_DB` if set, else the bundled demo database."""
    configured = os.environ.get("LEADFUNNEL_DB")
    return Path(configured) if configured else DEMO_DATABASE
