"""Funnel numbers on the hand-made fixture (tests/fixtures/small/README.md explains each lead)."""

from datetime import date

import pytest

from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
from leadfunnel.reports import funnel_frame

JANUARY = Filters(date(2025, 1, 1), date(2025, 1, 31))
FEBRUARY = Filters(date(2025, 2, 1), date(2025, 2, 28))


def counts(runner: QueryRunner, filters: Filters, mode: str) -> dict[str, int]:
    frame = funnel_frame(runner, filters, mode)
    return dict(zip(frame["stage"], frame["leads"], strict=True))


def test_cohort_counts_leads_created_in_range_and_every_stage_they_reached(small_runner):
    assert counts(small_runner, JANUARY, "cohort") == {
        "lead": 3, "mql": 3, "sal": 2, "sql": 1, "opportunity": 1, "won": 1}


def test_cohort_counts_skipped_stages_as_passed(small_runner):
    # A4 went straight to SQL: its MQL and SAL take the SQL time, so it counts at both.
    assert counts(small_runner, FEBRUARY, "cohort") == {
        "lead": 2, "mql": 2, "sal": 2, "sql": 2, "opportunity": 2, "won": 1}


def test_period_counts_stage_entries_in_range(small_runner):
    # A7 was created in December but became MQL in January; A1's win is in February.
    assert counts(small_runner, JANUARY, "period") == {
        "lead": 3, "mql": 3, "sal": 2, "sql": 1, "opportunity": 1, "won": 0}
    assert counts(small_runner, FEBRUARY, "period") == {
        "lead": 2, "mql": 2, "sal": 1, "sql": 1, "opportunity": 1, "won": 1}


def test_date_bounds_are_inclusive_to_the_last_minute(small_runner):
    last_day = Filters(date(2025, 1, 31), date(2025, 1, 31))
    assert counts(small_runner, last_day, "cohort")["lead"] == 1  # A3, created 23:30
    first_day = Filters(date(2025, 2, 1), date(2025, 2, 1))
    assert counts(small_runner, first_day, "cohort")["lead"] == 1  # A4, created 00:00


def test_conversion_drop_off_and_median_days(small_runner):
    frame = funnel_frame(small_runner, JANUARY, "cohort")
    rows = {r["stage"]: r for r in frame.iter_rows(named=True)}
    assert rows["lead"]["rate_from_previous"] is None
    assert rows["mql"]["rate_from_previous"] == 1.0
    assert rows["sal"]["rate_from_previous"] == pytest.approx(2 / 3)
    assert rows["sql"]["rate_from_previous"] == 0.5
    assert rows["won"]["rate_from_lead"] == pytest.approx(1 / 3)
    assert rows["sal"]["drop_off"] == 1
    # lead→MQL days: A1 5, A2 5, A3 2.52 → median 5; MQL→SAL: A1 1, A2 2 → 1.5; opp→won: 30.
    assert rows["mql"]["median_days_from_previous"] == pytest.approx(5.0)
    assert rows["sal"]["median_days_from_previous"] == pytest.approx(1.5)
    assert rows["won"]["median_days_from_previous"] == pytest.approx(30.0)


def test_segment_filters(small_runner):
    spring = Filters(date(2025, 1, 1), date(2025, 3, 31))
    seo = counts(small_runner, Filters(spring.date_from, spring.date_to, channels=("seo",)), "cohort")
    assert seo == {"lead": 2, "mql": 2, "sal": 1, "sql": 1, "opportunity": 1, "won": 1}
    retail = counts(small_runner, Filters(spring.date_from, spring.date_to, industries=("Retail",)), "cohort")
    assert retail == seo  # A3 and A5 are the retail leads of the quarter
    emily = counts(small_runner, Filters(spring.date_from, spring.date_to, owners=("Emily Clark",)), "cohort")
    assert emily == {"lead": 2, "mql": 2, "sal": 2, "sql": 1, "opportunity": 1, "won": 0}
    sized = counts(small_runner, Filters(spring.date_from, spring.date_to, company_sizes=("1000+", "1-49")), "cohort")
    assert sized["lead"] == 2  # A2 (1-49) and A4 (1000+)


def test_empty_selection_gives_zeros_and_undefined_rates(small_runner):
    frame = funnel_frame(small_runner, Filters(channels=("no_such_channel",)), "cohort")
    assert frame["leads"].to_list() == [0, 0, 0, 0, 0, 0]
    assert frame["rate_from_previous"].to_list() == [None] * 6


