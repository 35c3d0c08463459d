"""Pipeline velocity (#17 part 2) against tests/fixtures/velocity (every number worked out in its README)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadfunnel.asof import default_as_of
from leadfunnel.cli import app
from leadfunnel.filters import Filters
from leadfunnel.pipeline.velocity import trend_start, velocity
from tests.conftest import fixture_database, reading

NOW = datetime(2025, 4, 2)
Q1 = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 3, 31))
cli = CliRunner()


@pytest.fixture(scope="module")
def velocity_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_database(tmp_path_factory.mktemp("velocity"), "velocity")


@pytest.fixture
def runner(velocity_db):
    with reading(velocity_db) as fixture_runner:
        yield fixture_runner


def rounded(row: dict) -> dict:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}


def test_the_quarter_factor_by_factor_against_the_quarter_before(runner):
    assert default_as_of(runner) == NOW
    result = velocity(runner, Q1, NOW)
    assert rounded(result.total) == {"opportunities": 5, "won": 3, "lost": 1, "closed": 4, "win_rate": 0.75,
                                     "avg_won_amount": 1_500_000.0, "avg_cycle_days": 20.0, "velocity": 281_250.0}
    assert rounded(result.previous) == {"opportunities": 2, "won": 1, "lost": 1, "closed": 2, "win_rate": 0.5,
                                        "avg_won_amount": 600_000.0, "avg_cycle_days": 30.0, "velocity": 20_000.0}


def test_by_channel_a_missing_amount_makes_velocity_missing_not_zero(runner):
    channels = {row["channel"]: rounded(row) for row in velocity(runner, Q1, NOW).by_channel.to_dicts()}
    assert channels == {
        "seo": {"channel": "seo", "opportunities": 2, "won": 2, "lost": 0, "closed": 2, "win_rate": 1.0,
                "avg_won_amount": 1_500_000.0, "avg_cycle_days": 30.0, "velocity": 100_000.0},
        "webinar": {"channel": "webinar", "opportunities": 3, "won": 1, "lost": 1, "closed": 2, "win_rate": 0.5,
                    "avg_won_amount": None, "avg_cycle_days": 0.0, "velocity": None},
    }


def test_monthly_trend_covers_twelve_months_ending_with_the_period(runner):
    trend = velocity(runner, Q1, NOW).trend
    assert trend_start(date(2025, 3, 31)) == date(2024, 4, 1)
    assert trend["month"].to_list() == [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]
    by_month = {row["month"]: rounded(row) for row in trend.to_dicts()}
    assert by_month["2024-04"]["opportunities"] == 0 and by_month["2024-04"]["velocity"] is None
    assert (by_month["2024-11"]["velocity"], by_month["2025-01"]["velocity"], by_month["2025-02"]["velocity"]) == (
        20_000.0, 33_333.33, 66_666.67)
    assert (by_month["2024-12"]["win_rate"], by_month["2024-12"]["velocity"]) == (0.0, None)  # lost: no won amount
    assert (by_month["2025-03"]["win_rate"], by_month["2025-03"]["avg_won_amount"]) == (1.0, None)


def test_an_earlier_instant_counts_only_what_had_happened(runner):
    result = velocity(runner, Q1, datetime(2025, 2, 20))
    assert rounded(result.total) == {"opportunities": 3, "won": 1, "lost": 0, "closed": 1, "win_rate": 1.0,
                                     "avg_won_amount": 1_000_000.0, "avg_cycle_days": 30.0, "velocity": 100_000.0}


def test_a_view_without_opportunities_has_zero_of_them_and_no_other_factor(runner):
    view = Filters(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31), owners=("佐藤 健",))
    result = velocity(runner, view, NOW)
    assert result.total == {"opportunities": 0, "won": 0, "lost": 0, "closed": 0, "win_rate": None,
                            "avg_won_amount": None, "avg_cycle_days": None, "velocity": None}
    assert result.by_channel.is_empty()


def test_an_open_range_has_no_previous_period(runner):
    assert velocity(runner, Filters(), NOW).previous is None


def test_report_velocity_json_and_csv(velocity_db):
    result = cli.invoke(app, ["report", "velocity", "--db", str(velocity_db), "--from", "2025-01-01",
                              "--to", "2025-03-31"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["from"], payload["to"], payload["as_of"]) == ("2025-01-01", "2025-03-31", "2025-04-02T00:00:00")
    assert payload["opportunity_in_data"] is True
    assert (payload["opportunities"], payload["win_rate"], payload["velocity"]) == (5, 0.75, 281_250.0)
    assert (payload["previous"]["from"], payload["previous"]["velocity"]) == ("2024-10-01", 20_000.0)
    assert {c["channel"]: c["velocity"] for c in payload["channels"]} == {"seo": 100_000.0, "webinar": None}
    early = json.loads(cli.invoke(app, ["report", "velocity", "--db", str(velocity_db), "--from", "2025-01-01",
                                        "--to", "2025-03-31", "--as-of", "2025-02-20"]).stdout)
    assert early["velocity"] == 100_000.0
    seo = json.loads(cli.invoke(app, ["report", "velocity", "--db", str(velocity_db), "--from", "2025-01-01",
                                      "--to", "2025-03-31", "--channel", "seo"]).stdout)
    assert (seo["opportunities"], seo["velocity"]) == (2, 100_000.0)
    table = cli.invoke(app, ["report", "velocity", "--db", str(velocity_db), "--from", "2025-01-01",
                             "--to", "2025-03-31", "--format", "csv"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.strip().splitlines()
    assert lines[0].startswith("channel,opportunities,won,lost,closed,win_rate,avg_won_amount,avg_cycle_days,velocity")
    assert lines[1].startswith("seo,2,2,0,2,1.0,1500000.0,30.0,100000.0") and len(lines) == 3


def test_the_meeting_pack_has_the_pages_velocity(runner):
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.sla.policy import SlaPolicy

    document = build_pack(runner, Q1, "period", DEFAULT_RULES, None, SlaPolicy(), NOW)
    section = document[document.index("<h2>Pipeline velocity</h2>"):]
    assert "<td>Velocity</td><td class='number'>¥281,250 / day</td><td class='number'>+¥261,250</td>" in section
    assert "<td>Win rate</td><td class='number'>75.0%</td><td class='number'>+25.0 pt</td>" in section
    assert "<td>SEO / owned media</td><td class='number'>¥100,000</td>" in section
    assert "<td>Webinar</td><td class='number'>–</td>" in section  # missing, not 0
