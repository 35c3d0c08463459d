"""Messages in English and Japanese: one catalogue module per language with the same keys.

`t("funnel.title")` returns the message in the language of the current script run (a context
variable the dashboard sets from the sidebar's language picker; English outside the app).
Messages use `str.format` placeholders; tests check both catalogues have the same keys and
placeholders, and that converted pages show no text outside the catalogue.

Code below the pages does not know the reader's language, so it records a `Message` (key + values)
or raises a `LocalizedError`; `str()` of either is English (CLI, logs) and the page renders it with
`localized()` in the reader's language.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

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


def date_pattern(*, with_day: bool = True) -> str:
    """strftime pattern of a date the way the reader writes it (also for chart axes): %Y-%m-%d / %Y/%m/%d."""
    separator = "/" if language() == "ja" else "-"
    return separator.join(("%Y", "%m", "%d") if with_day else ("%Y", "%m"))


def day(value: date | None) -> str:
    """A date the way the reader writes it: 2025-04-01 / 2025/04/01."""
    return "–" if value is None else value.strftime(date_pattern())


def moment(value: datetime | None) -> str:
    """An instant the way the reader writes it, to the minute: 2025-04-01 09:05 / 2025/04/01 09:05."""
    return "–" if value is None else value.strftime(f"{date_pattern()} %H:%M")


def moment_format() -> str:
    """The grid's (moment.js) pattern for an instant written the reader's way: YYYY-MM-DD HH:mm / YYYY/MM/DD HH:mm."""
    return "YYYY/MM/DD HH:mm" if language() == "ja" else "YYYY-MM-DD HH:mm"


def language_from_locale(locale: str | None) -> str:
    """`ja-JP` → `ja`; anything unknown → English."""
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code in CATALOGUES else "en"


@runtime_checkable
class Renderable(Protocol):
    """Anything that can put itself into words in a given language (a Message, a list of row problems)."""

    def render(self, language: str | None = None) -> str: ...


class Message:
    """A catalogue key and its values, rendered when and in whichever language it is read.

    A value may itself be Renderable (e.g. a Message naming a field), rendered in the same language.
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        if key not in CATALOGUES["en"]:
            raise KeyError(f"no message {key!r} in the catalogue")
        self.key = key
        self.params = params

    def render(self, language: str | None = None) -> str:
        """The text in `language` (default: the current one); English where that catalogue lacks the key."""
        chosen = language if language in CATALOGUES else _language.get()
        message = CATALOGUES[chosen].get(self.key) or CATALOGUES["en"][self.key]
        if not self.params:
            return message
        return message.format(**{name: value.render(chosen) if isinstance(value, Renderable) else value
                                 for name, value in self.params.items()})

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        values = "".join(f", {name}={value!r}" for name, value in self.params.items())
        return f"Message({self.key!r}{values})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params))))


class Localized(Exception):
    """An error whose text lives in the catalogues: `str()` is English, `localized()` the reader's language."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.message = Message(key, **params)
        super().__init__(str(self.message))

    @property
    def key(self) -> str:
        return self.message.key

    @property
    def params(self) -> dict[str, Any]:
        return self.message.params

    def __str__(self) -> str:
        return str(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Copies and pickles keep the key and values (the constructor takes a key, not the English text)."""
        return _restore_error, (type(self), self.message)


class LocalizedError(Localized, ValueError):
    """Bad input (a value, a file, a rule): a Localized ValueError."""


class LocalizedRuntimeError(Localized, RuntimeError):
    """A state of the world (the data is in use, of another version): a Localized RuntimeError."""


def _restore_error(cls: type[Localized], message: Message) -> Localized:
    error = cls.__new__(cls)
    error.message = message
    error.args = (str(message),)
    return error


def localized(error: BaseException | Message | str, language: str | None = None) -> str:
    """What a page shows for an error or a recorded message: catalogue text in the reader's language.

    Errors from outside the package (OS, DuckDB) have no key and are shown as they are.
    """
    if isinstance(error, Message):
        return error.render(language)
    if isinstance(error, Localized):
        return error.message.render(language)
    return str(error)