def test_open_ended_range_counts_everything(small_runner):
    assert counts(small_runner, Filters(), "cohort")["lead"] == 7


@pytest.mark.parametrize(("start", "end", "compare", "expected"), [
    ((2025, 1, 1), (2025, 1, 31), "previous", ((2024, 12, 1), (2024, 12, 31))),
    ((2025, 3, 1), (2025, 3, 31), "previous", ((2025, 2, 1), (2025, 2, 28))),     # a month → the month before
    ((2025, 7, 1), (2025, 9, 30), "previous", ((2025, 4, 1), (2025, 6, 30))),     # Q3 → Q2, not Mar 31–Jun 30
    ((2025, 1, 1), (2025, 12, 31), "previous", ((2024, 1, 1), (2024, 12, 31))),   # a year → the year before
    ((2025, 2, 1), (2025, 4, 30), "previous", ((2024, 11, 4), (2025, 1, 31))),    # not a quarter: 89 days before
    ((2025, 1, 10), (2025, 1, 16), "previous", ((2025, 1, 3), (2025, 1, 9))),     # a week → the week before
    ((2025, 7, 1), (2025, 9, 30), "last_year", ((2024, 7, 1), (2024, 9, 30))),
    ((2024, 2, 1), (2024, 2, 29), "last_year", ((2023, 2, 1), (2023, 2, 28))),
])
def test_comparison_periods_are_calendar_aware(start, end, compare, expected):
    previous = Filters(date(*start), date(*end)).previous_period(compare)
    assert (previous.date_from, previous.date_to) == (date(*expected[0]), date(*expected[1]))


def test_an_open_range_has_no_comparison():
    assert Filters().previous_period() is None


def test_stages_the_export_never_had_are_marked_not_invented(empty_db, tmp_path):
    """#13: a public B2B export joined in a sheet: MQL dates and won dates only. SAL, SQL and opportunity are
    not in the data — no count, no rate, no days — and won converts from MQL, the stage before it that is.
    M1: created 01-01, MQL 01-05, won 01-25 (20 days); M2: MQL 01-10, not won; M3: never MQL."""
    from leadfunnel.ingest.canonical import import_canonical

    header = "lead_id,created_at,channel,company,industry,company_size,owner,mql_at,sal_at,sql_at,opportunity_at," \
             "won_at,lost_at,amount"
    (tmp_path / "leads.csv").write_text(
        f"{header}\nM1,2025-01-01,seo,,,,,2025-01-05,,,,2025-01-25,,\nM2,2025-01-02,seo,,,,,2025-01-10,,,,,,\n"
        "M3,2025-01-03,seo,,,,,,,,,,,\n", encoding="utf-8")
    import_canonical(empty_db, [tmp_path / "leads.csv"])
    frame = funnel_frame(QueryRunner(empty_db), JANUARY, "cohort")
    rows = {r["stage"]: r for r in frame.iter_rows(named=True)}
    assert [s for s, r in rows.items() if not r["in_data"]] == ["sal", "sql", "opportunity"]
    assert all(rows[s]["leads"] is None and rows[s]["rate_from_previous"] is None
               for s in ("sal", "sql", "opportunity"))
    assert (rows["mql"]["leads"], rows["won"]["leads"]) == (2, 1)
    assert rows["won"]["rate_from_previous"] == pytest.approx(0.5)  # won ÷ MQL, not ÷ a copied opportunity count
    assert rows["won"]["median_days_from_previous"] == pytest.approx(20.0)  # from MQL, not 0 from a copy


def test_period_counts_never_give_a_negative_drop_off(small_runner):
    """Period counts are entries in the range: February has MQL 2 after lead 2, SAL 1, and in one day three MQL
    entries can follow two new leads. A negative difference is no drop-off and is left empty."""
    week = Filters(date(2025, 1, 1), date(2025, 1, 4))  # A7's MQL on 01-03, no lead created: lead 0, MQL 1
    frame = funnel_frame(small_runner, week, "period")
    rows = {r["stage"]: r for r in frame.iter_rows(named=True)}
    assert (rows["lead"]["leads"], rows["mql"]["leads"]) == (0, 1)
    assert rows["mql"]["drop_off"] is None and rows["mql"]["rate_from_previous"] is None  # no Infinity
