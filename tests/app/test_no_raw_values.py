"""#13: no "None", "nan", "Infinity" or untranslated word reaches the reader. Every page, in English and Japanese,
on a database made from a team's own files (no ids, no sales activities, no feedback — the data that makes
metrics missing) and on the SLA fixture: every table cell has a value or "–", every text is free of raw values.

Browser grids draw cells on a canvas, so the tables are checked here, on the data each page hands Streamlit.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from leadfunnel.i18n import set_language
from tests.app.test_pages import ENTRY

PAGES = ("pages/funnel.py", "pages/channels.py", "pages/scoring.py", "pages/sla.py", "pages/pipeline.py",
         "pages/velocity.py", "pages/data.py")
RAW = re.compile(r"\b(None|nan|NaN|NaT|Infinity|inf|null)\b")
ENGLISH_IN_JAPANESE = re.compile(r"\b(empty|unknown|Outcome|Channel)\b")




def texts(app: AppTest) -> list[str]:
    """Every text a reader sees, outside the tables."""
    found = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success"):
        found += [element.value for element in getattr(app, kind)]
    found += [f"{m.label} {m.value} {m.delta or ''}" for m in app.metric]
    return [str(text) for text in found]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("db_name", ["own_db", "sla_app_db"])
def test_every_page_shows_values_or_a_dash(monkeypatch, request, language, db_name):
    monkeypatch.setenv("LEADFUNNEL_DB", str(request.getfixturevalue(db_name)))
    # AppTest formats a widget's value with its format_func in this thread: it must speak the page's language.
    set_language(language)
    request.addfinalizer(lambda: set_language("en"))
    app = AppTest.from_file(ENTRY, default_timeout=90)
    app.query_params["lang"] = language
    app.run()
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, f"{page}: {app.exception}"
        for text in texts(app):
            assert not RAW.search(text), f"{page} ({language}): {text!r}"
            if language == "ja":
                assert not ENGLISH_IN_JAPANESE.search(text), f"{page}: English in Japanese: {text!r}"
        for index, grid in enumerate(app.dataframe):
            frame = grid.value
            assert not frame.isna().any().any(), f"{page} table {index}: missing cells\n{frame}"
            for column in frame.columns:
                if frame[column].dtype == object:
                    cells = frame[column].astype(str)
                    assert not cells.str.fullmatch(RAW.pattern).any(), f"{page} table {index} {column}: {cells}"
