"""Customer data is text: a company or channel named like markup shows literally and runs nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from leadfunnel import database
from leadfunnel.ingest.canonical import import_canonical
from tests.conftest import SMALL_FILES
from tests.e2e.conftest import Server, wait_idle

HOSTILE_CHANNEL = "<b>Ads</b><img src=x onerror=alert(1)>"
HOSTILE_COMPANY = "<script>alert('company')</script>"


@pytest.fixture(scope="module")
def hostile_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile")
    leads = (Path(SMALL_FILES[0]).read_text(encoding="utf-8").rstrip("\n") +
             f'\nX1,2025-04-20 10:00,"{HOSTILE_CHANNEL}","{HOSTILE_COMPANY}",Retail,1-49,佐藤 健,'
             "2025-04-21 10:00,,,,,,\n")
    (folder / "leads.csv").write_text(leads, encoding="utf-8")
    path = folder / "hostile.duckdb"
    con = database.connect(path)
    database.initialise(con)
    import_canonical(con, [folder / "leads.csv", SMALL_FILES[1]])
    con.close()
    running = Server(path)
    yield running
    running.stop()


def test_markup_in_data_is_shown_as_text(hostile_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{hostile_server.url}/channels")
    wait_idle(page)
    page.get_by_label("Date range").first.wait_for()
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    expect(chart.get_by_text(HOSTILE_CHANNEL)).to_be_visible()  # the literal text on the axis
    assert page.locator("img[src=x]").count() == 0
    page.goto(f"{hostile_server.url}/sla")
    wait_idle(page)
    page.get_by_role("heading", name="Overdue now").wait_for()
    assert dialogs == []
