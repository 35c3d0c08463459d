"""Journey (#17): a manager opens the stuck-lead list from a link pasted in the meeting chat — in Japanese, at the
meeting's instant — sees who holds the stuck leads and why, and downloads the list (tests/fixtures/aging)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import fixture_database
from tests.e2e.conftest import ARTIFACTS, Server, wait_idle


@pytest.fixture(scope="module")
def aging_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(fixture_database(tmp_path_factory.mktemp("aging-e2e"), "aging"))
    yield running
    running.stop()


def test_the_stuck_list_opens_from_a_shared_link(aging_server, page):
    page.goto(f"{aging_server.url}/pipeline?lang=ja&as_of=2025-03-10T12:00&limits=mql:9.25,sql:14")
    wait_idle(page)
    page.get_by_role("heading", name="パイプライン：滞留リード").wait_for()
    expect(page.get_by_text("2025/03/10 12:00（サイドバーの基準時点）", exact=False)).to_be_visible()
    expect(page.get_by_text("このセッションだけで試している", exact=False)).to_be_visible()  # the link's limits
    stuck = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text("滞留", exact=True))
    expect(stuck.locator('[data-testid="stMetricValue"]')).to_have_text("3")  # P3, P6 and P7 at these limits
    expect(page.get_by_role("heading", name="滞留リード（ステージにいる期間の長い順）")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "pipeline-ja.png"))
    with page.expect_download() as download:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").last.click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",")[:5] == ["リード", "会社名", "担当者", "チャネル", "ステージ"]
    assert [line.split(",")[0] for line in lines[1:]] == ["P3", "P6", "P7"]
    assert "担当者なし" in lines[1] and "営業接触なし" in lines[3]
