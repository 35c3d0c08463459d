"""Stage aging (#17): stuck leads against tests/fixtures/aging (every number worked out in its README)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from leadfunnel.cli import app
from leadfunnel.filters import Filters
from leadfunnel.pipeline.aging import by_stage, open_leads, stuck_by, stuck_list
from leadfunnel.sla.policy import PolicyError, SlaPolicy
from tests.conftest import fixture_database, reading

AS_OF = datetime(2025, 3, 10, 12, 0)
cli = CliRunner()


@pytest.fixture(scope="module")
def aging_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_database(tmp_path_factory.mktemp("aging"), "aging")


@pytest.fixture
def runner(aging_db):
    with reading(aging_db) as fixture_runner:
        yield fixture_runner


def test_open_leads_their_stage_age_and_why_they_are_stuck(runner):
    leads = open_leads(runner, Filters(), SlaPolicy(), AS_OF)
    assert leads.height == 7  # P1–P3, P5–P7, P9: P4 was won at the instant, P8 created after it
    # Leads that cannot be stuck (no limit for `lead`) are counted, not listed: P5 (68.5 days), P9 (5.0 days).
    assert sorted(leads.filter(pl.col("lead_id").is_null())["age_days"].round(2)) == [5.0, 68.5]
    by_lead = {row["lead_id"]: row for row in leads.iter_rows(named=True) if row["lead_id"]}
    assert {k: (v["stage"], round(v["age_days"], 2), v["stuck"], v["reason"]) for k, v in by_lead.items()} == {
        "P1": ("mql", 9.0, True, "stalled"),
        "P2": ("mql", 7.0, False, None),  # exactly at the limit: not stuck
        "P3": ("sql", 18.0, True, "no_owner"),
        "P6": ("mql", 9.5, True, "stalled"),  # its sales email exactly at the instant counts
        "P7": ("sal", 9.0, True, "no_sales_touch"),  # the meeting came before SAL
    }
    assert by_lead["P1"]["last_touch_at"] == datetime(2025, 3, 5, 15, 0)
    assert by_lead["P6"]["last_touch_at"] == AS_OF and by_lead["P7"]["last_touch_at"] is None  # before SAL: none


def test_per_stage_figures_and_the_stuck_list(runner):
    policy = SlaPolicy()
    leads = open_leads(runner, Filters(), policy, AS_OF)
    stages = {row["stage"]: row for row in by_stage(leads, policy).iter_rows(named=True)}
    assert list(stages) == ["lead", "mql", "sal", "sql", "opportunity"]
    assert (stages["lead"]["open"], stages["lead"]["stuck"], stages["lead"]["limit_days"]) == (2, 0, None)
    assert stages["lead"]["median_age_days"] == pytest.approx(36.75)
    assert stages["lead"]["p90_age_days"] == pytest.approx(62.15)
    assert (stages["mql"]["open"], stages["mql"]["stuck"], stages["mql"]["limit_days"]) == (3, 2, 7.0)
    assert stages["mql"]["median_age_days"] == pytest.approx(9.0)
    assert stages["mql"]["p90_age_days"] == pytest.approx(9.4)
    assert (stages["sal"]["stuck"], stages["sql"]["stuck"]) == (1, 1)
    assert stages["opportunity"] == {"stage": "opportunity", "open": 0, "stuck": 0, "limit_days": 30.0,
                                     "median_age_days": None, "p90_age_days": None}
    assert stuck_list(leads)["lead_id"].to_list() == ["P3", "P6", "P1", "P7"]  # oldest first, ties by id
    assert dict(stuck_by(leads, "reason").iter_rows()) == {"stalled": 2, "no_owner": 1, "no_sales_touch": 1}
    assert stuck_by(leads, "owner").rows() == [("佐藤 健", 2), ("田中 美咲", 1), (None, 1)]


def test_business_days_skip_nights_weekends_and_holidays(runner):
    policy = SlaPolicy(aging_business_days=True)  # Mon–Fri 9:00–18:00, Japanese holidays
    leads = open_leads(runner, Filters(), policy, AS_OF)
    ages = dict(zip(leads["lead_id"], leads["age_days"], strict=True))  # P3 and P1 may be stuck: listed
    assert ages["P3"] == pytest.approx(11.0)  # 99 working hours; Mon 2025-02-24 is a holiday
    assert ages["P1"] == pytest.approx(48 / 9)  # from a Saturday noon: nothing until Monday 9:00
    stuck = open_leads(runner, Filters(), policy, AS_OF).filter("stuck")["lead_id"].to_list()
    assert sorted(stuck) == ["P7"]  # SAL 03-01 → 5.33 business days > 5


def test_filters_and_limits_from_the_policy(runner):
    leads = open_leads(runner, Filters(channels=("webinar",)), SlaPolicy(stage_limits=(("mql", 9.25),)), AS_OF)
    assert leads.height == 3 and sorted(leads["stage"]) == ["lead", "mql", "mql"]  # P9, P2, P6
    assert leads.filter("stuck")["lead_id"].to_list() == ["P6"]  # 9.5 > 9.25; SQL/SAL without a limit now
    with pytest.raises(PolicyError):
        SlaPolicy(stage_limits=(("won", 3.0),))
    with pytest.raises(PolicyError):
        SlaPolicy(stage_limits=(("mql", 0.0),))
    assert SlaPolicy.from_json(SlaPolicy(stage_limits=(("sql", 3.0),)).to_json()).stage_limits == (("sql", 3.0),)
    old = json.loads(SlaPolicy().to_json())
    del old["stage_limits"], old["aging_business_days"]  # a policy saved before limits existed
    assert SlaPolicy.from_json(json.dumps(old)).limit("mql") == 7.0


def aging(*args: str) -> dict:
    result = cli.invoke(app, ["report", "aging", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_aging_json(aging_db):
    result = aging("--db", str(aging_db), "--as-of", "2025-03-10 12:00")
    assert result["as_of"] == "2025-03-10T12:00:00" and result["clock"] == "calendar"
    assert [(s["stage"], s["open"], s["stuck"], s["limit_days"]) for s in result["stages"]] == [
        ("lead", 2, 0, None), ("mql", 3, 2, 7.0), ("sal", 1, 1, 5.0), ("sql", 1, 1, 14.0),
        ("opportunity", 0, 0, 30.0)]
    assert result["stuck_by_reason"] == {"no_owner": 1, "no_sales_touch": 1, "stalled": 2}
    overridden = aging("--db", str(aging_db), "--as-of", "2025-03-10 12:00", "--limit", "mql=10",
                       "--limit", "lead=40", "--business-days")
    assert overridden["clock"] == "business"
    assert [(s["stage"], s["stuck"], s["limit_days"]) for s in overridden["stages"]][:2] == [
        ("lead", 1, 40.0), ("mql", 0, 10.0)]  # P5: 44 working days and 3 h since New Year's Day; P1, P6: 5.33


def test_report_aging_csv_lists_the_stuck_leads(aging_db):
    result = cli.invoke(app, ["report", "aging", "--db", str(aging_db), "--as-of", "2025-03-10 12:00",
                              "--channel", "seo", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("lead_id,stage,entered_at,age_days,limit_days,reason,owner,channel")
    assert [line.split(",")[0] for line in lines[1:]] == ["P3", "P1", "P7"]


def test_report_aging_refuses_a_bad_limit(aging_db):
    result = cli.invoke(app, ["report", "aging", "--db", str(aging_db), "--limit", "mql=soon"])
    assert result.exit_code != 0 and "mql=soon" in result.output and "Traceback" not in result.output


def test_the_meeting_pack_has_the_pages_stuck_leads(runner):
    from leadfunnel.i18n import set_language
    from leadfunnel.pack import build_pack
    from leadfunnel.scoring.rules import DEFAULT_RULES

    set_language("en")
    document = build_pack(runner, Filters(), "period", DEFAULT_RULES, None, SlaPolicy(), AS_OF)
    section = document[document.index("<h2>Pipeline: stuck leads</h2>"):]
    assert "Stuck leads: 4 (the 4 longest in their stage below)" in section
    assert section.index(">P3<") < section.index(">P6<") < section.index(">P1<") < section.index(">P7<")
    assert "<td>No owner</td>" in section and "<td class='number'>9.4</td>" in section  # MQL's p90 age


def test_stored_latest_touches_give_the_same_leads_as_reading_the_activities(runner):
    """At or after the latest activity, the touches stored at import answer; the activities give the same rows."""
    params = {"as_of": AS_OF, "touch_types": ["sales_call", "sales_email", "meeting"],
              "limits": {"mql": 7.0, "sal": 5.0, "sql": 14.0, "opportunity": 30.0}, "scale": 1.0,
              **Filters().segment_params()}
    stored, read = (runner.run("pipeline/open_leads", {**params, "stored_touches": flag}).sort("stage", "lead_id")
                    for flag in (True, False))
    assert stored.equals(read)
    assert stored["last_touch_at"].drop_nulls().len() == 2  # P1's call after MQL, P6's email at the instant


def test_an_earlier_instant_reads_the_activities(runner):
    """A minute before P6's email, P6 has no sales touch: the stored latest touch (after the instant) must not count."""
    before = open_leads(runner, Filters(), SlaPolicy(), datetime(2025, 3, 10, 11, 59))
    p6 = before.filter(pl.col("lead_id") == "P6").row(0, named=True)
    assert p6["last_touch_at"] is None and p6["reason"] == "no_sales_touch"
    at = open_leads(runner, Filters(), SlaPolicy(), AS_OF).filter(pl.col("lead_id") == "P6").row(0, named=True)
    assert at["last_touch_at"] == AS_OF


def test_a_policy_counting_other_touch_types_reads_the_activities(runner):
    """Only sales calls, sales emails and meetings are stored per lead: a policy that counts an email open as a
    touch finds P3's open, which the stored touches do not hold."""
    policy = SlaPolicy(touch_types=("sales_call", "sales_email", "meeting", "email_open"))
    def p3(chosen: SlaPolicy) -> datetime | None:
        leads = open_leads(runner, Filters(), chosen, AS_OF)
        return leads.filter(pl.col("lead_id") == "P3").row(0, named=True)["last_touch_at"]

    assert p3(policy) == datetime(2025, 2, 21, 10, 0)  # after it entered SQL (2025-02-20 12:00)
    assert p3(SlaPolicy()) is None
