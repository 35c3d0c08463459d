"""The view lives in the URL and the UI speaks Japanese: a pasted link opens the same numbers."""

from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY


def open_link(monkeypatch, db_file, **params) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    for name, value in params.items():
        app.query_params[name] = value
    return app.run()


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_a_shared_link_restores_filters_and_language(monkeypatch, small_app_db):
    app = open_link(monkeypatch, small_app_db, lang="ja", **{"from": "2025-02-01", "to": "2025-02-28"},
                    channel=["seo", "referral"])
    assert not app.exception
    assert app.title[0].value == "ファネル"
    # Period February, seo + referral (tests/fixtures/small): leads A4, A5; MQL A3, A4; SQL A4; no win.
    shown = metrics(app)
    assert (shown["リード"], shown["MQL"], shown["SQL"], shown["受注"]) == ("2", "2", "1", "0")
    assert app.multiselect(key="channels").value == ["seo", "referral"]
    assert app.query_params["lang"] == "ja"


def test_changing_the_view_writes_the_url_and_round_trips(monkeypatch, small_app_db):
    app = open_link(monkeypatch, small_app_db)
    app.radio(key="mode").set_value("cohort")
    app.multiselect(key="owners").set_value(["佐藤 健"]).run()
    assert app.query_params == {"mode": "cohort", "owner": "佐藤 健"}  # defaults are left out of the URL
    again = open_link(monkeypatch, small_app_db, mode="cohort", owner=["佐藤 健"])
    assert metrics(again) == metrics(app)


def test_stale_parameters_fall_back_with_a_notice(monkeypatch, small_app_db):
    app = open_link(monkeypatch, small_app_db, mode="sideways", channel=["seo", "fax"],
                    **{"from": "1999-01-01", "to": "1999-02-01"})
    assert not app.exception
    notice = app.sidebar.warning[0].value
    assert "mode=sideways" in notice and "channel=fax" in notice and "from=1999-01-01" in notice
    assert app.radio(key="mode").value == "period"
    assert app.multiselect(key="channels").value == ["seo"]


def test_scoring_settings_round_trip_through_the_link(monkeypatch, scoring_app_db):
    app = open_link(monkeypatch, scoring_app_db, **{"from": "2025-01-01", "to": "2025-05-31"})
    app.switch_page("pages/scoring.py").run()
    app.slider(key="threshold::Guide default").set_value(50)
    app.radio(key="outcome").set_value("won").run()
    assert app.query_params["threshold"] == "50" and app.query_params["outcome"] == "won"
    shared = open_link(monkeypatch, scoring_app_db, **{"from": "2025-01-01", "to": "2025-05-31",
                                                       "threshold": "50", "outcome": "won"})
    shared.switch_page("pages/scoring.py").run()
    assert shared.slider(key="threshold::Guide default").value == 50
    assert {m.label: m.value for m in shared.metric} == {m.label: m.value for m in app.metric}


def test_a_stale_rule_set_in_the_link_falls_back_with_a_notice(monkeypatch, scoring_app_db):
    app = open_link(monkeypatch, scoring_app_db, rules="Deleted set", threshold="99999")
    app.switch_page("pages/scoring.py").run()
    assert not app.exception
    assert "rules=Deleted set" in app.warning[0].value and "threshold=99999" in app.warning[0].value
    assert app.selectbox(key="rule_set").value == "Guide default"


def test_weights_and_the_sla_instant_travel_in_the_link(monkeypatch, scoring_app_db, sla_app_db):
    # Webinars at 40: S1 reaches 100 with its contact form on 03-05, 15 days before its SQL.
    app = open_link(monkeypatch, scoring_app_db, **{"from": "2025-01-01", "to": "2025-05-31"},
                    w="webinar_attended:40,email_open:0")
    app.switch_page("pages/scoring.py").run()
    assert not app.exception
    assert app.query_params["w"] == "email_open:0,webinar_attended:40"
    linked = {m.label: m.value for m in app.metric}
    assert (linked["Caught"], linked["Days earlier (median)"]) == ("1", "15.0")  # default rules: 10.0
    sla = open_link(monkeypatch, sla_app_db, **{"from": "2025-01-01", "to": "2025-01-31"}, as_of="2025-01-24T12:00")
    sla.switch_page("pages/sla.py").run()
    assert not sla.exception
    shown = {m.label: m.value for m in sla.metric}
    assert (shown["Compliance"], shown["Overdue now"], shown["Pending"]) == ("33.3%", "1", "1")


def test_amounts_in_man_yen_travel_in_the_link(monkeypatch, small_app_db):
    """#13 formats: 万円 is a sidebar choice kept in the link; the channels table writes amounts in it."""
    app = open_link(monkeypatch, small_app_db, money="man", mode="cohort", **{"from": "2025-01-01", "to": "2025-03-31"})
    app.switch_page("pages/channels.py").run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("channel")
    # tests/fixtures/small: A1 (webinar) won ¥1,000,000, A5 (seo) won ¥2,000,000, both created in Q1.
    assert table.loc["Webinar", "won_amount"] == "100万円" and table.loc["SEO / owned media", "won_amount"] == "200万円"
    assert app.query_params["money"] == "man"
    app.radio(key="money").set_value("yen").run()
    assert app.dataframe[0].value.set_index("channel").loc["Webinar", "won_amount"] == "¥1,000,000"
    assert "money" not in app.query_params  # the default is left out of the URL
    stale = open_link(monkeypatch, small_app_db, money="dollars")
    assert "money=dollars" in stale.sidebar.warning[0].value and stale.radio(key="money").value == "yen"
