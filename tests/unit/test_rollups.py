"""The rollup fast path gives exactly the per-event backtest whenever it claims to cover the rules."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import polars as pl
import pytest

from leadfunnel.database import expand_activity_types, read_sql
from leadfunnel.model import ACTIVITY_TYPES
from leadfunnel.paths import QUERY_DIR
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import lead_outcomes, load_history, running_scores, summarise, threshold_curve
from leadfunnel.scoring.rollup import lead_outcomes_fast, load_rollup
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet
from tests.unit.test_scoring import AS_OF, runner  # noqa: F401 (fixture)


def test_rollup_columns_follow_the_activity_types(empty_db):
    assert len(ACTIVITY_TYPES) < 16  # the rollup packs (lead number, type code) as lead number * 16 + code
    columns = [row[0] for row in empty_db.execute("DESCRIBE lead_activity_rollup").fetchall()]
    assert columns == ["lead_id", "lead_number", "channel", "industry", "company_size", "owner", "company", "job_title",
                       "created_at", "mql_at", "sql_at", "won_at", "last_activity_at", "last_sales_call_at",
                       "last_sales_email_at", "last_meeting_at", "other_activities",
                       *(f"{prefix}_{t}" for prefix in ("n", "before_sql", "before_won") for t in ACTIVITY_TYPES)]
    scores = read_sql(QUERY_DIR / "scoring" / "lead_scores_rollup.sql")
    assert re.findall(r"\* \$points_(\w+)\)", scores) == list(ACTIVITY_TYPES)
    assert re.findall(r"activity_type = '(\w+)'", scores) == list(ACTIVITY_TYPES)


def test_per_type_lines_are_written_once_per_type_and_only_for_plain_identifiers():
    sql = "SELECT\n    a,\n    n_{type} + {code},  -- for each activity type\nFROM t\n"
    assert expand_activity_types(sql, ("x", "y_2")) == "SELECT\n    a,\n    n_x + 1,\n    n_y_2 + 2,\nFROM t\n"
    assert expand_activity_types("SELECT '{type}'", ("x",)) == "SELECT '{type}'"  # only marked lines
    for bad in ("x'; DROP TABLE leads; --", "Upper", "two words", "", "1st"):
        with pytest.raises(ValueError, match="not a plain identifier"):
            expand_activity_types(sql, ("x", bad))


def both_paths(query_runner: QueryRunner, rules: RuleSet, outcome: str, as_of: datetime):
    history = load_history(query_runner, as_of)
    slow = lead_outcomes(history, running_scores(history, rules), rules, outcome)
    rollup = load_rollup(query_runner, as_of)
    assert rollup.covers(rules)
    return slow, lead_outcomes_fast(rollup, rules, outcome)


@pytest.mark.parametrize("outcome", ["sql", "won"])
@pytest.mark.parametrize("rules", [
    DEFAULT_RULES,
    DEFAULT_RULES.with_changes(threshold=50, caps={"email_open": 15}, fit={("industry", "Manufacturing"): 30}),
    DEFAULT_RULES.with_changes(threshold=30, points={"page_view": 40, "email_open": 0}),
])
def test_fast_path_matches_events_on_the_fixture(runner, rules, outcome):  # noqa: F811
    as_of = datetime(2025, 7, 1)
    slow, fast = both_paths(runner, rules, outcome, as_of)
    assert summarise(fast, rules.threshold, outcome).as_dict() | {"median_lead_days": None} == (
        summarise(slow, rules.threshold, outcome).as_dict() | {"median_lead_days": None})
    columns = ["lead_id", "peak", "peak_before_outcome", "positive", "caught", "crossed"]
    assert fast.select(columns).sort("lead_id").equals(slow.select(columns).sort("lead_id"))


def test_fast_path_matches_events_on_the_demo(demo_db_file):
    from leadfunnel import database

    con = database.connect(demo_db_file, read_only=True)
    query_runner = QueryRunner(con)
    rng = np.random.default_rng(1)
    for _ in range(3):
        points = {t: float(rng.integers(0, 30)) for t in ACTIVITY_TYPES}
        rules = RuleSet("random", threshold=float(rng.integers(20, 200)), points=points,
                        caps={"email_open": float(rng.integers(5, 40))})
        slow, fast = both_paths(query_runner, rules, "sql", datetime(2026, 11, 1))
        assert summarise(fast, rules.threshold, "sql").caught == summarise(slow, rules.threshold, "sql").caught
        assert summarise(fast, rules.threshold, "sql").crossed == summarise(slow, rules.threshold, "sql").crossed
        curve_slow, curve_fast = threshold_curve(slow), threshold_curve(fast)
        assert curve_fast.equals(curve_slow)
    con.close()


def test_fast_path_does_not_claim_decay_negative_points_or_an_early_as_of(runner):  # noqa: F811
    rollup = load_rollup(runner, AS_OF)
    assert not rollup.covers(DEFAULT_RULES.with_changes(half_life_days=7.0))
    assert not rollup.covers(DEFAULT_RULES.with_changes(points={"email_open": -1}))
    assert not rollup.covers(DEFAULT_RULES.with_changes(points={"custom_event": 5}))
    assert rollup.covers(DEFAULT_RULES)  # S1–S4 have no activity after June 1st (S5 is created later)
    # S1's webinar on 03-10 comes after this as-of date: the rollup counts it, so it must not be used.
    assert not load_rollup(runner, datetime(2025, 3, 7)).covers(DEFAULT_RULES)


def test_rollup_is_rebuilt_by_every_import(empty_db):
    from leadfunnel.ingest.write import write_tables
    from leadfunnel.model import TABLE_SCHEMAS

    lead = {name: [None] for name in TABLE_SCHEMAS["leads"]} | {
        "lead_id": ["X"], "created_at": [datetime(2025, 1, 1)], "channel": ["seo"]}
    write_tables(empty_db, leads=pl.DataFrame(lead, schema=TABLE_SCHEMAS["leads"]))
    assert empty_db.execute("SELECT n_email_open FROM lead_activity_rollup").fetchall() == [(0,)]
    write_tables(empty_db, activities=pl.DataFrame({"lead_id": ["X", "X"],
                                                     "occurred_at": [datetime(2025, 1, 2), datetime(2025, 1, 3)],
                                                     "activity_type": ["email_open", "email_open"],
                                                     "detail": [None, None]}))
    assert empty_db.execute("SELECT n_email_open FROM lead_activity_rollup").fetchall() == [(2,)]


def test_events_are_stored_by_lead_number_and_time_and_read_back_per_view(empty_db):
    """Leads numbered by id, activities in time order as exports come (leads interleaved), one unknown type:
    lead_events holds them per lead and time as integers, and a view's replay gets its own leads' rows."""
    from leadfunnel.filters import Filters
    from leadfunnel.ingest.write import write_tables
    from leadfunnel.model import TABLE_SCHEMAS

    leads = {name: [None] * 3 for name in TABLE_SCHEMAS["leads"]} | {
        "lead_id": ["b", "c", "a"], "created_at": [datetime(2025, 1, 1)] * 3, "channel": ["seo", "webinar", "seo"]}
    day = [datetime(2025, 1, d) for d in range(2, 7)]
    write_tables(empty_db, leads=pl.DataFrame(leads, schema=TABLE_SCHEMAS["leads"]), activities=pl.DataFrame({
        "lead_id": ["c", "a", "b", "a", "c"], "occurred_at": day,
        "activity_type": ["webinar_attended", "email_open", "fax_sent", "contact_form", "email_open"],
        "detail": [None] * 5}))
    assert empty_db.execute("SELECT lead_id, lead_number FROM lead_numbers ORDER BY lead_number").fetchall() == [
        ("a", 0), ("b", 1), ("c", 2)]
    types = empty_db.execute("SELECT type_code, activity_type, model_code FROM event_types ORDER BY 1").fetchall()
    code = {name: (type_code, model_code) for type_code, name, model_code in types}
    assert [name for _, name, _ in types] == ["contact_form", "email_open", "fax_sent", "webinar_attended"]
    assert code["fax_sent"][1] == 0 and code["email_open"][1] == ACTIVITY_TYPES.index("email_open") + 1
    us = [int(d.timestamp() * 1_000_000) - int(datetime(1970, 1, 1).timestamp() * 1_000_000) for d in day]
    assert empty_db.execute("SELECT lead_number, at_us, type_code FROM lead_events").fetchall() == [
        (0, us[1], code["email_open"][0]), (0, us[3], code["contact_form"][0]), (1, us[2], code["fax_sent"][0]),
        (2, us[0], code["webinar_attended"][0]), (2, us[4], code["email_open"][0])]

    reading = QueryRunner(empty_db, quiet=True)
    seo = load_history(reading, datetime(2025, 2, 1), Filters(channels=("seo",)))  # leads a and b: rows 0 and 1
    assert seo.leads["lead_id"].to_list() == ["a", "b"] and "lead_number" not in seo.leads.columns
    assert seo.arrays.lead.tolist() == [0, 0, 1] and seo.arrays.at.tolist() == [us[1], us[3], us[2]]
    webinar = load_history(reading, datetime(2025, 1, 6), Filters(channels=("webinar",)))  # c, before Jan 6
    assert webinar.leads["lead_id"].to_list() == ["c"] and webinar.arrays.lead.tolist() == [0]
    assert webinar.arrays.types[webinar.arrays.type_code[0]] == "webinar_attended"
