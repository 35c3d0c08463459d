"""A session's first run keeps its charts' spaces and draws the probe; any later run draws the charts — the
probe's own rerun or, should the probe never report, the reader's next click (leadfunnel/ui/first_paint.py).
The browser side (the numbers painted before the charts exist) is in tests/e2e/test_numbers_before_charts.py."""

from datetime import date

import pytest
from streamlit.runtime.context import ContextProxy
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY


@pytest.fixture
def browser_headers(monkeypatch):
    """AppTest sends no headers, and a client without a browser gets the charts at once: look like a browser."""
    monkeypatch.setattr(ContextProxy, "headers", property(lambda self: {"User-Agent": "Chromium"}))


def charts(app: AppTest) -> int:
    return len(app.get("plotly_chart"))


def test_first_run_keeps_the_charts_spaces_and_the_next_run_draws_them(monkeypatch, small_app_db, browser_headers):
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert not app.exception and app.metric  # the numbers are there
    assert charts(app) == 0 and app.session_state["lf_first_paint_probed"]
    app.run()  # the probe's rerun, or a click when the probe never reported
    assert not app.exception and charts(app) == 2
    app.switch_page("pages/velocity.py").run()  # later pages of the session: at once
    assert charts(app) == 1


def test_without_a_browser_the_charts_come_at_once(monkeypatch, small_app_db):
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert charts(app) == 2 and "lf_first_paint_probed" not in app.session_state


def test_a_page_that_stops_early_still_gets_the_probe(monkeypatch, small_app_db, browser_headers):
    """The probe is drawn before the page, at the sidebar's foot: drawn after a page's st.stop() (no data in the
    view) it never reached the browser, and the SLA page's policy form stayed empty until the next click."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.session_state["date_range"] = (date(2025, 3, 2), date(2025, 3, 3))  # nothing happened on these days
    app.run()
    assert not app.exception and app.info  # the page said "no data" and stopped
    assert [element for element in app.sidebar if element.type == "bidi_component"]  # the probe is there
