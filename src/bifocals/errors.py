"""Errors a user can hit: each says what was wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, which field, which value, and what to do."""

    source: str
    line: int | None
    field: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{where}: field '{self.field}' = {shown}: {self.message}"


class BifocalsError(Exception):
    """Base class for errors whose message is meant for the user."""


class ValidationError(BifocalsError):
    """An input failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], summary: str = "") -> None:
        self.problems = list(problems)
        head = summary or f"{len(self.problems)} problem(s) found"
        body = "\n".join(f"  - {p}" for p in self.problems[:200])
        more = len(self.problems) - 200
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{head}:\n{body}{tail}")
