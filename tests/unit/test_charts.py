"""Figures carry the numbers of the frames they are built from (AppTest cannot look inside Plotly)."""

from datetime import date

import pytest

from leadfunnel.charts import BEST, MIDDLE, WORST, channel_figure, funnel_figure, monthly_stage_figure, rank_colours
from leadfunnel.filters import Filters
from leadfunnel.model import labelled, stage_label
from leadfunnel.reports import channel_frame, funnel_frame

QUARTER = Filters(date(2025, 1, 1), date(2025, 3, 31))


def test_funnel_figure_has_one_bar_per_stage_with_its_count(small_runner):
    figure = funnel_figure(labelled(funnel_frame(small_runner, QUARTER, "cohort"), "stage", stage_label, alias="label"))
    trace = figure.data[0]
    assert list(trace.y) == ["Lead", "MQL", "SAL", "SQL", "Opportunity", "Won"]
    assert list(trace.x) == [6, 5, 4, 3, 3, 2]  # A1–A6; A6 never became MQL; A2 stalled; A3 stalled at MQL


def test_channel_figure_puts_the_best_channel_on_top_and_leaves_out_undefined_rates(small_runner):
    frame = channel_frame(small_runner, QUARTER, "cohort")
    figure = channel_figure(frame, "sql_rate", "SQL rate", kind="percent")
    trace = figure.data[0]
    # Plotly draws the last bar on top. trade_show has no MQL, so its SQL rate is undefined and left out.
    assert list(trace.y)[-1] == "Referral"
    assert "Trade show" not in list(trace.y)
    assert list(trace.text)[-1] == "100.0%"


def test_a_tie_ranks_one_way_in_the_ranking_head_and_its_chart():
    import polars as pl

    from leadfunnel.funnel import channel_ranking

    channels = pl.DataFrame({"channel": ["sns", "webinar", "seo", "trade_show"], "leads": [40, 10, 10, 5],
                             "mql_rate": [0.5, 0.5, 0.5, None]})
    best_first = channel_ranking(channels, "mql_rate")["channel"].to_list()
    assert best_first == ["sns", "seo", "webinar"]  # the tie: more leads first, then by name; no rate, no rank
    drawn = list(channel_figure(channels, "mql_rate", "MQL rate", kind="percent").data[0].y)
    assert drawn[::-1] == ["SNS posts", "SEO / owned media", "Webinar"]  # the top bar is the ranking's first


def test_rank_colours_mark_best_and_worst():
    assert rank_colours(7) == [WORST] * 3 + [MIDDLE] + [BEST] * 3
    assert rank_colours(2) == [WORST, BEST]
    assert rank_colours(1) == [MIDDLE]


def test_monthly_figure_has_a_line_per_stage(small_runner):
    monthly = small_runner.run("funnel/monthly_stage_entries", QUARTER.params("cohort"))
    monthly = labelled(monthly, "stage", stage_label, alias="label")  # as the page labels it
    figure = monthly_stage_figure(monthly)
    by_name = {trace.name: list(trace.y) for trace in figure.data}
    assert by_name["Lead"] == [3, 2, 1]  # January A1–A3, February A4–A5, March A6
    assert by_name["Won"] == [1, 1, 0]  # A1's January cohort, A5's February cohort, none in March: a 0, not a gap
    assert (figure.layout.yaxis.tick0, figure.layout.yaxis.dtick) == (0, 1)  # 0, 1, 2, 3 — not 0, 0, 1, 1, 2, 2, 3


def test_count_axes_tick_whole_numbers_only_on_small_ranges():
    import polars as pl

    from leadfunnel.charts import weekly_handover_figure

    weeks = pl.date_range(pl.date(2026, 1, 5), pl.date(2026, 1, 19), "1w", eager=True)
    small = weekly_handover_figure(pl.DataFrame({"week": weeks, "what_if": [1, 3, 2], "actual_mql": [0, 1, 2]}))
    assert small.layout.yaxis.dtick == 1 and small.layout.yaxis.tickformat == ",d"
    large = weekly_handover_figure(pl.DataFrame({"week": weeks, "what_if": [10, 300, 20], "actual_mql": [0, 1, 2]}))
    assert large.layout.yaxis.dtick is None  # Plotly's own round steps


def test_a_few_weeks_tick_once_a_week_on_mondays():
    import polars as pl

    from leadfunnel.charts import MONDAY, WEEK_MS, sla_weekly_figure, weekly_handover_figure

    one = pl.DataFrame({"week": [date(2026, 8, 31)], "what_if": [2], "actual_mql": [0]})
    figure = weekly_handover_figure(one)
    assert (figure.layout.xaxis.dtick, figure.layout.xaxis.tick0) == (WEEK_MS, MONDAY)  # not 30, 30, 31, 31, 31
    sla = sla_weekly_figure(pl.DataFrame({"week": [date(2026, 8, 31)], "met": [1], "breached": [0],
                                          "compliance_rate": [1.0]}))
    assert sla.layout.xaxis.dtick == WEEK_MS
    year = pl.DataFrame({"week": pl.date_range(date(2026, 1, 5), date(2026, 12, 28), "1w", eager=True),
                         "what_if": 1, "actual_mql": 1})
    assert weekly_handover_figure(year).layout.xaxis.dtick is None  # a year: Plotly spaces the dates itself


