"""The dashboard on a DuckLake: the same pages and numbers as on a file, and a saved setting goes to the lake."""

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.lake import LakeStorage
from leadfunnel.sla.policy import load_policy
from tests.app.conftest import _NavigationModePagesManager, _release_cached_connections  # noqa: F401
from tests.conftest import SMALL_FILES

ENTRY = str(Path(__file__).resolve().parents[2] / "dashboard.py")


def test_the_funnel_and_a_saved_policy_on_a_lake(fresh_lake, monkeypatch):
    monkeypatch.setattr("streamlit.testing.v1.app_test.PagesManager", _NavigationModePagesManager)  # form clicks
    storage = LakeStorage(fresh_lake.location, data_path=fresh_lake.data_path)
    with storage.writing() as con:
        import_canonical(con, SMALL_FILES)
    monkeypatch.setenv("LEADFUNNEL_DB", fresh_lake.location)
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 1, 31)))
    app.radio(key="mode").set_value("cohort").run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    assert (shown["Lead"], shown["MQL"], shown["SQL"], shown["Won"]) == ("3", "3", "1", "1")  # fixture README
    app.switch_page("pages/sla.py").run()
    assert not app.exception
    app.number_input(key="sla_deadline").set_value(48.0)
    next(b for b in app.button if b.label == "Save as the agreed policy").click().run()
    assert not app.exception
    reader = storage.open_reader()
    try:
        assert load_policy(reader).deadline_hours == 48.0
    finally:
        reader.close()
