"""Multi-touch attribution and spend (#18) against tests/fixtures/attribution (the numbers are in its README)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.attribution import MODELS, attribution
from leadfunnel.cli import app
from leadfunnel.filters import Filters
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.query import QueryRunner
from tests.conftest import FIXTURES, fixture_database, reading

Q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
FILES = [FIXTURES / "attribution" / name for name in ("leads.csv", "activities.csv", "spend.csv")]
cli = CliRunner()


@pytest.fixture(scope="module")
def attribution_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_database(tmp_path_factory.mktemp("attribution"), "attribution")


@pytest.fixture
def runner(attribution_db):
    with reading(attribution_db) as fixture_runner:
        yield fixture_runner


def credit(runner: QueryRunner, model: str, outcome: str, view: Filters = Q1) -> dict[str, float]:
    table = attribution(runner, view).channels(model, outcome)
    return {row["channel"]: round(row["credit"], 4) for row in table.iter_rows(named=True) if row["credit"]}


def test_sql_credit_under_every_model(runner):
    assert credit(runner, "first_touch", "sql") == {"seo": 1, "listing_ads": 1, "whitepaper": 1}
    assert credit(runner, "last_touch", "sql") == {"seo": 2, "webinar": 1}
    sixth = round(1 / 6, 4)
    assert credit(runner, "linear", "sql") == {"seo": round(7 / 6, 4), "webinar": round(2 / 3, 4),
                                               "listing_ads": 0.5, "whitepaper": sixth, "seminar": sixth,
                                               "trade_show": sixth, "sns_ads": sixth}
    assert credit(runner, "position_based", "sql") == {"seo": 1.4, "webinar": 0.55, "listing_ads": 0.5,
                                                       "whitepaper": 0.4, "seminar": 0.05, "trade_show": 0.05,
                                                       "sns_ads": 0.05}
    assert credit(runner, "time_decay", "sql") == {
        "seo": round(29 / 21, 4), "webinar": round(18 / 21, 4), "listing_ads": round(1 / 3, 4),
        "sns_ads": round(4 / 21, 4), "seminar": round(2 / 21, 4), "trade_show": round(2 / 21, 4),
        "whitepaper": round(1 / 21, 4)}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("outcome", ["mql", "sql", "opportunity", "won"])
def test_each_converted_lead_gives_exactly_one(runner, model, outcome):
    result = attribution(runner, Q1)
    total = result.channels(model, outcome)["credit"].sum()
    assert total == pytest.approx(result.converted[outcome])
    assert result.converted == {"lead": 5, "mql": 3, "sql": 3, "opportunity": 2, "won": 2}


def test_won_credits_the_touch_after_the_sql_and_the_amount_only_where_known(runner):
    linear = attribution(runner, Q1).channels("linear", "won")
    rows = {row["channel"]: row for row in linear.iter_rows(named=True)}
    assert round(rows["webinar"]["credit"], 4) == round(2 / 7, 4)  # 01-15 and 01-25 (after the SQL, before won)
    assert round(rows["seo"]["credit"], 4) == round(1 + 1 / 7, 4)
    assert rows["seo"]["amount"] == 1_000_000  # L1's; L3 has no amount
    assert rows["webinar"]["amount"] is None and rows["whitepaper"]["amount"] is None
    sql = attribution(runner, Q1).channels("linear", "sql")
    assert sql["amount"].null_count() == sql.height  # an amount only for won


def test_spend_ratios_and_a_channel_with_spend_but_no_result(runner):
    table = attribution(runner, Q1).channels("linear", "sql")
    rows = {row["channel"]: row for row in table.iter_rows(named=True)}
    assert rows["seo"]["spend"] == 900_000 and round(rows["seo"]["cost_per_conversion"], 2) == 771_428.57
    assert rows["webinar"]["cost_per_conversion"] == pytest.approx(450_000)
    assert rows["trade_show"]["cost_per_conversion"] == pytest.approx(3_000_000)
    assert round(rows["seo"]["roi"], 4) == round(1_000_000 / 900_000, 4)
    assert rows["display_ads"]["spend"] == 50_000 and rows["display_ads"]["credit"] == 0
    assert rows["display_ads"]["cost_per_conversion"] is None and rows["display_ads"]["roi"] is None
    assert rows["listing_ads"]["spend"] is None  # a result without spend


def test_costs_per_lead_mql_sql_and_won(runner):
    costs = {row["channel"]: row for row in attribution(runner, Q1).costs("linear").iter_rows(named=True)}
    assert costs["seo"]["cost_per_lead"] == pytest.approx(300_000)  # L1, L4 and L5
    assert costs["trade_show"]["cost_per_lead"] == pytest.approx(1_500_000)  # a third of L3 at its creation
    assert costs["seo"]["cost_per_won"] == pytest.approx(900_000 / (1 + 1 / 7))
    assert costs["webinar"]["cost_per_lead"] is None  # no lead's creation credits a webinar
    assert list(costs) == ["seo", "trade_show", "webinar", "display_ads"]  # by spend


def test_a_part_of_a_month_carries_its_share_of_the_spend(runner):
    early = attribution(runner, Filters(date(2025, 1, 1), date(2025, 1, 15)))
    spend = dict(early.spend.group_by("channel").agg(pl.col("spend").sum()).iter_rows())
    assert round(spend["seo"], 2) == round(300_000 * 15 / 31, 2)
    assert early.converted.get("sql", 0) == 0
    assert early.channels("linear", "sql")["share"].null_count() == early.channels("linear", "sql").height


def test_spend_is_left_out_under_a_segment_it_is_not_split_by(runner):
    it_only = attribution(runner, Filters(Q1.date_from, Q1.date_to, industries=("IT",)))
    assert not it_only.has_spend and it_only.channels("linear", "sql")["spend"].null_count() == \
        it_only.channels("linear", "sql").height
    seo_only = attribution(runner, Filters(Q1.date_from, Q1.date_to, channels=("seo",)))
    assert seo_only.has_spend and set(seo_only.spend["channel"]) == {"seo"}
    assert seo_only.converted["sql"] == 1  # L1: the filter is on the lead's own channel


def test_campaigns_where_the_touches_have_them(runner):
    campaigns = attribution(runner, Q1).campaign_credit("linear", "sql")
    rows = {(row["channel"], row["campaign"]): round(row["credit"], 4) for row in campaigns.iter_rows(named=True)}
    assert rows[("sns_ads", "spring_sns")] == round(1 / 6, 4)
    assert rows[("webinar", "Jan webinar")] == round(1 / 6, 4) and rows[("webinar", None)] == 0.5


def test_report_attribution_json_and_csv(attribution_db):
    result = cli.invoke(app, ["report", "attribution", "--db", str(attribution_db), "--model", "linear",
                              "--outcome", "sql", "--from", "2025-01-01", "--to", "2025-03-31"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["model"], report["outcome"], report["from"], report["to"], report["converted"]) == (
        "linear", "sql", "2025-01-01", "2025-03-31", 3)
    assert sum(c["credit"] for c in report["channels"]) == pytest.approx(3)
    seo = next(c for c in report["channels"] if c["channel"] == "seo")
    assert set(seo) == {"channel", "credit", "share", "amount", "spend", "cost_per_conversion", "roi"}
    assert seo["amount"] is None  # only for won
    won = json.loads(cli.invoke(app, ["report", "attribution", "--db", str(attribution_db), "--model",
                                      "first_touch", "--outcome", "won", "--from", "2025-01-01", "--to",
                                      "2025-03-31"]).stdout)
    assert {c["channel"]: c["amount"] for c in won["channels"] if c["credit"]} == {"seo": 1_000_000,
                                                                                   "whitepaper": None}
    csv = cli.invoke(app, ["report", "attribution", "--db", str(attribution_db), "--model", "time_decay",
                           "--outcome", "sql", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "csv"])
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0] == (
        "channel,credit,share,amount,spend,cost_per_conversion,roi")
    refused = cli.invoke(app, ["report", "attribution", "--db", str(attribution_db), "--model", "w_shaped",
                               "--outcome", "sql"])
    assert refused.exit_code != 0 and "w_shaped" in refused.output


def test_spend_import_is_validated_and_a_newer_amount_replaces_the_stored_one(tmp_path):
    con = database.connect(tmp_path / "spend.duckdb")
    database.initialise(con)
    bad = tmp_path / "spend.csv"
    bad.write_text("month,channel,campaign,amount\n2025-13,seo,,100\n2025-01,seo,,-5\n2025-02,webinar,A,1\n"
                   "2025/2,webinar,A,2\n2025-03,,,100\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_canonical(con, [bad])
    found = {(p.line, p.column, p.message.key) for p in rejected.value.problems}
    assert found == {(2, "month", "import.not_a_month"), (3, "amount", "import.negative_spend"),
                     (4, "month", "import.duplicate_spend"), (5, "month", "import.duplicate_spend"),
                     (6, "channel", "import.required_empty")}
    assert con.execute("SELECT count(*) FROM spend").fetchone()[0] == 0  # nothing of a refused file
    first = import_canonical(con, [FIXTURES / "attribution" / "spend.csv"])
    again = import_canonical(con, [FIXTURES / "attribution" / "spend.csv"])
    assert (first.spend_added, first.spend_replaced, again.spend_added, again.spend_replaced) == (8, 0, 0, 0)
    newer = tmp_path / "newer" / "spend.csv"
    newer.parent.mkdir()
    newer.write_text("month,channel,campaign,amount\n2025-01,seo,,350000\n2025-05,seo,,10\n", encoding="utf-8")
    changed = import_canonical(con, [newer])
    assert (changed.spend_added, changed.spend_replaced) == (1, 1)
    assert con.execute("SELECT amount FROM spend WHERE month = '2025-01' AND channel = 'seo'").fetchone()[0] == 350_000
    assert con.execute("SELECT count(*) FROM spend").fetchone()[0] == 9
    assert con.execute("SELECT spend_added, spend_replaced FROM import_log ORDER BY imported_at DESC LIMIT 1"
                       ).fetchone() == (1, 1)
    con.close()


def test_an_activity_export_that_adds_channels_fills_them_in(tmp_path):
    con = database.connect(tmp_path / "fill.duckdb")
    database.initialise(con)
    import_canonical(con, FILES[:1])
    plain = tmp_path / "plain" / "activities.csv"
    plain.parent.mkdir()
    plain.write_text("lead_id,occurred_at,activity_type,detail\nL2,2025-01-13 09:00,webinar_registration,\n",
                     encoding="utf-8")
    import_canonical(con, [plain])
    richer = tmp_path / "richer" / "activities.csv"
    richer.parent.mkdir()
    richer.write_text("lead_id,occurred_at,activity_type,detail,channel,campaign\n"
                      "L2,2025-01-13 09:00,webinar_registration,,webinar,Jan webinar\n", encoding="utf-8")
    summary = import_canonical(con, [richer])
    assert summary.activities_added == 0  # the same activity, not a second one
    assert con.execute("SELECT channel, campaign FROM activities").fetchall() == [("webinar", "Jan webinar")]
    con.close()


def test_the_meeting_pack_has_the_attribution_table_of_the_chosen_model(runner):
    from datetime import datetime

    from leadfunnel.i18n import set_language
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import SlaPolicy

    def section(model: str, outcome: str, heading: str = "Multi-touch attribution") -> str:
        document = build_pack(runner, Q1, "period", DEFAULT_RULES, None, SlaPolicy(), datetime(2025, 4, 1),
                              (model, outcome))
        start = document.index(f"<h2>{heading}")
        return document[start:document.index("<h2>", start + 4)]

    linear = section("linear", "sql")
    assert "3 leads reached SQL" in linear and "spread by Linear" in linear and "**" not in linear
    assert ("<td>SEO / owned media</td><td class='number'>1.17</td><td class='number'>38.9%</td>"
            "<td class='number'>33.3%</td><td class='number'>+5.6 pt</td><td class='number'>¥900,000</td>"
            "<td class='number'>¥771,429</td><td class='number'>1.11×</td>") in linear
    assert "<td>Display ads</td><td class='number'>0.00</td>" in linear  # spend without a result
    assert "<th>Credit (Last touch)</th>" in section("last_touch", "won")
    set_language("ja")
    try:
        assert "<th>SQL単価</th>" in section("linear", "sql", "マルチタッチアトリビューション")
    finally:
        set_language("en")


def test_the_pack_command_takes_the_model(attribution_db, tmp_path):
    out = tmp_path / "pack.html"
    result = cli.invoke(app, ["pack", "--db", str(attribution_db), "--out", str(out), "--from", "2025-01-01",
                              "--to", "2025-03-31", "--model", "time_decay", "--outcome", "won"])
    assert result.exit_code == 0, result.output
    assert "<th>Credit (Time decay)</th>" in out.read_text(encoding="utf-8")


def test_the_cli_and_the_pack_read_the_same_numbers_as_the_page(runner, attribution_db):
    """One read path: `report attribution`, the meeting pack and the page (tests/app/test_attribution_page.py:
    1.17, ¥771,429, 1.11×) all come from leadfunnel.attribution for the same view."""
    from datetime import datetime

    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import SlaPolicy

    report = json.loads(cli.invoke(app, ["report", "attribution", "--db", str(attribution_db), "--model", "linear",
                                         "--outcome", "sql", "--from", "2025-01-01", "--to", "2025-03-31"]).stdout)
    seo = next(c for c in report["channels"] if c["channel"] == "seo")
    page = attribution(runner, Q1).channels("linear", "sql").filter(pl.col("channel") == "seo").row(0, named=True)
    assert (seo["credit"], seo["cost_per_conversion"], seo["roi"]) == (page["credit"], page["cost_per_conversion"],
                                                                       page["roi"])
    document = build_pack(runner, Q1, "period", DEFAULT_RULES, None, SlaPolicy(), datetime(2025, 4, 1),
                          ("linear", "sql"))
    assert f"<td class='number'>{seo['credit']:.2f}</td>" in document
    assert f"<td class='number'>¥{seo['cost_per_conversion']:,.0f}</td>" in document
