"""Journey (#18): the marketing manager opens the channel credit from a link pasted in the meeting chat, in
Japanese, on a database imported from files (tests/fixtures/attribution, with spend.csv), switches the model and
sees the credit and the cost per result move."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.conftest import fixture_database
from tests.e2e.conftest import ARTIFACTS, Server, wait_idle


@pytest.fixture(scope="module")
def attribution_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(fixture_database(tmp_path_factory.mktemp("attribution-e2e"), "attribution"))
    yield running
    running.stop()


def test_the_channel_credit_from_a_shared_link_and_another_model(attribution_server, page):
    page.goto(f"{attribution_server.url}/channels?lang=ja&from=2025-01-01&to=2025-03-31&model=first_touch")
    wait_idle(page)
    heading = page.get_by_role("heading", name="マルチタッチアトリビューション：成果につながった接点")
    heading.scroll_into_view_if_needed()
    expect(page.get_by_text("SQL に到達したリードは 3 件", exact=False)).to_be_visible()
    expect(page.get_by_text("ファーストタッチ（最初の接点にすべて）", exact=False)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "attribution-first-touch-ja.png"), full_page=True)

    page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("アトリビューションモデル")).click()
    page.get_by_role("option", name="減衰（タイムディケイ）").click()
    wait_idle(page)
    assert "model=time_decay" in page.url
    expect(page.get_by_text("（転換に近い接点ほど多く", exact=False)).to_be_visible()
    page.get_by_role("heading", name="費用と成果単価").scroll_into_view_if_needed()
    expect(page.locator('[data-testid="stPlotlyChart"]').last).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "attribution-time-decay-ja.png"), full_page=True)
