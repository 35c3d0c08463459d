"""The message catalogues: same keys and placeholders in both languages, and no text outside them."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from leadfunnel.i18n import CATALOGUES, language_from_locale, set_language, t

PROJECT = Path(__file__).resolve().parents[2]
# Every page and everything in leadfunnel/ui (the shared chrome, sign-in, first start) draw their text from the
# catalogue.
TRANSLATED = ("dashboard.py", *sorted(str(p.relative_to(PROJECT)) for p in (PROJECT / "pages").glob("*.py")),
              *sorted(str(p.relative_to(PROJECT)) for p in (PROJECT / "leadfunnel" / "ui").glob("*.py")))
SHOWN = {"title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success", "metric",
         "selectbox", "radio", "multiselect", "date_input", "button", "expander", "text_input", "checkbox",
         "toggle", "slider", "number_input", "download_button", "file_uploader", "write", "Page", "status", "update",
         "progress", "spinner", "toast", "segmented_control", "text_area", "time_input", "tabs", "form_submit_button"}
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


def test_storage_and_schema_errors_read_in_the_readers_language(tmp_path):
    """What the pages show when the data is busy or of another version: the CLI keeps English."""
    import duckdb

    from leadfunnel import database
    from leadfunnel.i18n import localized
    from leadfunnel.storage import StorageBusy

    busy = StorageBusy("storage.writer_busy", location="data/company.duckdb", seconds="120")
    assert str(busy).startswith("data/company.duckdb is being changed by another import")
    assert localized(busy, "ja").startswith("data/company.duckdb は別の取り込みまたは保存で 120 秒以上変更中です")
    foreign = tmp_path / "other.duckdb"
    duckdb.connect(str(foreign)).close()
    con = duckdb.connect(str(foreign))
    try:
        with pytest.raises(database.SchemaVersionError) as raised:
            database.check_schema(con, foreign)
    finally:
        con.close()
    assert "this version reads" in str(raised.value)
    assert "leadfunnel のデータベースではないファイルは使えません" in localized(raised.value, "ja")


def test_every_literal_key_the_code_asks_for_is_in_the_catalogue():
    """A renamed or deleted key fails here, not as a KeyError on a reader's screen."""
    sources = [PROJECT / "dashboard.py", *(PROJECT / "pages").glob("*.py"), *(PROJECT / "leadfunnel").rglob("*.py")]
    missing = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and node.args[0].value not in CATALOGUES["en"]):
                missing.append(f"{path.relative_to(PROJECT)}:{node.lineno}: {node.args[0].value}")
    assert missing == []


# Streamlit's markdown loads its emoji plugin (remark-emoji and a 259 KB library) when a text looks like a
# shortcode (`:smile:`); "As of 2026-10-31 23:54: …" did (":54:"), and on a new session's first view that load
# came before the metrics' own code (bench/RESULTS.md, "first open"). The same test as Streamlit's frontend:
SHORTCODE = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
INSTANTS = {"at", "as_of", "latest"}  # placeholders that receive a date and time to the minute


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_no_page_text_with_an_instant_looks_like_an_emoji_shortcode(language):
    looks_like_emoji = []
    for key, message in CATALOGUES[language].items():
        names = {name for _, name, _, _ in string.Formatter().parse(message) if name}
        if key.startswith("pack.") or not names & INSTANTS:  # the pack is HTML, not Streamlit markdown
            continue
        written = message.format_map({name: "2026-10-31 23:54" if name in INSTANTS else 1 for name in names})
        if SHORTCODE.search(written):
            looks_like_emoji.append(key)
    assert looks_like_emoji == []
