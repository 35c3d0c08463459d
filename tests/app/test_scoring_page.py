"""The scoring page through AppTest on tests/fixtures/scoring (numbers from its README)."""

import json
from datetime import date, time

from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY


def open_scoring(monkeypatch, db_file) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page("pages/scoring.py").run()
    # As of 2025-06-01 00:00 in the sidebar (S5 is created later), date range up to 05-31.
    app.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 5, 31)))
    app.date_input(key="as_of_day").set_value(date(2025, 6, 1))
    app.time_input(key="as_of_time").set_value(time(0, 0)).run()
    assert not app.exception
    return app


def backtest_metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric if m.label in ("Handed over", "Caught", "Recall", "Precision",
                                                                 "Days earlier (median)")}


def test_moving_the_threshold_changes_the_backtest(monkeypatch, scoring_app_db):
    app = open_scoring(monkeypatch, scoring_app_db)
    assert backtest_metrics(app) == {"Handed over": "3", "Caught": "1", "Recall": "50.0%", "Precision": "33.3%",
                                     "Days earlier (median)": "10.0"}
    app.slider(key="threshold::Guide default").set_value(50).run()
    assert not app.exception
    assert backtest_metrics(app) == {"Handed over": "3", "Caught": "2", "Recall": "100.0%", "Precision": "66.7%",
                                     "Days earlier (median)": "8.5"}
    deltas = {m.label: m.delta for m in app.metric}
    assert deltas["Caught"] == "+1"  # against the saved rule set at 100
    assert deltas["Recall"] == "+50.0 pt"


def curve_data(app: AppTest) -> dict:
    """What the volume-vs-recall curve (a browser component, leadfunnel/ui/threshold_curve.py) was drawn with."""
    (curve,) = app.get("bidi_component")
    return json.loads(curve.proto.json)


def test_the_curve_is_sent_whole_and_its_marker_is_the_sliders(monkeypatch, scoring_app_db):
    app = open_scoring(monkeypatch, scoring_app_db)
    drawn = curve_data(app)
    assert drawn["threshold"] == 100 and drawn["slider_class"] == "st-key-threshold--Guide-default"
    assert drawn["empty_text"].startswith("No lead of this view reached SQL")  # shown when no threshold has a recall
    assert [point[0] for point in drawn["points"]] == list(range(1, 301))  # every threshold the slider offers
    app.slider(key="threshold::Guide default").set_value(50).run()
    moved = curve_data(app)
    assert moved["threshold"] == 50
    assert moved["points"] == drawn["points"]  # the same curve: a threshold move moves only the marker
    metrics = backtest_metrics(app)
    _, crossed, recall, readout = moved["points"][50 - 1]
    assert (str(crossed), f"{recall:.1%}") == (metrics["Handed over"], metrics["Recall"])  # the numbers beside it
    assert readout == "threshold 50 · handed over 3 · recall 100.0% · precision 66.7%"


def test_half_life_and_outcome(monkeypatch, scoring_app_db):
    app = open_scoring(monkeypatch, scoring_app_db)
    app.slider(key="threshold::Guide default").set_value(70)
    app.slider(key="half_life::Guide default").set_value(10)
    app.radio(key="outcome").set_value("won").run()
    assert not app.exception
    # Won: only S1 is positive; with decay it crosses 70 on 03-05, 36 days before it is won on 04-10.
    assert backtest_metrics(app) == {"Handed over": "3", "Caught": "1", "Recall": "100.0%", "Precision": "33.3%",
                                     "Days earlier (median)": "36.0"}


def test_save_rules_and_select_them(monkeypatch, scoring_app_db):
    app = open_scoring(monkeypatch, scoring_app_db)
    app.slider(key="threshold::Guide default").set_value(50).run()
    app.text_input(key="save_as").input("Threshold 50").run()
    app.button[0].click().run()
    assert not app.exception
    assert app.selectbox(key="rule_set").value == "Threshold 50"
    assert app.slider(key="threshold::Threshold 50").value == 50
    assert backtest_metrics(app)["Caught"] == "2"


def test_untouched_rules_show_no_deltas(monkeypatch, scoring_app_db):
    app = open_scoring(monkeypatch, scoring_app_db)
    assert [m.delta for m in app.metric if m.label in ("Handed over", "Caught", "Recall", "Precision")] == [""] * 4


def test_two_saved_scenarios_side_by_side(monkeypatch, scoring_app_db):
    app = open_scoring(monkeypatch, scoring_app_db)
    app.slider(key="threshold::Guide default").set_value(50).run()
    app.text_input(key="save_as").input("Threshold 50").run()
    app.button[0].click().run()
    app.selectbox(key="compare_a").set_value("Guide default")
    app.selectbox(key="compare_b").set_value("Threshold 50").run()
    table = next(d.value for d in app.dataframe if "Rule set" in d.value.columns)
    assert table["Rule set"].tolist() == ["Guide default", "Threshold 50"]
    assert table["Caught"].tolist() == [1, 2]
    assert table["Recall"].tolist() == ["50.0%", "100.0%"]
    assert table["Days earlier (median)"].tolist() == ["10.0", "8.5"]


def test_saved_rule_sets_can_be_renamed_and_deleted_and_the_default_stays(monkeypatch, scoring_app_db):
    from leadfunnel.scoring.rules import DEFAULT_RULES
    from leadfunnel.scoring.saved_rules import rule_set_names, save_rule_set
    from leadfunnel.storage import FileStorage

    with FileStorage(scoring_app_db).writing() as con:
        save_rule_set(con, DEFAULT_RULES.with_changes(name="展示会重視", threshold=80))
    app = open_scoring(monkeypatch, scoring_app_db)
    app.text_input(key="rename_to").input("展示会重視 2025").run()
    next(b for b in app.button if b.label == "Rename").click().run()
    assert any("Renamed" in s.value for s in app.success)
    assert app.selectbox(key="rule_set").options == ["Guide default", "展示会重視 2025"]
    next(b for b in app.button if b.label == "Delete").click().run()
    assert app.selectbox(key="rule_set").options == ["Guide default"]
    con = FileStorage(scoring_app_db).open_reader()
    assert rule_set_names(con) == [DEFAULT_RULES.name]
    con.close()
