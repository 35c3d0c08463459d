"""Customer data is text: markup in a channel, company, owner, file name or column header shows literally and
runs nothing, on every page.

Two leads added to the hand-made fixture have markup in their channel, company, industry and owner: an
MQL without a sales touch (in the SLA's overdue list) and a lead not yet handed over (in scoring's top
leads). The Data page gets an upload whose file name and header are markup. Every page is opened with a
dialog listener: an executed `alert()` would open one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from leadfunnel import database
from leadfunnel.ingest.canonical import import_canonical
from tests.conftest import SMALL_FILES
from tests.e2e.conftest import EXPORT_UPLOADER, Server, wait_idle

HOSTILE_CHANNEL = "<b>Ads</b><img src=x onerror=alert(1)>"
HOSTILE_COMPANY = "<script>alert('company')</script>"
HOSTILE_OWNER = "<img src=x onerror=alert('owner')>"
HOSTILE_INDUSTRY = "<script>alert('industry')</script>"
HOSTILE_FILE = "<img src=x onerror=alert('file')>.csv"
HOSTILE_HEADER = "<script>alert('header')</script>"


@pytest.fixture(scope="module")
def hostile_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile")
    leads = (Path(SMALL_FILES[0]).read_text(encoding="utf-8").rstrip("\n") +
             f'\nX1,2025-04-20 10:00,"{HOSTILE_CHANNEL}","{HOSTILE_COMPANY}","{HOSTILE_INDUSTRY}",1-49,'
             f'"{HOSTILE_OWNER}",2025-04-21 10:00,,,,,,\n'
             f'X2,2025-04-25 10:00,"{HOSTILE_CHANNEL}","{HOSTILE_COMPANY}","{HOSTILE_INDUSTRY}",1-49,'
             f'"{HOSTILE_OWNER}",,,,,,,\n')
    (folder / "leads.csv").write_text(leads, encoding="utf-8")
    path = folder / "hostile.duckdb"
    con = database.connect(path)
    database.initialise(con)
    import_canonical(con, [folder / "leads.csv", SMALL_FILES[1]])
    con.close()
    running = Server(path)
    yield running
    running.stop()


@pytest.fixture
def watched(page):
    """The page, with every dialog recorded (and dismissed); asserts no markup ran when the test ends."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    assert dialogs == []
    assert page.locator('[data-testid="stApp"] img[src="x"]').count() == 0
    assert page.locator('[data-testid="stApp"] script').count() == 0
    assert page.locator('[data-testid="stApp"] b', has_text="Ads").count() == 0


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_role("heading", name=heading).first.wait_for()


def grid_text(page, index: int) -> str:
    """What a table holds in view, from the data grid's accessible twin of its canvas."""
    table = page.locator('[data-testid="stDataFrame"] >> visible=true').nth(index)  # not one folded away
    table.scroll_into_view_if_needed()
    return table.locator('[role="grid"]').text_content()


