"""The meeting pack is one valid, self-contained HTML file with the expected numbers, and data is text."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser

import polars as pl
from typer.testing import CliRunner

from leadfunnel.cli import app
from leadfunnel.filters import Filters
from leadfunnel.i18n import set_language
from leadfunnel.ingest.write import write_tables
from leadfunnel.model import TABLE_SCHEMAS
from leadfunnel.pack import build_pack
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.rules import DEFAULT_RULES
from leadfunnel.sla.policy import SlaPolicy

JANUARY = Filters(date(2025, 1, 1), date(2025, 1, 31))


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.script_sources: list[str] = []
        self.tags: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_cell = tag in ("td", "th")
        if tag == "script" and dict(attrs).get("src"):
            self.script_sources.append(dict(attrs)["src"])

    def handle_endtag(self, tag):
        self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells.append(data)


def parsed(document: str) -> Collector:
    collector = Collector()
    collector.feed(document)
    return collector


def test_pack_is_standalone_html_with_the_fixture_numbers(small_runner):
    document = build_pack(small_runner, JANUARY, "cohort", DEFAULT_RULES,
                          DEFAULT_RULES.with_changes(name="Threshold 20", threshold=20), SlaPolicy(),
                          datetime(2025, 6, 1))
    assert document.startswith("<!DOCTYPE html>") and document.rstrip().endswith("</html>")
    html = parsed(document)
    assert html.script_sources == []  # plotly.js is embedded, nothing loads from the network
    assert document.count("Plotly.newPlot") == 4  # funnel, channels, threshold curve, SLA weekly
    cells = html.cells
    # January cohort (tests/fixtures/small): 3 leads, previous period (December) 1.
    lead_row = cells.index("Lead")
    assert cells[lead_row:lead_row + 4] == ["Lead", "3", "1", "+2"]
    assert "Threshold 20" in cells and "Guide default" in cells


def test_pack_in_japanese_and_data_is_escaped(empty_db):
    hostile = "<script>alert(1)</script>"
    lead = {name: [None] for name in TABLE_SCHEMAS["leads"]} | {
        "lead_id": ["X"], "created_at": [datetime(2025, 1, 5)], "channel": ["seo"], "company": [hostile],
        "mql_at": [datetime(2025, 1, 6)]}
    touched = {name: [None] for name in TABLE_SCHEMAS["leads"]} | {
        "lead_id": ["Y"], "created_at": [datetime(2025, 1, 5)], "channel": ["seo"], "mql_at": [datetime(2025, 1, 6)]}
    call = pl.DataFrame({"lead_id": ["Y"], "occurred_at": [datetime(2025, 1, 7)], "activity_type": ["sales_call"],
                         "detail": [None]})
    # Y was called, so the data has sales touches and X (never touched) is overdue.
    write_tables(empty_db, leads=pl.concat([pl.DataFrame(lead, schema=TABLE_SCHEMAS["leads"]),
                                            pl.DataFrame(touched, schema=TABLE_SCHEMAS["leads"])]), activities=call)
    try:
        set_language("ja")
        document = build_pack(QueryRunner(empty_db), JANUARY, "period", DEFAULT_RULES, None, SlaPolicy(),
                              datetime(2025, 2, 1))
    finally:
        set_language("en")
    assert "<html lang='ja'>" in document and "ファネル" in document and "期限切れ" in document
    assert hostile not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document  # the overdue list shows it as text


def test_pack_command_for_a_scheduler(small_db_file, tmp_path):
    out = tmp_path / "pack.html"
    result = CliRunner().invoke(app, ["pack", "--out", str(out), "--db", str(small_db_file), "--from", "2025-01-01",
                                      "--to", "2025-01-31", "--mode", "cohort"])
    assert result.exit_code == 0, result.output
    assert "Lead" in parsed(out.read_text(encoding="utf-8")).cells
