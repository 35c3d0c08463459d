"""Journey: a manager downloads the channel table as CSV for a spreadsheet; Excel must read it as UTF-8."""

from __future__ import annotations

from tests.e2e.conftest import wait_idle

VIEW = "from=2025-01-01&to=2025-03-31&mode=cohort"  # the hand-made fixture's first quarter (tests/fixtures/small)


def test_channel_table_downloads_as_csv_with_bom(small_server, page, tmp_path):
    page.goto(f"{small_server.url}/channels?{VIEW}")
    wait_idle(page)
    page.get_by_role("heading", name="Channels").wait_for()
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as download:
        button.click()
    assert download.value.suggested_filename == "channels-cohort-20250101-20250331.csv"  # the view in its name
    saved = tmp_path / "channels.csv"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel on Windows reads Japanese right
    lines = data[3:].decode("utf-8").splitlines()
    # The reader's column names; rates as percentages that Excel reads as numbers.
    assert lines[0].startswith("Channel,Leads,MQL,SQL,Won,MQL rate,SQL rate,Win rate,Lead → won,")
    # Hand-counted (tests/fixtures/small/README.md, as in tests/unit/test_cli.py): SEO's January–March
    # cohort is 2 leads, 2 MQL, 1 SQL, 1 won; MQL rate 100%, SQL rate 50%.
    assert any(line.startswith("SEO / owned media,2,2,1,1,100.0%,50.0%,") for line in lines[1:])
    assert sorted(line.split(",")[0] for line in lines[1:]) == [
        "Referral", "SEO / owned media", "Trade show", "Webinar"]
