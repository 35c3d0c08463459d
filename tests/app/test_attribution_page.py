"""The channels page's attribution and spend sections (#18) against tests/fixtures/attribution (its README)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY, fixture_app

Q1 = {"from": "2025-01-01", "to": "2025-03-31"}


@pytest.fixture
def attribution_app(monkeypatch, tmp_path: Path) -> Path:
    return fixture_app(monkeypatch, tmp_path, "attribution")


def channels_page(params: dict[str, str]) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params.update(params)
    app.run()
    app.switch_page("pages/channels.py").run()
    assert not app.exception
    return app


def grid(app: AppTest) -> dict:
    """The attribution table as {channel: row} (AppTest holds the data, whose column names are the query's)."""
    table = next(frame.value for frame in app.dataframe if "first_touch_share" in frame.value.columns)
    return {row["channel"]: row for _, row in table.iterrows()}


def test_linear_sql_credit_beside_first_touch_with_spend(attribution_app):
    app = channels_page(Q1)
    assert app.selectbox(key="attribution_model").value == "linear"
    assert any(c.value.startswith("3 leads reached SQL between 2025-01-01 and 2025-03-31") for c in app.caption)
    assert not any(c.value.startswith("These leads have no marketing activity") for c in app.caption)
    seo, display, listing = (grid(app)[name] for name in ("SEO / owned media", "Display ads", "Listing (search) ads"))
    assert (seo["credit"], seo["share"], seo["first_touch_share"], seo["change"]) == ("1.17", "38.9%", "33.3%",
                                                                                      "+5.6 pt")
    assert (seo["cost_per_conversion"], seo["roi"]) == ("¥771,429", "1.11×")  # 900,000 ÷ 7/6; 1,000,000 ÷ 900,000
    assert (display["spend"], display["cost_per_conversion"]) == ("¥50,000", "–")  # spend, no result
    assert listing["spend"] == "–"  # a result, no spend


def test_a_shared_link_opens_another_model_and_outcome(attribution_app):
    app = channels_page({**Q1, "model": "last_touch", "result": "won"})
    rows = grid(app)
    assert {name: row["credit"] for name, row in rows.items() if row["credit"] != "0.00"} == {
        "SEO / owned media": "1.00", "Webinar": "1.00"}
    assert rows["SEO / owned media"]["amount"] == "¥1,000,000"
    assert rows["Webinar"]["amount"] == "–"  # L3 has no amount
    app.selectbox(key="attribution_model").set_value("linear").run()
    assert "model" not in app.query_params and app.query_params["result"] == "won"  # the default model leaves it


def test_costs_per_result_and_the_spend_chart(attribution_app):
    app = channels_page(Q1)
    costs = next(frame.value for frame in app.dataframe if "cost_per_lead" in frame.value.columns)
    seo = costs[costs["channel"] == "SEO / owned media"].iloc[0]
    assert (seo["spend"], seo["cost_per_lead"], seo["cost_per_sql"]) == ("¥900,000", "¥300,000", "¥771,429")
    assert any(c.value.startswith("Bars (left axis): spend per month.") for c in app.caption)


def test_an_owner_filter_leaves_the_spend_out_and_says_why(attribution_app):
    app = channels_page({**Q1, "owner": "佐藤 健"})
    assert any(c.value.startswith("Spend is per month and channel, not per industry") for c in app.caption)
    assert not any("cost_per_lead" in frame.value.columns for frame in app.dataframe)


def test_japanese_attribution(attribution_app):
    from leadfunnel.i18n import set_language

    set_language("ja")  # AppTest formats widget values with their format_func in this thread
    try:
        app = channels_page({**Q1, "lang": "ja", "money": "man"})
        seo = grid(app)["SEO・オウンドメディア"]
        assert (seo["cost_per_conversion"], seo["roi"]) == ("77.1万円", "1.11倍")
    finally:
        set_language("en")
