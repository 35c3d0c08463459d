"""Messages in English and Japanese: one catalogue module per language with the same keys.

`t("funnel.title")` returns the message in the language of the current script run (a context
variable the dashboard sets from the sidebar's language picker; English outside the app).
Messages use `str.format` placeholders; tests check both catalogues have the same keys and
placeholders, and that converted pages show no text outside the catalogue.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from typing import Any

from leadfunnel.i18n import en, ja

LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語"}
CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "ja": ja.MESSAGES}
_language: ContextVar[str] = ContextVar("language", default="en")


def set_language(language: str) -> None:
    _language.set(language if language in CATALOGUES else "en")


def language() -> str:
    return _language.get()


def t(key: str, **values: Any) -> str:
    """The message for `key` in the current language (English if the key is missing there)."""
    message = CATALOGUES[language()].get(key) or CATALOGUES["en"][key]
    return message.format(**values) if values else message


def day(value: date | None) -> str:
    """A date the way the reader writes it: 2025-04-01 / 2025/04/01."""
    if value is None:
        return "–"
    return f"{value:%Y/%m/%d}" if language() == "ja" else f"{value:%Y-%m-%d}"


def language_from_locale(locale: str | None) -> str:
    """`ja-JP` → `ja`; anything unknown → English."""
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code in CATALOGUES else "en"
