"""The sidebar's "count: leads | accounts" on the pages (#17 part 3), against tests/fixtures/accounts (its README)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY, fixture_app, metrics

JANUARY_BY_ACCOUNT = {"from": "2025-01-01", "to": "2025-01-31", "mode": "cohort", "by": "account"}


def opened(monkeypatch, tmp_path: Path, params: dict[str, str], page: str | None = None) -> AppTest:
    fixture_app(monkeypatch, tmp_path, "accounts")
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params.update(params)
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception
    return app


def test_a_shared_link_opens_the_funnel_by_account(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, JANUARY_BY_ACCOUNT)
    assert app.radio(key="unit").value == "account"
    shown = metrics(app)
    # January cohort: サンプル, ACC-9, 北辰工業, A10, サンプル商事; December: acme (A5), which reached MQL and SQL.
    assert shown["Lead"] == ("5", "+4") and shown["MQL"] == ("2", "+1") and shown["Won"] == ("1", "+1")
    assert shown["Lead → won"][0] == "20.0%"
    table = app.dataframe[0].value
    assert "Leads" not in table.columns
    assert table["Accounts"].tolist()[:2] == ["5", "2"]
    assert any(c.value.startswith("Counted by account:") for c in app.caption)
    assert app.query_params["by"] == "account"


def test_switching_back_to_leads_counts_leads_and_leaves_the_link(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, JANUARY_BY_ACCOUNT)
    app.radio(key="unit").set_value("lead").run()
    assert metrics(app)["Lead"][0] == "8"
    assert "Leads" in app.dataframe[0].value.columns
    assert not any(c.value.startswith("Counted by account:") for c in app.caption)
    assert "by" not in app.query_params


def test_channels_by_account_credit_each_company_once(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, JANUARY_BY_ACCOUNT, "pages/channels.py")
    channels = app.dataframe[0].value
    assert dict(zip(channels["channel"], channels["leads"], strict=True)) == {"SEO / owned media": 4, "Webinar": 1}
    assert any(c.value.startswith("Counted by account:") for c in app.caption)


def test_pages_that_count_leads_say_so_by_account(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, JANUARY_BY_ACCOUNT, "pages/pipeline.py")
    assert any("This page counts leads" in c.value for c in app.caption)
    app.radio(key="unit").set_value("lead").run()
    assert not any("This page counts leads" in c.value for c in app.caption)


def test_the_data_page_shows_which_leads_make_one_company(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, {}, "pages/data.py")
    expander = next(e for e in app.expander if e.label == "Accounts: 11 leads in 6 companies")
    merged = "8 leads belong to the 3 companies with more than one lead"
    assert any(c.value.startswith(merged) for c in expander.caption)
    largest = expander.dataframe[0].value
    assert largest["company"].tolist() == ["ACME Inc.", "サンプル株式会社", "Hokushin"]
    assert largest["account_id"].tolist() == ["–", "–", "ACC-9"]  # missing reads "–", never "None"


def test_an_unknown_count_in_the_link_is_named_and_leads_are_counted(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, {**JANUARY_BY_ACCOUNT, "by": "company"})
    assert app.radio(key="unit").value == "lead"
    assert "by=company" in app.warning[0].value


def test_japanese_by_account(monkeypatch, tmp_path):
    from leadfunnel.i18n import set_language

    set_language("ja")  # AppTest formats widget values with their format_func in this thread
    try:
        app = opened(monkeypatch, tmp_path, {**JANUARY_BY_ACCOUNT, "lang": "ja"})
        assert app.dataframe[0].value["企業数"].tolist()[0] == "5"
        assert any(c.value.startswith("企業単位で数えています") for c in app.caption)
    finally:
        set_language("en")


def test_attribution_says_why_every_model_equals_first_touch_without_activities(monkeypatch, tmp_path):
    """The accounts fixture has no activities: each lead's only touch is its creation."""
    app = opened(monkeypatch, tmp_path, {"from": "2025-01-01", "to": "2025-02-28"}, "pages/channels.py")
    assert any(c.value.startswith("These leads have no marketing activity with a channel") for c in app.caption)


def test_period_mode_by_account_suggests_cohort_mode(monkeypatch, tmp_path):
    app = opened(monkeypatch, tmp_path, {**JANUARY_BY_ACCOUNT, "mode": "period"})
    assert any("cohort mode (companies whose first lead is in the range) usually reads better" in c.value
               for c in app.caption)
    app.radio(key="mode").set_value("cohort").run()
    assert not any("usually reads better" in c.value for c in app.caption)
