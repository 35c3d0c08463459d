"""Optional sign-in: with an `[auth]` block in `.streamlit/secrets.toml`, nobody sees data before signing in.

Streamlit's built-in OpenID Connect login (`st.login`) proves who the user is; `allowed_domains` in
the same `[auth]` block says who may look: only verified e-mail addresses in one of those domains
(exact match, case-insensitive). Without an `[auth]` block the dashboard is open, as it is on a
laptop bound to localhost. With `[auth]` but no `allowed_domains`, nobody is let in: a provider such
as Google signs in any account in the world, so an empty list must not mean "everyone".
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from leadfunnel.i18n import t
from leadfunnel.ui.first_paint import stop

DOMAINS_KEY = "allowed_domains"


def normalise_domain(domain: str) -> str:
    """`@Example.CO.JP ` → `example.co.jp`, so a setting written either way means the same domain."""
    return domain.strip().lstrip("@").rstrip(".").lower()


def email_allowed(email: str | None, domains: Iterable[str], *, verified: bool | None = None) -> bool:
    """Whether an address may open the dashboard: its domain is one of `domains`, and it is not unverified.

    `verified` is the provider's `email_verified` claim; None (claim absent) is accepted, because
    providers that only hand out company accounts (Entra ID, Okta) often do not send it.
    """
    if not email or verified is False:
        return False
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        return False
    allowed = {normalise_domain(d) for d in domains if normalise_domain(d)}
    return normalise_domain(domain) in allowed


def auth_settings() -> Mapping[str, Any] | None:
    """The `[auth]` block of the secrets, or None when sign-in is not configured (no secrets file either)."""
    if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
        return None
    return st.secrets["auth"]


def allowed_domains(settings: Mapping[str, Any]) -> list[str]:
    """`allowed_domains` from `[auth]`: a list, or one domain as a string."""
    configured = settings.get(DOMAINS_KEY) or []
    return [configured] if isinstance(configured, str) else [str(d) for d in configured]


def require_login() -> None:
    """Called by the entry script before navigation and the sidebar: stops the run unless the user may look.

    When blocked, only a sign-in (or refusal) page is registered with `st.navigation`, so no page file —
    and none of its queries — runs, whatever URL was asked for.
    """
    settings = auth_settings()
    if settings is None:
        return
    user = st.user
    if user.get("is_logged_in"):
        email = str(user.get("email") or "")
        verified = user.get("email_verified")
        if email_allowed(email, allowed_domains(settings), verified=None if verified is None else bool(verified)):
            st.sidebar.caption(t("login.signed_in", email=email))
            if st.sidebar.button(t("login.logout"), key="logout", icon=":material/logout:"):
                st.logout()
            return
        _blocked(lambda: _refusal(email))
    elif importlib.util.find_spec("authlib") is None:
        _blocked(_authlib_missing)
    else:
        _blocked(_sign_in)


def _blocked(view: Any) -> None:
    st.navigation([st.Page(view, title=t("login.title"), icon=":material/lock:", url_path="signin")],
                  position="hidden").run()
    stop()


def _sign_in() -> None:
    st.title(t("login.title"))
    st.write(t("login.prompt"))
    if st.button(t("login.button"), type="primary", icon=":material/login:", key="login"):
        st.login()


def _refusal(email: str) -> None:
    st.title(t("login.title"))
    st.error(t("login.refused", email=email), icon=":material/block:")
    if st.button(t("login.logout"), key="logout", icon=":material/logout:"):
        st.logout()


def _authlib_missing() -> None:
    st.title(t("login.title"))
    st.error(t("login.needs_authlib"))