def everything_shown(page) -> str:
    """Scroll the whole page (charts draw when they come into view), then return its text and its tables'."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    for top in range(0, int(height) + 800, 700):
        page.evaluate(f"() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, {top})")
        page.wait_for_timeout(150)
    wait_idle(page)
    tables = [t.locator('[role="grid"]').text_content() for t in page.locator('[data-testid="stDataFrame"]').all()
              if t.is_visible()]
    return "\n".join([page.locator('[data-testid="stMain"]').inner_text(), *tables])


def test_hostile_text_on_funnel_and_sidebar(hostile_server, watched):
    open_page(watched, hostile_server.url, "Funnel")
    watched.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    expect(watched.get_by_role("option", name=HOSTILE_CHANNEL)).to_be_visible()  # the literal option text
    watched.keyboard.press("Escape")
    owners = watched.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=watched.get_by_text("Owner", exact=True))
    owners.first.click()
    owners.first.locator("input").fill("onerror")  # narrows the list: a long or slow list may not show it at once
    expect(watched.get_by_role("option", name=HOSTILE_OWNER)).to_be_visible(timeout=15_000)
    watched.keyboard.press("Escape")


def test_hostile_text_on_channels(hostile_server, watched):
    open_page(watched, f"{hostile_server.url}/channels", "Channels")
    chart = watched.locator(".js-plotly-plot").first
    chart.wait_for()
    expect(chart.get_by_text(HOSTILE_CHANNEL)).to_be_visible()  # the literal text on the axis
    assert HOSTILE_CHANNEL in grid_text(watched, 0)


def test_hostile_text_on_scoring(hostile_server, watched):
    open_page(watched, f"{hostile_server.url}/scoring", "Lead scoring")
    watched.locator('[data-testid="stButtonGroup"]').get_by_role("radio", name="Channel", exact=True).click()
    wait_idle(watched)
    shown = everything_shown(watched)
    assert HOSTILE_CHANNEL in shown  # the score-by-channel chart's axis
    assert HOSTILE_COMPANY in shown  # the top-scoring leads not yet handed over


def test_hostile_text_on_sla(hostile_server, watched):
    open_page(watched, f"{hostile_server.url}/sla", "Overdue now")
    shown = everything_shown(watched)
    assert HOSTILE_OWNER in shown  # the by-owner breakdown
    assert HOSTILE_COMPANY in shown  # the overdue list
    watched.get_by_role("heading", name="Overdue now").scroll_into_view_if_needed()


def test_hostile_text_on_data_upload(hostile_server, watched, tmp_path):
    upload = tmp_path / HOSTILE_FILE
    upload.write_text(f"lead_id,created_at,{HOSTILE_HEADER}\nH1,2025-04-22 10:00,{HOSTILE_COMPANY}\n",
                      encoding="utf-8")
    open_page(watched, f"{hostile_server.url}/data", "Data")
    watched.locator(EXPORT_UPLOADER).set_input_files(str(upload))
    wait_idle(watched)
    watched.get_by_role("heading", name="2. Map the columns").wait_for()
    expect(watched.get_by_text(HOSTILE_FILE).first).to_be_visible()  # the file name in the reading note
    assert HOSTILE_HEADER in grid_text(watched, 0)  # the preview's header
    company = watched.locator('[data-testid="stSelectbox"]').filter(has=watched.get_by_text("Company", exact=True))
    company.first.click()
    expect(watched.get_by_role("option", name=HOSTILE_HEADER)).to_be_visible()  # a column to map, as text
    watched.keyboard.press("Escape")


def test_hostile_text_in_the_meeting_pack_and_csv(hostile_server, watched, tmp_path):
    """The exported files too: the pack opened in the browser shows the markup as text and runs none of it,
    and the overdue list's CSV holds the literal company name."""
    open_page(watched, f"{hostile_server.url}/sla", "Overdue now")
    with watched.expect_download(timeout=60_000) as download:
        watched.get_by_role("button", name="Meeting pack (HTML)").click()
    pack = tmp_path / "pack.html"
    download.value.save_as(pack)
    overdue = watched.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV")
    with watched.expect_download(timeout=60_000) as download:
        overdue.last.click()
    csv_file = tmp_path / "overdue.csv"
    download.value.save_as(csv_file)
    assert HOSTILE_COMPANY in csv_file.read_text(encoding="utf-8-sig")

    watched.goto(pack.as_uri())
    watched.locator(".js-plotly-plot").first.wait_for()
    body = watched.locator("body")
    expect(body).to_contain_text(HOSTILE_COMPANY)  # the overdue list, as text
    expect(body).to_contain_text(HOSTILE_CHANNEL)  # the channel table and the charts' labels
    assert watched.locator("img[src='x']").count() == 0
    assert watched.locator("script", has_text="alert(").count() == 0
    assert watched.locator("b", has_text="Ads").count() == 0
