"""Errors that name the file, the line and the column, so a user can fix the export.

A problem records its reason as a catalogue message (key + values): `reason` is its English text
(CLI, logs, the downloadable report of an English session), `localized_reason()` the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from leadfunnel.i18n import LocalizedError, Message

NO_SUCH_LEAD = "import.no_such_lead"  # a row (activity, feedback) whose lead is neither stored nor imported with it


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int  # 1-based line in the file; the header is line 1
    column: str
    value: str | None
    reason: str  # English text of `message`, or plain text from callers that have no message
    message: Message | None = None
    record: int | None = None  # the row's number where a reader numbers rows without knowing their lines

    def with_record(self, record: int) -> RowProblem:
        return replace(self, record=record)

    def at_line(self, line: int) -> RowProblem:
        return replace(self, line=line)

    @classmethod
    def of(cls, file: str, line: int, column: str, value: str | None, key: str, **params: Any) -> RowProblem:
        """A problem whose reason is the catalogue message `key`, so each reader gets it in their language."""
        message = Message(key, **params)
        return cls(file, line, column, value, str(message), message)

    def localized_reason(self, language: str | None = None) -> str:
        return self.message.render(language) if self.message is not None else self.reason

    def render(self, language: str | None = None) -> str:
        """One line for a message listing problems: file, line, column, reason (and the value)."""
        key = "import.problem" if self.value is None else "import.problem_value"
        return Message(key, file=self.file, line=self.line, column=self.column, value=self.value,
                       reason=self.localized_reason(language)).render(language)

    def __str__(self) -> str:
        return self.render("en")


class _ProblemLines:
    """The first problems, one per line, in whichever language the enclosing message is read."""

    def __init__(self, problems: list[RowProblem], shown: int) -> None:
        self.problems, self.shown = problems, shown

    def render(self, language: str | None = None) -> str:
        lines = [f"  {p.render(language)}" for p in self.problems[: self.shown]]
        if len(self.problems) > self.shown:
            lines.append("  " + Message("import.more_problems", n=len(self.problems) - self.shown).render(language))
        return "\n".join(lines)


class ImportRejected(LocalizedError):
    """Nothing was written because some rows are bad; `problems` lists every one of them."""

    MAX_SHOWN = 20

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("import.rejected", n=len(problems), problems=_ProblemLines(problems, self.MAX_SHOWN))

    def __reduce__(self) -> tuple[Any, ...]:
        return ImportRejected, (self.problems,)


class UnknownLeadActivities(LocalizedError):
    """Activities whose lead is neither stored nor imported with them; the write was rolled back.

    The canonical import catches it and reports the rows (file, line, lead id) as an ImportRejected.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__("import.unknown_lead_activities", n=count)

    def __reduce__(self) -> tuple[Any, ...]:
        return UnknownLeadActivities, (self.count,)
