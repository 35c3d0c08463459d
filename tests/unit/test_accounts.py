"""The account key and the funnel by account (#17 part 3): one company's spellings meet, two companies stay apart."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadfunnel.accounts import account_key, company_key
from leadfunnel.cli import app
from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
from tests.conftest import fixture_database, reading


@pytest.mark.parametrize("spelling", ["株式会社サンプル", "サンプル株式会社", "㈱サンプル", "（株）サンプル",
                                      "(株) サンプル", "ｻﾝﾌﾟﾙ株式会社", "株式会社 サンプル"])
def test_japanese_legal_forms_and_widths_meet(spelling):
    assert company_key(spelling) == "サンプル"


@pytest.mark.parametrize("spelling", ["Acme, Inc.", "ACME Inc.", "Ａｃｍｅ", "acme", "Acme Co., Ltd.", "Acme LLC",
                                      "Acme Corp.", "Acme Corporation", "ACME K.K.", "  Acme Ltd  "])
def test_latin_legal_forms_case_and_width_meet(spelling):
    assert company_key(spelling) == "acme"


def test_companies_that_differ_stay_apart():
    assert len({company_key(name) for name in ("サンプル", "サンプル商事", "Acme", "Acme Labs", "Acmeinc")}) == 5
    assert company_key("Acme Labs Inc.") == "acmelabs"  # spaces go, the words stay
    assert company_key("Incubate") == "incubate"  # a legal form only after a space or comma, at the end


def test_an_id_wins_and_a_lead_with_neither_is_its_own_account():
    assert account_key("001XYZ", "Acme Inc.") == "id:001XYZ"
    assert account_key(None, "Acme Inc.") == account_key("  ", "ACME") == "name:acme"
    assert account_key(None, None) is None and account_key("", "株式会社") is None and account_key(None, " ") is None


# The funnel by account against tests/fixtures/accounts (every number worked out in its README).
JANUARY = Filters(date(2025, 1, 1), date(2025, 1, 31))
FEBRUARY = Filters(date(2025, 2, 1), date(2025, 2, 28))


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_database(tmp_path_factory.mktemp("accounts"), "accounts")


@pytest.fixture
def runner(accounts_db):
    with reading(accounts_db) as fixture_runner:
        yield fixture_runner


def counts(runner: QueryRunner, view: Filters, mode: str, unit: str) -> list[int | None]:
    return runner.run("funnel/stage_counts", dataclasses.replace(view, unit=unit).params(mode))["leads"].to_list()


def test_eleven_leads_make_six_accounts(runner):
    keys = dict(runner.con.execute("SELECT lead_id, account_key FROM lead_stage_entries WHERE stage = 'lead'")
                .fetchall())
    assert keys["A1"] == keys["A2"] == keys["A3"] == "name:サンプル"
    assert keys["A4"] == keys["A5"] == keys["A6"] == "name:acme"
    assert keys["A7"] == keys["A8"] == "id:ACC-9" and keys["A9"] == "name:北辰工業"
    assert keys["A10"] == "lead:A10" and keys["A11"] == "name:サンプル商事"
    assert len(set(keys.values())) == 6


def test_cohort_by_account_counts_accounts_whose_earliest_lead_is_in_the_range(runner):
    assert counts(runner, JANUARY, "cohort", "account") == [5, 2, None, 1, 1, 1]  # SAL is not in the data
    assert counts(runner, JANUARY, "cohort", "lead") == [8, 3, None, 1, 1, 1]


def test_period_by_account_counts_account_stage_entries_in_the_range(runner):
    assert counts(runner, FEBRUARY, "period", "account") == [0, 0, None, 1, 1, 1]
    assert counts(runner, FEBRUARY, "period", "lead") == [2, 2, None, 2, 2, 2]


def test_filters_apply_to_leads_before_they_make_accounts(runner):
    webinar = dataclasses.replace(JANUARY, channels=("webinar",))
    assert counts(runner, webinar, "cohort", "account")[:2] == [3, 2]


def test_channels_by_account_credit_the_earliest_leads_channel(runner):
    frame = runner.run("channels/channel_summary", dataclasses.replace(JANUARY, unit="account").params("cohort"))
    rows = {r["channel"]: (r["leads"], r["won"], r["won_amount"]) for r in frame.iter_rows(named=True)}
    assert rows == {"seo": (4, 1, 3_000_000.0), "webinar": (1, 0, 0)}


def test_report_funnel_and_channels_by_account(accounts_db):
    cli = CliRunner()
    result = cli.invoke(app, ["report", "funnel", "--db", str(accounts_db), "--from", "2025-01-01", "--to",
                              "2025-01-31", "--by", "account"])
    assert result.exit_code == 0, result.output
    assert [s["count"] for s in json.loads(result.stdout)["stages"]][:2] == [5, 2]
    by_lead = json.loads(cli.invoke(app, ["report", "funnel", "--db", str(accounts_db), "--from", "2025-01-01",
                                          "--to", "2025-01-31"]).stdout)
    assert by_lead["stages"][0]["count"] == 8
    channels = json.loads(cli.invoke(app, ["report", "channels", "--db", str(accounts_db), "--from", "2025-01-01",
                                           "--to", "2025-01-31", "--by", "account"]).stdout)
    assert {c["channel"]: c["leads"] for c in channels["channels"]} == {"seo": 4, "webinar": 1}


def test_the_data_page_counts_how_leads_merge_into_accounts(runner):
    assert runner.run("data/account_totals").row(0, named=True) == {
        "leads": 11, "accounts": 6, "merged_accounts": 3, "merged_leads": 8}
    largest = runner.run("data/largest_accounts", {"limit": 20})
    assert largest.select("company", "account_id", "leads", "won").rows() == [
        ("ACME Inc.", None, 3, 0), ("サンプル株式会社", None, 3, 2), ("Hokushin", "ACC-9", 2, 0)]
    assert largest["examples"][1] == "サンプル株式会社 / ㈱サンプル / 株式会社サンプル"  # what was put together
    assert largest["spellings"].to_list() == [3, 3, 2]
    assert runner.run("data/largest_accounts", {"limit": 1}).height == 1


def test_the_pack_by_account_counts_accounts_and_says_so(runner):
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import SlaPolicy

    def sections(unit: str) -> tuple[str, str]:
        document = build_pack(runner, dataclasses.replace(JANUARY, unit=unit), "cohort", DEFAULT_RULES, None,
                              SlaPolicy(), datetime(2025, 3, 1))
        start, channels, end = (document.index(h) for h in ("<h2>Funnel", "<h2>Channels", "<h2>Scoring"))
        return document[start:channels], document[channels:end]

    (funnel, channels), (lead_funnel, lead_channels) = sections("account"), sections("lead")
    number = "<td class='number'>{}</td>"
    assert "<th>Accounts</th>" in funnel and "Counted by account" in funnel
    assert "<td>Lead</td>" + number.format(5) in funnel  # the January cohort by account (fixture README)
    assert "<td>Lead</td>" + number.format(8) in lead_funnel and "by account" not in lead_funnel + lead_channels
    assert "<th>Accounts</th>" in channels and "Counted by account" in channels
    assert "<td>SEO / owned media</td>" + number.format(4) in channels
    assert "<td>SEO / owned media</td>" + number.format(5) in lead_channels  # A1, A4, A7, A9, A10


@pytest.mark.parametrize("mode", ["cohort", "period"])
@pytest.mark.parametrize("view", [JANUARY, FEBRUARY, Filters()], ids=["january", "february", "all"])
def test_the_stored_account_entries_match_the_computed_ones(runner, mode, view):
    """Without segment filters the account entries come from stage_entries_by_account (stored at import); choosing
    every channel keeps the same leads but computes them: the two must agree to the last column."""
    every_channel = tuple(runner.con.execute("SELECT DISTINCT channel FROM lead_stage_entries").pl()["channel"])
    stored, computed = (runner.run("funnel/stage_counts",
                                   dataclasses.replace(view, unit="account", channels=channels).params(mode))
                        for channels in ((), every_channel))
    assert stored.equals(computed)
    assert runner.run("channels/channel_summary", dataclasses.replace(view, unit="account").params(mode)).equals(
        runner.run("channels/channel_summary",
                   dataclasses.replace(view, unit="account", channels=every_channel).params(mode)))


def test_the_pack_draws_no_empty_channel_chart_when_nothing_can_be_ranked(runner):
    """February by account, period mode: no account is new (lead 0), so no channel has a lead → won rate."""
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import SlaPolicy

    document = build_pack(runner, dataclasses.replace(FEBRUARY, unit="account"), "period", DEFAULT_RULES, None,
                          SlaPolicy(), datetime(2025, 3, 1))
    channels = document[document.index("<h2>Channels"):document.index("<h2>Multi-touch")]
    assert "No channel has a Lead → won in this view" in channels and "Plotly.newPlot" not in channels
