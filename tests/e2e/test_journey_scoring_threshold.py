"""Journey: in the alignment meeting, someone lowers the hand-over threshold and everyone sees what it would do."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import metric_number, metric_value, wait_for_change, wait_idle

THRESHOLD = "Hand-over threshold (points)"
CURVE = ".st-key-threshold_curve .lf-curve"


def test_lowering_the_threshold_changes_the_what_if(server, page):
    page.goto(f"{server.url}/scoring")
    wait_idle(page)
    page.get_by_role("heading", name="Lead scoring").wait_for()
    slider = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text(THRESHOLD)).get_by_role("slider")
    start = int(slider.input_value())
    handed_over, recall = metric_number(page, "Handed over"), metric_number(page, "Recall")
    shown = metric_value(page, "Handed over")

    slider.focus()
    page.keyboard.press("PageDown")  # one big step down, as a keyboard user would
    wait_for_change(page, "Handed over", shown)
    lowered = int(slider.input_value())
    assert 0 < lowered < start
    lower = metric_number(page, "Handed over")
    assert lower > handed_over  # a lower bar hands more leads over …
    assert metric_number(page, "Recall") >= recall  # … and catches at least as many that reached SQL
    delta = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text("Handed over", exact=True)).first
    assert delta.locator('[data-testid="stMetricDelta"]').inner_text().strip().lstrip("+").replace(",", "") == (
        f"{lower - handed_over:.0f}")  # the change against the saved rules is spelled out
    curve = page.locator(CURVE)  # volume vs. recall, marked at the chosen threshold (a component's shadow DOM)
    assert curve.locator(".readout").inner_text().startswith(f"threshold {lowered} · handed over {lower:,.0f} ·")
    assert curve.locator(".marker-label").text_content() == f"threshold {lowered}"
    assert f"threshold={lowered}" in page.url  # the what-if can be shared as a link


def test_the_curve_marker_follows_the_slider_before_the_server_answers(server, page):
    """The marker and the readout move in the browser: with the page's messages to the server held back, a key
    press moves them at once while the numbers, which need the server's rerun, stay as they were."""
    held = {"back": False}

    def relay(socket):
        upstream = socket.connect_to_server()
        socket.on_message(lambda message: None if held["back"] else upstream.send(message))

    page.route_web_socket(re.compile(r"/_stcore/stream"), relay)
    page.goto(f"{server.url}/scoring")
    wait_idle(page)
    curve = page.locator(CURVE)
    curve.locator(".marker-label").wait_for()
    slider = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text(THRESHOLD)).get_by_role("slider")
    start, shown = int(slider.input_value()), metric_value(page, "Handed over")
    assert curve.locator(".marker-label").text_content() == f"threshold {start}"

    held["back"] = True
    slider.focus()
    page.keyboard.press("ArrowLeft")
    expect(curve.locator(".marker-label")).to_have_text(f"threshold {start - 1}", timeout=2_000)
    expect(curve.locator(".readout")).to_contain_text(f"threshold {start - 1} · handed over ")
    page.wait_for_timeout(500)
    assert metric_value(page, "Handed over") == shown  # no rerun reached the server: the browser moved the marker
