"""The message catalogues: same keys and placeholders in both languages, and no text outside them."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from leadfunnel.i18n import CATALOGUES, language_from_locale, set_language, t

PROJECT = Path(__file__).resolve().parents[2]
# Every page and the shared chrome draw their text from the catalogue.
TRANSLATED = ("dashboard.py", "pages/funnel.py", "pages/channels.py", "pages/scoring.py", "pages/sla.py",
              "pages/data.py", "leadfunnel/ui/sidebar.py")
SHOWN = {"title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success", "metric",
         "selectbox", "radio", "multiselect", "date_input", "button", "expander", "text_input", "checkbox",
         "toggle", "slider", "number_input", "download_button", "file_uploader", "write", "Page"}
WORDS = re.compile(r"[A-Za-z]{2,}|[\u3040-\u30ff\u4e00-\u9fff]")


def placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    english, japanese = CATALOGUES["en"], CATALOGUES["ja"]
    assert english.keys() == japanese.keys()
    for key, message in english.items():
        assert placeholders(message) == placeholders(japanese[key]), key
        assert japanese[key].strip(), key


def literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


@pytest.mark.parametrize("module", TRANSLATED)
def test_translated_modules_show_no_text_outside_the_catalogue(module):
    tree = ast.parse((PROJECT / module).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SHOWN):
            continue
        shown = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("help", "placeholder", "title",
                                                                                  "label", "body"))]
        for argument in shown:
            text = literal_text(argument)
            if text and WORDS.search(re.sub(r":material/\w+:|pages/\w+\.py", "", text)):
                found.append(f"line {node.lineno}: {text!r}")
    assert found == []


def test_messages_in_japanese_and_back():
    try:
        set_language("ja")
        assert t("stage.opportunity") == "商談" and t("stage.won") == "受注"
        assert t("sidebar.data_span", first="2025/01/01", last="2025/03/31", leads=1234) == (
            "データ期間 2025/01/01〜2025/03/31・リード 1,234 件")
    finally:
        set_language("en")
    assert t("stage.opportunity") == "Opportunity"


@pytest.mark.parametrize(("locale", "language"), [("ja-JP", "ja"), ("ja", "ja"), ("en-US", "en"), ("fr-FR", "en"),
                                                  (None, "en")])
def test_browser_locale_picks_the_language(locale, language):
    assert language_from_locale(locale) == language


def test_upload_box_texts_cannot_break_out_of_their_css_rule():
    from leadfunnel.ui.uploader import css_string, dropzone_style

    assert css_string('1ファイル 200 MB まで・CSV') == '"1ファイル 200 MB まで\\30fb CSV"'
    style = dropzone_style("uploads", 'Up"}</style><script>x', "limit")
    assert style.count("<style>") == 1 and style.count("</style>") == 1 and "<script>" not in style
    assert '"Up\\22 \\7d \\3c \\2f style\\3e \\3c script\\3e x"' in style
