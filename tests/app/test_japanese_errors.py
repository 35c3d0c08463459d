"""In a Japanese session the pages show the package's errors and validation reasons in Japanese."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from streamlit.testing.v1 import AppTest

from leadfunnel.i18n import set_language
from tests.app.test_pages import ENTRY
from tests.unit.test_localized_errors import BAD_CP932


@pytest.fixture(autouse=True)
def _japanese_here_too() -> Iterator[None]:
    """AppTest calls the widgets' format_func (t(...)) in the test's thread: it must speak Japanese as well."""
    set_language("ja")
    yield
    set_language("en")


def open_page(monkeypatch, db_file, page: str) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params["lang"] = "ja"
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    return app


def test_data_page_shows_the_validation_report_in_japanese(monkeypatch, small_app_db):
    app = open_page(monkeypatch, small_app_db, "pages/data.py")
    app.file_uploader(key="uploads").set_value(("名簿.csv", BAD_CP932, "text/csv")).run()
    assert not app.exception
    report = next(d.value for d in app.dataframe if "reason" in d.value.columns)
    rows = sorted(zip(report["severity"], report["line"], report["reason"], strict=True))
    assert rows == [("警告", 2, "MQL日が作成日より前になっています"),
                    ("除外", 3, "リードIDが空欄です"),
                    ("除外", 4, "数値として読み取れません（1234567 や 1,234,567.89 のように"
                               "書きます。¥・円・万は使えます。小数点のカンマは使えません）"),
                    ("除外", 4, "日付・日時として読み取れません"),
                    ("除外", 5, "このIDがファイル内で重複しています"),
                    ("除外", 6, "このIDがファイル内で重複しています")]
    assert next(m.value for m in app.metric if m.label == "除外する行") == "4"


def test_data_page_says_in_japanese_why_a_file_cannot_be_read(monkeypatch, small_app_db):
    app = open_page(monkeypatch, small_app_db, "pages/data.py")
    app.file_uploader(key="uploads").set_value(("名簿.csv", BAD_CP932, "text/csv")).run()
    app.selectbox(key=f"encoding:名簿.csv:{len(BAD_CP932)}").set_value("utf-8").run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "名簿.csv：1 行目が utf-8 のテキストとして読み取れません。別の文字コードを選んでください"]


def test_scoring_page_refuses_the_built_in_name_in_japanese(monkeypatch, scoring_app_db):
    app = open_page(monkeypatch, scoring_app_db, "pages/scoring.py")
    app.text_input(key="save_as").input("Guide default").run()
    next(b for b in app.button if b.label == "保存").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["「Guide default」は組み込みのルールセットです。別の名前で保存してください"]


def test_sla_page_says_in_japanese_why_a_policy_is_not_saved(monkeypatch, sla_app_db):
    app = open_page(monkeypatch, sla_app_db, "pages/sla.py")
    app.radio(key="sla_clock").set_value("business")
    app.time_input(key="sla_end").set_value(time(8, 0))
    next(b for b in app.button if b.label == "合意したSLAとして保存").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["SLAは保存されませんでした：終業時刻は始業時刻より後にしてください"]


def test_tables_name_channels_and_stages_in_japanese(monkeypatch, small_app_db):
    """Labels looked up on Polars' own threads came out in English (the language lives in the script's thread)."""
    app = open_page(monkeypatch, small_app_db, "pages/channels.py")
    channels = app.dataframe[0].value["channel"].tolist()
    assert "SEO・オウンドメディア" in channels and "SEO / owned media" not in channels
    app.switch_page("pages/funnel.py").run()
    assert not app.exception
    stages = next(d.value for d in app.dataframe if "ステージ" in d.value.columns)["ステージ"].tolist()
    assert stages == ["リード", "MQL", "SAL", "SQL", "商談", "受注"]
