"""Headline numbers read whole: on a 1280-px screen, in both languages, no metric's value, label or change is cut
off with "…" (it was: "15.1 時間" on the SLA page in a row of seven, "34.1 days" and "¥3,517,629" on Velocity,
the scoring page's "前倒し日数（中央値）")."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_idle

PAGES = ("", "channels", "scoring", "sla", "pipeline", "velocity")
CUT_OFF = """() => [...document.querySelectorAll(
    '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], [data-testid="stMetricDelta"]')]
  .flatMap((part) => [part, ...part.querySelectorAll('*')])
  .filter((element) => element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1)
  .map((element) => element.innerText)"""


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_metric_is_cut_off_on_a_1280_px_screen(server, browser, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        cut = {}
        for name in PAGES:
            page.goto(f"{server.url}/{name}?lang={language}")
            wait_idle(page)
            page.locator('[data-testid="stMetricValue"]').first.wait_for()
            if found := sorted(set(page.evaluate(CUT_OFF))):
                cut[name or "funnel"] = found
        assert cut == {}
    finally:
        context.close()
