"""Journey (#13): in the meeting, sales tries a 72-hour deadline on the SLA page. Only that session's numbers
change; a colleague's session keeps the agreed policy until the change is saved as the agreed one. The page
says which scope it reads (hand-overs by hand-over time, whatever the funnel mode)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import metric_value, open_expander, wait_idle

# tests/fixtures/sla/README.md: January, as of 2025-01-24 12:00 — 33.3 % under 24 h, 80.0 % under 72 h.
VIEW = "from=2025-01-01&to=2025-01-31&as_of=2025-01-24T12:00&mode=cohort"


def open_sla(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.goto(f"{server.url}/sla?{VIEW}")
    wait_idle(page)
    page.get_by_role("heading", name="SLA").first.wait_for()
    return context, page


def test_trying_a_deadline_changes_only_this_session_until_it_is_saved(sla_server, browser, page):
    page.goto(f"{sla_server.url}/sla?{VIEW}")
    wait_idle(page)
    expect(page.get_by_text("the funnel mode does not apply", exact=False)).to_be_visible()  # scope said
    assert metric_value(page, "Compliance") == "33.3%"

    open_expander(page, "SLA policy agreed by marketing and sales")
    deadline = page.get_by_label("Follow-up deadline", exact=False)
    deadline.fill("72")
    page.get_by_role("button", name="Try these settings").click()
    wait_idle(page)
    expect(page.get_by_text("not the agreed policy", exact=False)).to_be_visible()  # the tried policy's rerun is done
    assert metric_value(page, "Compliance") == "80.0%"

    context, colleague = open_sla(browser, sla_server)
    try:
        assert metric_value(colleague, "Compliance") == "33.3%"  # looking changed nothing for anyone else
        # The form is still open and holds the tried 72 hours: agree on them.
        expect(page.get_by_label("Follow-up deadline", exact=False)).to_have_value("72.00")
        page.get_by_role("button", name="Save as the agreed policy").click()
        wait_idle(page)
        expect(page.get_by_text("Agreed policy, saved", exact=False)).to_be_visible()
        colleague.reload()
        wait_idle(colleague)
        assert metric_value(colleague, "Compliance") == "80.0%"  # agreed: now everyone's numbers
    finally:
        context.close()
