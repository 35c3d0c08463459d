"""#16 (one way in for every number): pages read widgets, call the session's cached domain calls and draw — no
connection, no query file, no choice of scoring engine; the domain functions they reach give the fixture's numbers."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest

from leadfunnel import data_overview, funnel
from leadfunnel.filters import Filters
from leadfunnel.paths import QUERY_DIR
from leadfunnel.query import QueryRunner
from leadfunnel.reports import channel_frame, funnel_frame

PROJECT = Path(__file__).resolve().parents[2]
PAGES = sorted((PROJECT / "pages").glob("*.py"))
QUERY_NAMES = {str(p.relative_to(QUERY_DIR).with_suffix("")) for p in QUERY_DIR.rglob("*.sql")}
# What only the session and the domain may touch: the connection, the query layer, the choice of scoring query.
NOT_ON_PAGES = {"runner", "runner_for", "run_query", "_run_query", "QueryRunner", "current_scores", "writing"}


def names_used(tree: ast.AST) -> set[str]:
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used |= {alias.name for alias in node.names} | {node.module or ""}
        elif isinstance(node, ast.Import):
            used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
    return used


def test_every_page_is_checked():
    assert {p.stem for p in PAGES} >= {"funnel", "channels", "scoring", "sla", "pipeline", "velocity", "data"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_pages_name_no_query_and_hold_no_connection(page):
    tree = ast.parse(page.read_text(encoding="utf-8"))
    texts = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not texts & QUERY_NAMES
    used = names_used(tree)
    assert not used & NOT_ON_PAGES
    assert not {name for name in used if name.startswith(("leadfunnel.query", "leadfunnel.database",
                                                          "leadfunnel.scoring.scores", "duckdb"))}


def test_the_guard_sees_a_query_name_and_a_connection():
    tree = ast.parse('from leadfunnel.ui.session import runner\nrunner().run("funnel/stage_counts")\n')
    texts = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert texts & QUERY_NAMES == {"funnel/stage_counts"} and "runner" in names_used(tree)


def test_funnel_and_channels_are_the_reports_frames(small_runner: QueryRunner):
    view = Filters(date(2025, 2, 1), date(2025, 2, 28))
    assert funnel.stage_counts(small_runner, view, "period").equals(funnel_frame(small_runner, view, "period"))
    assert funnel.channel_summary(small_runner, view, "period").equals(channel_frame(small_runner, view, "period"))
    # tests/fixtures/small/README.md: period February, lead 2, MQL 2, SAL 1, SQL 1, won 1
    counts = dict(funnel.stage_counts(small_runner, view, "period").select("stage", "leads").iter_rows())
    assert (counts["lead"], counts["mql"], counts["sal"], counts["sql"], counts["won"]) == (2, 2, 1, 1, 1)
    monthly = funnel.monthly_entries(small_runner, Filters(date(2025, 1, 1), date(2025, 1, 31)), "cohort")
    assert dict(monthly.filter(stage="lead").select("month", "leads").iter_rows()) == {date(2025, 1, 1): 3}


def test_data_overview_on_the_small_fixture(small_runner: QueryRunner):
    info = data_overview.database_info(small_runner)
    assert (info["leads"], info["last_backup_at"]) == (7, None)
    bounds = data_overview.date_bounds(small_runner)
    assert (bounds["first_day"], bounds["leads"]) == (date(2024, 12, 20), 7)
    assert isinstance(bounds["now"], datetime)
    options = data_overview.filter_options(small_runner)
    assert options.filter(field="channel")["value"].to_list() == ["referral", "seo", "trade_show", "webinar"]
    totals = data_overview.account_totals(small_runner)
    assert totals["leads"] == 7
    assert data_overview.largest_accounts(small_runner, 2).height <= 2
    assert data_overview.import_log(small_runner).columns[0] == "imported_at"
