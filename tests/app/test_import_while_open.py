"""A running dashboard and the CLI share the database: an import from the command line goes through while
the app has the file open, and the app shows the new data on its next rerun, without a restart."""

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[2]
ENTRY = str(PROJECT / "dashboard.py")
CP932_EXPORT = PROJECT / "tests" / "fixtures" / "exports" / "japanese_leads_cp932.csv"  # 3 leads


def database_caption(app: AppTest) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Database **"))


def test_a_cli_import_shows_up_in_the_running_app(monkeypatch, small_app_db):
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert "7 leads" in database_caption(app)  # the app now holds the file open
    imported = subprocess.run([sys.executable, "-m", "leadfunnel", "import", str(CP932_EXPORT),
                               "--db", str(small_app_db)], cwd=PROJECT, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    app.run()
    assert not app.exception
    assert "10 leads" in database_caption(app)
