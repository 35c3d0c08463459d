"""A session's first run draws its numbers and keeps the spaces of its charts, tables and controls, and draws the
probe; any later run draws everything — the probe's own rerun or, should the probe never report, the reader's next
click (leadfunnel/ui/first_paint.py). The controls that wait still decide that first run's numbers: from the link,
else from where the controls start. The browser side (the numbers painted before anything else) is in
tests/e2e/test_numbers_before_charts.py."""

from datetime import date

import pytest
import streamlit as st
from streamlit.runtime.context import ContextProxy
from streamlit.testing.v1 import AppTest

from leadfunnel.ui import first_paint
from tests.app.test_pages import ENTRY


@pytest.fixture
def browser_headers(monkeypatch):
    """AppTest sends no headers, and a client without a browser gets the charts at once: look like a browser."""
    monkeypatch.setattr(ContextProxy, "headers", property(lambda self: {"User-Agent": "Chromium"}))


def charts(app: AppTest) -> int:
    return len(app.get("plotly_chart"))


def controls(app: AppTest) -> int:
    """The sidebar's filter controls (the as-of date and time not counted: they are date and time inputs too)."""
    return len(app.sidebar.selectbox) + len(app.sidebar.radio) + len(app.sidebar.multiselect) + len(
        [d for d in app.sidebar.date_input if d.key == "date_range"])


def numbers(app: AppTest) -> list[tuple[str, str, str]]:
    return [(metric.label, metric.value, metric.delta) for metric in app.metric]


@pytest.mark.parametrize("page", ["funnel", "channels", "scoring", "sla", "pipeline", "velocity"])
def test_the_first_runs_numbers_are_the_ones_the_controls_then_show(monkeypatch, small_app_db, browser_headers,
                                                                     page):
    """The controls wait, but the numbers of the first run are computed with the values they start with: the
    rerun that draws them changes no number (a control whose stand-in value differed would change one). It may
    add one: the scoring page's lead time, which replays every event, comes with the rerun."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    if page != "funnel":
        app.switch_page(f"pages/{page}.py")
    app.run()
    first = numbers(app)
    assert not app.exception and first
    app.run()
    later = numbers(app)
    assert not app.exception and [number for number in later if number in first] == first
    assert len(later) == len(first) + (page == "scoring")


def test_a_link_decides_the_first_runs_numbers_before_its_controls_exist(monkeypatch, small_app_db,
                                                                            browser_headers):
    """A shared link (cohort mode, the same period last year, one channel, in Japanese): the first run, without
    a single control, already shows that view — in the link's language — and the controls then show the link."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    plain = AppTest.from_file(ENTRY, default_timeout=60).run()
    plain.run()
    app = AppTest.from_file(ENTRY, default_timeout=60)
    for name, value in {"lang": "ja", "mode": "cohort", "compare": "last_year", "channel": "webinar"}.items():
        app.query_params[name] = value
    app.run()
    first = numbers(app)
    assert not app.exception and controls(app) == 0
    assert first != numbers(plain)  # the link's view, not the default one
    assert "コホート" in " ".join(caption.value for caption in app.caption)
    app.run()
    assert numbers(app) == first
    assert app.radio(key="mode").value == "cohort" and app.radio(key="compare").value == "last_year"
    assert app.multiselect(key="channels").value == ["webinar"] and app.selectbox(key="lang").value == "ja"


def test_a_scoring_link_decides_the_first_runs_backtest(monkeypatch, small_app_db, browser_headers):
    """The scoring page's own controls (threshold, decay, outcome) wait too; the link's values count at once."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60).switch_page("pages/scoring.py")
    for name, value in {"threshold": "30", "half_life": "45", "outcome": "won"}.items():
        app.query_params[name] = value
    app.run()
    first = numbers(app)
    assert not app.exception and first and not app.slider
    app.run()
    assert numbers(app)[:len(first)] == first
    assert app.slider(key="half_life::Guide default").value == 45
    assert app.slider(key="threshold::Guide default").value == 30
    assert app.radio(key="outcome").value == "won"


def test_first_run_keeps_the_charts_spaces_and_the_next_run_draws_them(monkeypatch, small_app_db, browser_headers):
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert not app.exception and app.metric  # the numbers are there
    assert charts(app) == 0 and app.session_state["lf_first_paint_probed"]
    assert controls(app) == 0 and not app.dataframe  # the sidebar's filters and the stage table wait too
    app.run()  # the probe's rerun, or a click when the probe never reported
    assert not app.exception and charts(app) == 2
    assert controls(app) == 10 and app.dataframe  # language, amounts, range, compare, mode, count, 4 filters
    app.switch_page("pages/velocity.py").run()  # later pages of the session: at once
    assert charts(app) == 1


def test_without_a_browser_the_charts_come_at_once(monkeypatch, small_app_db):
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert charts(app) == 2 and "lf_first_paint_probed" not in app.session_state


def test_the_probe_is_the_runs_last_element(monkeypatch, small_app_db, browser_headers):
    """Drawn last, the probe cannot report the paint while the run still goes: its rerun would stop the run
    half-way (a shared link's stuck-lead limits were taken, never applied: tests/e2e/test_journey_stuck_leads)."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    drawn: list[str] = []
    title, component = st.title, first_paint._PROBE
    monkeypatch.setattr(st, "title", lambda *args, **kwargs: drawn.append("page title") or title(*args, **kwargs))
    monkeypatch.setattr(first_paint, "_PROBE", lambda **kwargs: drawn.append("probe") or component(**kwargs))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert not app.exception and drawn == ["page title", "probe"]
    assert [element.type for element in app.sidebar][-1] == "bidi_component"  # at the sidebar's foot


def test_a_page_that_stops_early_still_gets_the_probe(monkeypatch, small_app_db, browser_headers):
    """A page that stops early (no data in the view) draws the probe before it stops (first_paint.stop): after
    st.stop() nothing is drawn, and the SLA page's policy form stayed empty until the next click."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(small_app_db))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.session_state["date_range"] = (date(2025, 3, 2), date(2025, 3, 3))  # nothing happened on these days
    app.run()
    assert not app.exception and app.info  # the page said "no data" and stopped
    assert [element for element in app.sidebar if element.type == "bidi_component"]  # the probe is there
