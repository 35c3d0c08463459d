"""Journey (#13, finding 5): one sidebar, and every page says which part of it it reads. A quarter is compared with
the previous quarter (or the same quarter last year), not with the 91 days before it; the SLA page says the funnel
mode does not apply to hand-overs; the scoring headline says the date range applies to its weekly chart only."""

from playwright.sync_api import expect

from tests.e2e.conftest import sidebar_link, wait_idle

QUARTER = "from=2025-01-01&to=2025-03-31&mode=cohort"  # Q1 2025 of tests/fixtures/small, cohort mode


def test_a_quarter_in_cohort_mode_is_read_with_its_scope_on_every_page(small_server, page):
    page.goto(f"{small_server.url}/?{QUARTER}")
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    # Q1 against Q4 of the year before: whole calendar quarters, not "the 90 days before".
    expect(page.get_by_text("Changes are against 2024-10-01 to 2024-12-31.")).to_be_visible()
    page.locator('[data-testid="stSidebar"]').get_by_text("Last year", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("Changes are against 2024-01-01 to 2024-03-31.")).to_be_visible()
    assert "compare=last_year" in page.url and "mode=cohort" in page.url

    sidebar_link(page, "SLA").click()
    wait_idle(page)
    page.get_by_role("heading", name="SLA: hand-over follow-up").wait_for()
    expect(page.get_by_text("the funnel mode does not apply to hand-overs", exact=False)).to_be_visible()

    sidebar_link(page, "Scoring").click()
    wait_idle(page)
    page.get_by_role("heading", name="Lead scoring").first.wait_for()
    expect(page.get_by_text("the date range applies to the weekly chart only", exact=False)).to_be_visible()
    assert "compare=last_year" in page.url  # the view travels with the page switch
