"""Journey: in the alignment meeting, someone lowers the hand-over threshold and everyone sees what it would do."""

from __future__ import annotations

from tests.e2e.conftest import metric_number, metric_value, wait_for_change, wait_idle

THRESHOLD = "Hand-over threshold (points)"


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
    curve = page.locator(".js-plotly-plot").first  # volume vs. recall, marked at the chosen threshold
    assert f"threshold {lowered}" in curve.inner_text()
    assert f"threshold={lowered}" in page.url  # the what-if can be shared as a link
