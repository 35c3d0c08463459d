"""Amounts as a Japanese meeting writes them: ¥1,200,000 by default, 120万円 on request (#13, formats)."""

from contextvars import copy_context

import polars as pl

from leadfunnel.charts import channel_figure
from leadfunnel.format import money, set_money_style
from leadfunnel.i18n import set_language


def in_style(style: str, call):
    """Run `call` in a context of its own, as one script run of one session would."""
    def run():
        set_money_style(style)
        return call()
    return copy_context().run(run)


def test_amounts_in_yen_by_default_and_in_man_yen_on_request():
    assert in_style("yen", lambda: money(1_200_000)) == "¥1,200,000"
    assert in_style("man", lambda: [money(v) for v in (1_200_000, 1_234_567, 50_000, 123_456_789_000, None)]) == [
        "120万円", "123.5万円", "5万円", "12,345,678.9万円", "–"]
    assert money(1_200_000) == "¥1,200,000"  # the style set in another context does not leak here


def test_the_channel_chart_writes_bars_and_axis_in_the_chosen_style():
    channels = pl.DataFrame({"channel": ["seo", "webinar"], "leads": [3, 2], "won_amount": [2_000_000.0, 1_000_000.0]})
    set_language("en")
    in_yen = channel_figure(channels, "won_amount", "Won amount", kind="money")
    assert list(in_yen.data[0].text) == ["¥1,000,000", "¥2,000,000"] and in_yen.layout.xaxis.tickprefix == "¥"
    in_man = in_style("man", lambda: channel_figure(channels, "won_amount", "Won amount", kind="money"))
    assert list(in_man.data[0].text) == ["100万円", "200万円"]
    assert list(in_man.data[0].x) == [100.0, 200.0]  # the axis counts 万円 too, so ticks and labels agree
    assert in_man.layout.xaxis.title.text == "Won amount (万円)" and in_man.layout.xaxis.tickprefix is None
