"""Journey: a marketing manager opens the dashboard, reads the funnel, filters by channel, checks channels."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_shared_link_to_channels_on_a_fresh_server_has_the_sidebar(server, page):
    # The very first request of the process goes to a page URL (a link pasted in the meeting chat).
    page.goto(f"{server.url}/channels")
    wait_idle(page)
    page.get_by_role("heading", name="Channels").wait_for()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("Date range")).to_be_visible()
    # The ranking, the attribution beside first touch, and (the demo has spend) spend against pipeline.
    expect(page.locator(".js-plotly-plot")).to_have_count(3)
    expect(page.locator(".js-plotly-plot").first.get_by_text("Webinar")).to_be_visible()


def test_open_dashboard_and_read_the_funnel(server, page):
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    leads = int(metric_value(page, "Lead").replace(",", ""))
    won = int(metric_value(page, "Won").replace(",", ""))
    assert leads > won > 0
    funnel_text = page.locator(".js-plotly-plot").first.inner_text()
    assert "MQL" in funnel_text and "Won" in funnel_text


def test_filter_by_channel_changes_the_funnel(server, page):
    page.goto(server.url)
    wait_idle(page)
    everyone = int(metric_value(page, "Lead").replace(",", ""))
    channel_box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.get_by_text("Channel", exact=True)).first
    channel_box.click()
    channel_box.locator("input").fill("Webinar")
    page.get_by_role("option", name="Webinar", exact=True).click(timeout=15_000)
    page.keyboard.press("Escape")
    wait_idle(page)
    page.wait_for_function(
        "prev => { const v = [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')][0];"
        " return v && v.innerText.replace(/,/g, '') !== String(prev); }", arg=everyone, timeout=15_000)
    webinar_only = int(metric_value(page, "Lead").replace(",", ""))
    assert 0 < webinar_only < everyone
    page.get_by_role("link", name="Channels").click()
    wait_idle(page)
    page.get_by_role("heading", name="Channels").wait_for()
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    assert re.search(r"Channels", page.title() + page.content())


def test_one_click_meeting_pack(server, page, tmp_path):
    page.goto(f"{server.url}/?channel=webinar")
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Meeting pack (HTML)").click()
    saved = tmp_path / "pack.html"
    download.value.save_as(saved)
    document = saved.read_text(encoding="utf-8")
    assert document.startswith("<!DOCTYPE html>") and "Plotly.newPlot" in document
    assert "Webinar" in document


def test_the_funnel_at_its_own_address(server, page):
    """/funnel, typed like /channels, is the home page: no "page not found" dialog (which only a session after the
    server's first showed)."""
    page.goto(server.url)
    wait_idle(page)
    page.goto(f"{server.url}/funnel")  # a new session
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.url.endswith("/funnel")
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_role("link")).to_have_count(7)  # the second entry is hidden from the menu
