"""Journey: a Japanese marketing manager saves a chart as PNG for the meeting slides and reads the pages.

The PNG comes from Plotly's own modebar button (the browser draws it, with the fonts it has), and full-page
screenshots of the Japanese pages are kept under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import struct
from pathlib import Path

from tests.e2e.conftest import ARTIFACTS, wait_idle

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOWNLOAD_PNG = '.modebar-btn[data-title="download plot as a png" i]'  # Plotly.js 2: "png", 3: "PNG"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has right after the signature."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    assert data[12:16] == b"IHDR", "PNG without IHDR header chunk"
    return struct.unpack(">II", data[16:24])


def full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main section, so grow the viewport to the content before the shot."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
                           "[data-testid=\"stAppViewContainer\"], body')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 40, 1000), 12_000)})
    page.wait_for_timeout(800)  # Plotly redraws at the new size
    page.screenshot(path=str(path), full_page=True)


def test_japanese_chart_downloads_as_png_from_the_modebar(server, page):
    page.goto(f"{server.url}/channels?lang=ja")
    wait_idle(page)
    page.get_by_role("heading", name="チャネル").first.wait_for()
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    assert "ウェビナー" in chart.inner_text()  # channel names on the axis are Japanese
    chart.hover()
    button = chart.locator(DOWNLOAD_PNG)
    button.wait_for(state="visible", timeout=10_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    ARTIFACTS.mkdir(exist_ok=True)
    saved = ARTIFACTS / "channels-ja-modebar.png"
    download.value.save_as(saved)
    data = saved.read_bytes()
    width, height = png_size(data)
    assert download.value.suggested_filename.endswith(".png")
    assert 400 <= width <= 4000 and 250 <= height <= 4000, (width, height)
    assert len(data) > 10_000, len(data)  # bars, labels and axes, not a blank canvas


def test_japanese_funnel_and_scoring_pages_full_screenshots(server, page):
    for path, heading, name in (("", "ファネル", "funnel-ja-full.png"),  # the funnel is the default page
                                ("scoring", "リードスコアリング", "scoring-ja-full.png")):
        page.goto(f"{server.url}/{path}?lang=ja")
        wait_idle(page, timeout=90_000)
        page.get_by_role("heading", name=heading).first.wait_for()
        page.locator(".js-plotly-plot").first.wait_for()
        assert page.get_by_text("Page not found").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        full_page_screenshot(page, ARTIFACTS / name)
        assert (ARTIFACTS / name).stat().st_size > 50_000
