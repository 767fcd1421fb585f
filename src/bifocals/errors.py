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


class Refusal(Exception):
    """What the typed errors share: a message, the HTTP status of their class, and `field`,
    the input the message is about (None: the request as a whole). The web maps each class to
    its status and the API puts `field` in its problem body."""

    status = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class OperationError(Refusal, BifocalsError):
    """A refused operation: what was asked cannot be done as asked."""

    status = 409


class Conflict(OperationError):
    """The request is valid but the current state refuses it (HTTP 409)."""

    status = 409


class Invalid(OperationError):
    """A single value is out of bounds or malformed (HTTP 400)."""

    status = 400


class AccessError(Refusal):
    """The user may not reach this. Deliberately not a BifocalsError: a form that catches
    BifocalsError to show its message again must never turn "no such campaign" into a flash
    that confirms the campaign exists; these always reach the app's one handler."""

    status = 403


class NotFound(AccessError):
    """The thing does not exist, or the user may not know that it exists (HTTP 404)."""

    status = 404


class Forbidden(AccessError):
    """The user is known but may not do this (HTTP 403)."""

    status = 403


# What a door catches to show a user-facing message (the CLI's printer, the app's handler).
UserFacing = (BifocalsError, AccessError)


def http_status(exc: Exception) -> int:
    """The HTTP status of a user-facing error (plain BifocalsError: 409, ValidationError: 400)."""
    if isinstance(exc, Refusal):
        return exc.status
    if isinstance(exc, ValidationError):
        return 400
    return 409


def error_field(exc: Exception) -> str | None:
    """The field an error is about, when it names one."""
    if isinstance(exc, Refusal):
        return exc.field
    if isinstance(exc, ValidationError) and exc.problems:
        return exc.problems[0].field
    return None
