"""An upload stays in the session that made it until it is imported: another user's session never sees it.

Two AppTest instances are two browser sessions of one server process (same caches, same database).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.test_data_page import EXPORTS, metric, open_data

PROJECT = Path(__file__).resolve().parents[2]
CP932_COMPANIES = ["㈱髙橋製作所", "テスト①商会", "髙島屋商事\\大阪支店"]


def shown_text(app: AppTest) -> str:
    """Everything a session shows in tables and text, to search for another session's values."""
    parts = [str(frame.value.to_dict()) for frame in app.dataframe]
    parts += [element.value for kind in ("markdown", "caption", "success", "info", "error", "warning")
              for element in getattr(app, kind)]
    parts += [str(box.value) for box in app.selectbox]
    return "\n".join(parts)


def leads_stored(app: AppTest) -> int:
    """The stored lead count, as the Data page's first caption tells it on this run."""
    return int(re.search(r"([\d,]+) leads", app.caption[0].value).group(1).replace(",", ""))


def test_a_preview_stays_in_its_session_until_imported(monkeypatch, small_app_db):
    alice = open_data(monkeypatch, small_app_db)
    before = leads_stored(alice)
    alice.file_uploader(key="uploads").set_value(
        ("名簿.csv", (EXPORTS / "japanese_leads_cp932.csv").read_bytes(), "text/csv")).run()
    assert alice.dataframe[0].value["会社名"].tolist() == CP932_COMPANIES  # Alice sees her preview

    bob = open_data(monkeypatch, small_app_db)  # a second browser session on the same server
    assert not bob.exception
    assert leads_stored(bob) == before  # previews write nothing
    assert not bob.file_uploader(key="uploads").value
    assert not bob.metric  # no check step: nothing uploaded in this session
    assert all(company not in shown_text(bob) for company in CP932_COMPANIES)
    assert "名簿.csv" not in shown_text(bob)
    assert not any(key.startswith(("encoding:", "delimiter:", "map:")) for key in bob.session_state)

    # Bob previews his own file; each session keeps its own preview.
    bob.file_uploader(key="uploads").set_value(
        ("contacts.csv", (EXPORTS / "hubspot_contacts.csv").read_bytes(), "text/csv")).run()
    bobs = metric(bob, "Leads to import")
    alice.run()
    assert alice.dataframe[0].value["会社名"].tolist() == CP932_COMPANIES
    assert all(company not in shown_text(bob) for company in CP932_COMPANIES)

    # Once Alice imports, the rows are in the shared database: Bob's next run counts them.
    next(b for b in alice.button if b.label == "Import").click().run()
    assert "3 new" in alice.success[-1].value
    bob.run()
    assert leads_stored(bob) == before + 3
    assert metric(bob, "Leads to import") == bobs  # his own upload, still his
    assert all(company not in shown_text(bob) for company in CP932_COMPANIES)


def _cache_decorated(path: Path) -> list[str]:
    """Functions in a module that a process-wide cache (Streamlit's or functools') wraps."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                text = ast.unparse(decorator)
                if any(name in text for name in ("cache_data", "cache_resource", "cache", "lru_cache")):
                    found.append(f"{path.relative_to(PROJECT)}:{node.name}")
    return found


def test_nothing_on_the_upload_path_is_cached_across_sessions():
    upload_path = [PROJECT / "pages" / "data.py", *sorted((PROJECT / "leadfunnel" / "ingest").glob("*.py"))]
    assert [name for path in upload_path for name in _cache_decorated(path)] == []
    assert "st.cache" not in (PROJECT / "pages" / "data.py").read_text(encoding="utf-8")
