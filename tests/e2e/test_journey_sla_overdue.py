"""Journey: before the weekly meeting, sales opens the SLA page to see which hand-overs are overdue right now."""

from __future__ import annotations

from tests.e2e.conftest import metric_number, wait_idle


def table_after(page, heading: str):
    """The first table below a subheading (tables have no label of their own)."""
    return page.locator('[data-testid="stHeading"]').filter(has_text=heading).first.locator(
        'xpath=following::*[@data-testid="stDataFrame"][1]')


def test_the_overdue_list_has_the_overdue_leads(server, page):
    page.goto(f"{server.url}/sla")
    wait_idle(page)
    page.get_by_role("heading", name="SLA: hand-over follow-up").wait_for()
    page.get_by_role("heading", name="Overdue now").wait_for()
    overdue = metric_number(page, "Overdue now")
    assert overdue > 0

    table = table_after(page, "Overdue now")
    table.wait_for()
    table.scroll_into_view_if_needed()  # the saved screenshot shows the list
    grid = table.locator('[role="grid"]')  # the data grid's accessible twin of the canvas
    rows = int(grid.get_attribute("aria-rowcount")) - 1  # without the header row
    assert rows == overdue
    headers = [h.text_content().strip() for h in grid.locator('[role="columnheader"]').all()]
    assert "Hours overdue" in headers and "Deadline" in headers
    assert page.get_by_text("No open hand-over is past its deadline.").count() == 0
