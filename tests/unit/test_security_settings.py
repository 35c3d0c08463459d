"""Safe defaults: who may sign in (the pure domain check), where the server listens, what git never holds."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from leadfunnel.ui.auth import allowed_domains, email_allowed, normalise_domain
from tests.unit import test_i18n

PROJECT = Path(__file__).resolve().parents[2]
DOMAINS = ["example.co.jp", "@Group.Example.com "]


@pytest.mark.parametrize("email", [
    "aiko@example.co.jp", "Aiko.Sato@EXAMPLE.CO.JP", " aiko@example.co.jp ", "ken@group.example.com",
    "ken@Group.Example.Com.",
])
def test_addresses_in_an_allowed_domain_are_let_in(email):
    assert email_allowed(email, DOMAINS)


@pytest.mark.parametrize("email", [
    None, "", "aiko", "@example.co.jp", "aiko@",
    "aiko@example.co.jp.evil.test",     # the allowed domain as a prefix of another
    "aiko@evil-example.co.jp",          # … as a suffix of another name
    "aiko@sub.example.co.jp",           # subdomains are not the domain
    "example.co.jp@evil.test",          # the domain in the local part
    "aiko@example.co.jp@evil.test",
    "aiko@example.com",                 # the parent of an allowed subdomain
])
def test_other_addresses_are_refused(email):
    assert not email_allowed(email, DOMAINS)


def test_an_unverified_address_is_refused_and_an_absent_claim_is_not():
    assert not email_allowed("aiko@example.co.jp", DOMAINS, verified=False)
    assert email_allowed("aiko@example.co.jp", DOMAINS, verified=True)
    assert email_allowed("aiko@example.co.jp", DOMAINS, verified=None)


def test_no_domains_let_nobody_in():
    assert not email_allowed("aiko@example.co.jp", [])
    assert not email_allowed("aiko@example.co.jp", ["", " @ "])
    assert allowed_domains({}) == []


def test_allowed_domains_setting_takes_a_list_or_one_domain():
    assert allowed_domains({"allowed_domains": ["a.jp", "b.jp"]}) == ["a.jp", "b.jp"]
    assert allowed_domains({"allowed_domains": "a.jp"}) == ["a.jp"]
    assert normalise_domain(" @A.JP. ") == "a.jp"


def test_sign_in_texts_come_from_the_catalogues():
    test_i18n.test_translated_modules_show_no_text_outside_the_catalogue("leadfunnel/ui/auth.py")


def test_the_server_listens_on_localhost_by_default():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"


def test_secrets_are_never_committed():
    ignored = (PROJECT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
