"""Journey: a manager narrows the funnel to one quarter, then to one channel, and the numbers follow."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import metric_value, sidebar_link, wait_for_change, wait_idle


def pick_range(page, start: str, end: str) -> None:
    """Type both dates into the sidebar's range field (YYYYMMDD); leaving the field applies them."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("spinbutton", name="year, Date range start date").click()
    page.keyboard.type(start)
    sidebar.get_by_role("spinbutton", name="year, Date range end date").click()
    page.keyboard.type(end)
    page.get_by_role("heading", name="Funnel").click()  # blur: the widget sends the new range


def pick_channel(page, label: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.click()
    page.keyboard.type(label)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_date_range_then_channel_change_the_funnel(server, page):
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    default = {label: metric_value(page, label) for label in ("Lead", "MQL", "Won")}

    pick_range(page, "20260201", "20260430")
    quarter_leads = wait_for_change(page, "Lead", default["Lead"])
    expect(page.get_by_text("2026-02-01 to 2026-04-30").first).to_be_visible()  # the caption names the range
    assert "from=2026-02-01" in page.url and "to=2026-04-30" in page.url
    quarter = {label: metric_value(page, label) for label in ("Lead", "MQL", "Won")}
    assert quarter != default

    pick_channel(page, "Webinar")
    webinar_leads = wait_for_change(page, "Lead", quarter_leads)
    assert 0 < int(webinar_leads.replace(",", "")) < int(quarter_leads.replace(",", ""))
    assert "channel=webinar" in page.url

    # The same view on another page: Channels lists only the chosen channel for the chosen range.
    sidebar_link(page, "Channels").click()
    wait_idle(page)
    page.get_by_role("heading", name="Channels").wait_for()
    expect(page.get_by_text("2026-02-01 to 2026-04-30").first).to_be_visible()
    expect(page.locator(".js-plotly-plot").first.get_by_text("Webinar")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first.get_by_text("SEO")).to_have_count(0)
