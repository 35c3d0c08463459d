"""Errors that name the file, the line and the column, so a user can fix the export."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int  # 1-based line in the file; the header is line 1
    column: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{self.file}, line {self.line}, column {self.column}: {self.reason}{shown}"


class ImportRejected(ValueError):
    """Nothing was written because some rows are bad; `problems` lists every one of them."""

    MAX_SHOWN = 20

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[: self.MAX_SHOWN])
        more = len(problems) - self.MAX_SHOWN
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(f"{len(problems)} bad row(s); nothing was imported:\n{shown}{tail}")
