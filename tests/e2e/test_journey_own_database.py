"""Journey: a marketing manager's first hour with their own data (#13). On the demo, the Data page creates a
database of their own; they upload their export — whose dates lie after the demo's, so the sidebar's range from
the demo is outside the new data — import it, and open every page in English and Japanese. Nothing crashes,
no page shows a traceback or a raw "None", "nan" or "Infinity", and a reload keeps their database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import EXPORT_UPLOADER, Server, sidebar_link, wait_idle
from tests.own_export import own_export

PAGES = {"en": ("Funnel", "Channels", "Scoring", "SLA", "Pipeline", "Velocity", "Data"),
         "ja": ("ファネル", "チャネル", "スコアリング", "SLA", "パイプライン", "ベロシティ", "データ")}
RAW = re.compile(r"\b(None|nan|NaN|Infinity|inf|Traceback)\b|StreamlitValue")
@pytest.fixture(scope="module")
def demo_with_data_dir(chromium_path: str, demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("team-data")
    import shutil

    demo = Path(shutil.copy(demo_db_file, data_dir / "demo.duckdb"))
    running = Server(demo, LEADFUNNEL_DATA_DIR=str(data_dir))
    yield running, data_dir
    running.stop()


def page_text(page) -> str:
    """What the page shows, tables included (the grid's accessible twin); scrolled through first, since charts and
    tables draw when they come into view."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    for top in range(0, int(height) + 800, 700):
        page.evaluate(f"() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, {top})")
        page.wait_for_timeout(120)
    wait_idle(page)
    tables = []
    for grid in page.locator('[data-testid="stDataFrame"] [role="grid"]').all():
        tables.append(grid.text_content(timeout=5_000) or "")
    return "\n".join([page.locator('[data-testid="stApp"]').inner_text(), *tables])


def test_create_import_and_read_every_page_in_both_languages(demo_with_data_dir, page, tmp_path):
    server, data_dir = demo_with_data_dir
    page.goto(server.url)
    wait_idle(page)
    sidebar_link(page, "Data").click()
    wait_idle(page)
    page.get_by_role("button", name="Create and switch to it").click()
    wait_idle(page)
    assert (data_dir / "company.duckdb").exists()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    page.locator(EXPORT_UPLOADER).set_input_files(str(own_export(tmp_path)))
    wait_idle(page)
    expect(page.get_by_text("40 rows have no id", exact=False)).to_be_visible()
    page.get_by_role("button", name="Import").click()
    wait_idle(page)
    expect(page.get_by_text("Leads: 40 new, 0 updated, 0 unchanged")).to_be_visible()
    assert "40 leads" in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
    assert "db=company" in page.url  # a reload, or the link in the meeting chat, opens this database

    for language in ("en", "ja"):
        page.goto(f"{server.url}/?db=company&lang={language}")
        wait_idle(page)
        for name in PAGES[language]:
            sidebar_link(page, name).click()
            wait_idle(page, timeout=60_000)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            text = page_text(page)
            found = RAW.search(text)
            context = text[max(0, found.start() - 80):found.end() + 80] if found else ""
            assert found is None, f"{language} {name}: {found[0]!r} in …{context}"
            page.screenshot(path=str(Path("test-artifacts") / f"own-database-{language}-{name}.png"), full_page=True)
    sidebar_link(page, "データ").click()
    wait_idle(page)
    assert "company.duckdb" in page_text(page)  # still the team's database after reloads
