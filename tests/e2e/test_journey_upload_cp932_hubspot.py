"""Journey: marketing ops uploads a HubSpot export saved by Excel in CP932, fixes one column, imports, and
the funnel counts the new leads.

The file (tests/fixtures/exports/hubspot_contacts_cp932.csv) has HubSpot's English headers except
"作成日" for Create Date (a Japanese portal), CP932-only characters (㈱ ① 髙 﨑 №) and a backslash.
The guess takes "Became a Lead Date" (empty here) as the created date, so every row is rejected
until the user maps "Created" to 作成日.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import FIXTURES
from tests.e2e.conftest import EXPORT_UPLOADER, metric_value, sidebar_link, wait_idle

EXPORT = FIXTURES / "exports" / "hubspot_contacts_cp932.csv"


def choose(page, label: str, option: str) -> None:
    """Pick an option of a selectbox by typing it, as a keyboard user would."""
    page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_upload_a_cp932_hubspot_export_fix_the_mapping_and_import(small_server, page):
    data = EXPORT.read_bytes()
    assert "㈱髙橋製作所" in data.decode("cp932")
    page.goto(small_server.url)
    wait_idle(page)
    leads_before = int(metric_value(page, "Lead"))

    sidebar_link(page, "Data").click()
    wait_idle(page)
    page.get_by_role("heading", name="Data").first.wait_for()
    page.locator(EXPORT_UPLOADER).set_input_files(str(EXPORT))
    wait_idle(page)
    page.get_by_role("heading", name="2. Map the columns").wait_for()
    expect(page.get_by_text("read as cp932", exact=False).first).to_be_visible()
    preset = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("Exported from", exact=True))
    expect(preset.first.locator("input")).to_have_value("HubSpot contacts export")
    preview = page.locator('[data-testid="stDataFrame"] >> visible=true').first.locator('[role="grid"]')
    shown = preview.text_content()  # the grid's accessible twin holds the columns in view
    assert "髙橋" in shown and "﨑田" in shown and "渡邊" in shown  # decoded as CP932, not mojibake
    assert metric_value(page, "Rejected rows") == "4"  # every created date is empty under the guess
    expect(page.get_by_role("button", name="Import")).to_be_disabled()

    choose(page, "Created", "作成日")
    expect(page.get_by_text("Every row can be imported.")).to_be_visible()
    assert (metric_value(page, "Leads to import"), metric_value(page, "New"), metric_value(page, "Rejected rows")) == (
        "4", "4", "0")
    page.get_by_role("button", name="Import").click()
    wait_idle(page)
    # The page reruns with the new data: the summary on top, an empty upload box, the counts up to date.
    expect(page.get_by_text("Leads: 4 new, 0 updated, 0 unchanged")).to_be_visible()
    expect(page.get_by_text("last import: never")).to_have_count(0)

    sidebar_link(page, "Funnel").click()
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    assert int(metric_value(page, "Lead")) == leads_before + 4  # created 2025-04-07 … 04-16, inside the view