def test_imported_channel_names_are_text_not_markup():
    import polars as pl

    from leadfunnel.charts import channel_figure, score_by_channel_figure

    hostile = "<img src=x onerror=alert(1)>"
    channels = pl.DataFrame({"channel": [hostile, "seo"], "leads": [3, 5], "won_amount": [1.0, 2.0]})
    figure = channel_figure(channels, "won_amount", "Won amount", kind="money")
    assert "&lt;img src=x onerror=alert(1)&gt;" in figure.data[0].y
    boxes = pl.DataFrame({"channel": [hostile], "low": [0.0], "q1": [1.0], "median": [2.0], "q3": [3.0],
                          "high": [4.0]})
    assert score_by_channel_figure(boxes, 10).data[0].y[0] == "&lt;img src=x onerror=alert(1)&gt;"


def test_date_axes_are_written_as_the_page_writes_dates(small_runner):
    from leadfunnel.i18n import set_language

    frame = small_runner.run("funnel/monthly_stage_entries", QUARTER.params("cohort"))
    frame = labelled(frame, "stage", stage_label, alias="label")  # as the page labels it
    assert monthly_stage_figure(frame).layout.xaxis.tickformat == "%Y-%m"
    set_language("ja")
    try:
        assert monthly_stage_figure(frame).layout.xaxis.tickformat == "%Y/%m"
    finally:
        set_language("en")


def test_funnel_bars_read_their_rates_from_the_query_never_infinity(small_runner):
    """A one-week period view with an MQL entry and no new lead: the MQL bar says its count only."""
    from datetime import date

    from leadfunnel.filters import Filters

    frame = labelled(funnel_frame(small_runner, Filters(date(2025, 1, 1), date(2025, 1, 4)), "period"), "stage",
                     stage_label, alias="label")
    text = list(funnel_figure(frame).data[0].text)
    assert text[1] == "1" and not any("inf" in part.lower() for part in text)


def test_a_stage_keeps_its_colour_when_another_is_missing(small_runner):
    from leadfunnel.charts import STAGE_COLOURS

    frame = labelled(funnel_frame(small_runner, QUARTER, "cohort"), "stage", stage_label, alias="label")
    without_sal = frame.with_columns(in_data=frame["stage"] != "sal")
    colours = dict(zip(funnel_figure(without_sal).data[0].y, funnel_figure(without_sal).data[0].marker.color,
                       strict=True))
    assert colours["SQL"] == STAGE_COLOURS["sql"] and "SAL" not in colours


def test_small_rates_get_ticks_that_do_not_repeat():
    import polars as pl

    channels = pl.DataFrame({"channel": ["seo", "webinar"], "leads": [100, 100], "win_rate": [0.012, 0.021]})
    assert channel_figure(channels, "win_rate", "Win rate", kind="percent").layout.xaxis.tickformat == ".1%"
    amounts = pl.DataFrame({"channel": ["seo"], "leads": [1], "won_amount": [1_000_000.0]})
    assert channel_figure(amounts, "won_amount", "Won", kind="money").layout.xaxis.range[1] > 1_000_000


def test_attribution_figure_sets_the_model_beside_first_touch_largest_on_top():
    import polars as pl

    from leadfunnel.charts import attribution_figure

    frame = pl.DataFrame({"channel": ["seo", "webinar", "display_ads"], "share": [0.5, 0.3, None],
                          "first_touch_share": [0.2, 0.8, 0.0]})
    figure = attribution_figure(frame, "Linear", "First touch")
    first, model = figure.data
    assert (first.name, model.name) == ("First touch", "Linear")
    assert list(model.y) == ["Webinar", "SEO / owned media"]  # no share (nothing converted): not drawn
    assert list(model.text) == ["30.0%", "50.0%"] and list(first.x) == [0.8, 0.2]


def test_spend_pipeline_figure_has_its_own_axis_and_no_invented_months():
    import polars as pl

    from leadfunnel.charts import spend_pipeline_figure

    monthly = pl.DataFrame({"month": ["2025-01", "2025-02"], "spend": [1_000_000.0, 450_000.0],
                            "pipeline": [None, 1_000_000.0]})
    figure = spend_pipeline_figure(monthly, "Linear")
    spend, pipeline = figure.data
    assert list(spend.y) == [1_000_000.0, 450_000.0] and list(pipeline.y) == [None, 1_000_000.0]
    assert pipeline.yaxis == "y2" and figure.layout.yaxis2.side == "right"
    assert list(pipeline.customdata) == ["–", "¥1,000,000"]


@pytest.mark.parametrize(("key", "css_class"), [
    ("threshold::Guide default", "st-key-threshold--Guide-default"),
    ("threshold::Q3 提案", "st-key-threshold--Q3---"),
    (" mode ", "st-key-mode"),
])
def test_the_curve_finds_the_slider_by_the_class_streamlit_gives_its_key(key, css_class):
    """Streamlit's frontend names a keyed element `st-key-` + key.trim() with every other character than
    [a-zA-Z0-9_-] as "-" (its `tp` helper in static/js/index.*.js, 1.67): the component must write it alike."""
    from leadfunnel.ui.threshold_curve import slider_class

    assert slider_class(key) == css_class
