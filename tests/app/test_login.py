"""Optional sign-in through AppTest: with `[auth]` in the secrets, nothing with data runs before an allowed login.

AppTest seeds `st.user` from `AppTest.user` (Streamlit ≥ 1.67) and `st.secrets` from `AppTest.secrets`.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY, PAGES

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-only-for-tests-0123456789",
    "client_id": "leadfunnel-test",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
    "allowed_domains": ["example.co.jp"],
}


@pytest.fixture
def queries(monkeypatch) -> list[str]:
    """Names of the queries the run asked for: none may run before the user is let in. Recorded where every query
    runs (QueryRunner.run, under the pages' domain calls), with the result cache emptied first so that none is
    answered from it unrecorded."""
    import streamlit as st

    from leadfunnel.query import QueryRunner

    asked: list[str] = []
    original = QueryRunner.run

    def recording(self, name, params=None):
        asked.append(name)
        return original(self, name, params)

    st.cache_data.clear()
    monkeypatch.setattr(QueryRunner, "run", recording)
    return asked


def open_app(monkeypatch, db_file, user: dict | None, *, lang: str | None = None,
             auth: dict | None = AUTH) -> AppTest:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db_file))
    app = AppTest.from_file(ENTRY, default_timeout=60)
    if auth is not None:
        app.secrets["auth"] = auth
    if user is not None:
        app.user = user
    if lang:
        app.query_params["lang"] = lang
    app.run()
    assert not app.exception, app.exception
    return app


def labels(app: AppTest) -> list[str]:
    return [b.label for b in app.button]


def test_signed_out_sees_only_the_sign_in_button(monkeypatch, small_app_db, queries):
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": False})
    assert labels(app) == ["Sign in"]
    assert app.title[0].value == "Sign in"
    assert not app.metric and not app.dataframe and not app.multiselect
    assert queries == []


@pytest.mark.parametrize("page", PAGES)
def test_a_page_link_shows_nothing_once_signed_out(monkeypatch, small_app_db, queries, page):
    # Signed in first, so AppTest knows the pages; then the same session asks for a page signed out.
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": True, "email": "aiko@example.co.jp"})
    queries.clear()
    app.user = {"is_logged_in": False}
    app.switch_page(page).run()
    assert not app.exception
    assert labels(app) == ["Sign in"]
    assert not app.metric and not app.dataframe and not app.file_uploader and not app.multiselect
    assert queries == []


def test_default_apptest_user_without_a_login_flag_is_signed_out(monkeypatch, small_app_db, queries):
    app = open_app(monkeypatch, small_app_db, None)  # AppTest's default user: an e-mail, no is_logged_in
    assert labels(app) == ["Sign in"] and not app.metric and queries == []


def test_allowed_domain_sees_the_funnel(monkeypatch, small_app_db, queries):
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": True, "email": "Aiko.Sato@Example.co.jp",
                                               "email_verified": True})
    assert app.title[0].value == "Funnel"
    assert {m.label for m in app.metric} >= {"Lead", "MQL", "SQL", "Won"}
    assert "funnel/stage_counts" in queries
    assert any("Signed in as Aiko.Sato@Example.co.jp" in c.value for c in app.sidebar.caption)
    assert "Sign out" in labels(app)


@pytest.mark.parametrize("user", [
    {"is_logged_in": True, "email": "mallory@example.co.jp.evil.test"},
    {"is_logged_in": True, "email": "mallory@evil-example.co.jp"},
    {"is_logged_in": True, "email": "mallory@gmail.com"},
    {"is_logged_in": True, "email": "mallory@example.co.jp", "email_verified": False},
    {"is_logged_in": True},  # a provider that sent no e-mail
], ids=["suffix", "lookalike", "other", "unverified", "no-email"])
def test_disallowed_account_is_refused_with_a_sign_out_button(monkeypatch, small_app_db, queries, user):
    app = open_app(monkeypatch, small_app_db, user)
    assert "may not open this dashboard" in app.error[0].value
    assert labels(app) == ["Sign out"]
    assert not app.metric and not app.dataframe and not app.file_uploader
    assert queries == []


def test_sign_out_from_the_refusal_leads_back_to_sign_in(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": True, "email": "mallory@gmail.com"})
    app.button(key="logout").click().run()
    assert not app.exception
    assert app.user == {"is_logged_in": False}
    app.run()
    assert labels(app) == ["Sign in"]


def test_no_allowed_domains_lets_nobody_in(monkeypatch, small_app_db, queries):
    auth = {k: v for k, v in AUTH.items() if k != "allowed_domains"}
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": True, "email": "aiko@example.co.jp"}, auth=auth)
    assert app.error and not app.metric and queries == []


def test_without_auth_the_dashboard_is_open_as_before(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": False}, auth=None)
    assert app.title[0].value == "Funnel" and app.metric
    assert "Sign in" not in labels(app) and "Sign out" not in labels(app)


def test_sign_in_page_speaks_japanese(monkeypatch, small_app_db):
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": False}, lang="ja")
    assert labels(app) == ["ログイン"]


def test_sign_in_configured_without_authlib_says_so_instead_of_failing(monkeypatch, small_app_db, queries):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "authlib" else real(name, *a))
    app = open_app(monkeypatch, small_app_db, {"is_logged_in": False})
    assert "Authlib" in app.error[0].value
    assert not app.button and not app.metric and queries == []
