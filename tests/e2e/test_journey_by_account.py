"""Journey (#17 part 3): the head of sales opens the funnel by account from a link pasted in the meeting chat, in
Japanese, on a database imported from files (tests/fixtures/accounts); counts leads again with one click; checks on
the Data page which contacts were put together; and downloads the channels table by account."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import fixture_database
from tests.e2e.conftest import ARTIFACTS, Server, metric_value, open_expander, sidebar_link, wait_for_change, wait_idle

LINK = "lang=ja&from=2025-01-01&to=2025-01-31&mode=cohort&by=account"


@pytest.fixture(scope="module")
def accounts_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(fixture_database(tmp_path_factory.mktemp("accounts-e2e"), "accounts"))
    yield running
    running.stop()


def test_the_funnel_by_account_from_a_shared_link(accounts_server, page):
    page.goto(f"{accounts_server.url}/?{LINK}")  # the funnel is the home page; the first session of the server
    wait_idle(page)
    page.get_by_role("heading", name="ファネル").wait_for()
    expect(page.get_by_text("企業単位で数えています", exact=False)).to_be_visible()
    assert metric_value(page, "リード") == "5"  # サンプル, ACC-9, 北辰工業, A10, サンプル商事 (fixture README)
    page.screenshot(path=str(ARTIFACTS / "funnel-by-account-ja.png"), full_page=True)

    page.locator('[data-testid="stSidebar"]').get_by_text("リード", exact=True).click()
    assert wait_for_change(page, "リード", "5") == "8"  # the same view counted by lead
    assert "by=account" not in page.url
    expect(page.get_by_text("企業単位で数えています", exact=False)).to_have_count(0)

    sidebar_link(page, "データ").click()
    wait_idle(page)
    open_expander(page, "企業：リード 11 件は 6 社")
    grid = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]')
    expect(grid).to_be_visible()
    page.wait_for_timeout(500)  # the grid draws on a canvas after it appears
    page.screenshot(path=str(ARTIFACTS / "data-accounts-ja.png"), full_page=True)


def test_the_channels_table_downloads_by_account(accounts_server, page):
    page.goto(f"{accounts_server.url}/channels?{LINK}")
    wait_idle(page)
    page.get_by_role("heading", name="チャネル").wait_for()
    with page.expect_download() as download:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").first.click()
    assert "by-account" in download.value.suggested_filename
    lines = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:2] == ["チャネル", "企業"]
    assert lines[1].split(",")[:2] == ["SEO・オウンドメディア", "4"]
