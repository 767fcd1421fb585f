"""Pydantic models of the JSON API (/api/v1): every request and response body; and request
validation problems in words (which field, what was received, what to do), for the API and
the HTML pages alike.

FastAPI raises RequestValidationError when a path, query or body does not match its model.
`problems(exc)` turns each pydantic error into a FieldProblem: the location (`body.deadline`,
`body[0].code`, `query.limit`, `path.campaign_id`), the value received as JSON text cut to
VALUE_MAX characters (never the value of a password, token or other secret), and a message
that says what to send instead. The API answers them inside its usual error shape
(`{"detail": {"field", "message", "problems": [...]}}`); HTML pages list them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, field_validator

from bifocals.scoring.model import THRESHOLD_MAX, THRESHOLD_MIN

Group = Literal["manager", "peer", "direct_report", "other"]


class Problem(BaseModel):
    """An error: which field (or null) and what to do."""

    field: str | None
    message: str


class ProblemBody(BaseModel):
    """The body of every error response."""

    detail: Problem


class FieldProblem(BaseModel):
    """One part of a request that does not match its model."""

    field: str = Field(description="where: body.deadline, body[0].code, query.limit, path.id")
    value: str | None = Field(
        description="the value received as JSON text, cut to 80 characters; null when the "
        'field is missing; "(hidden)" for passwords, tokens and other secrets'
    )
    message: str = Field(description="what to send instead")


class ValidationProblem(Problem):
    """A request that does not match its model: the first problem's field, and all of them."""

    problems: list[FieldProblem]


class ValidationProblemBody(BaseModel):
    """The body of a 422 response: the shape of every other error, with the list of problems."""

    detail: ValidationProblem


class ThresholdsModel(BaseModel):
    """Minimum raters before a group is shown (pooled: the pool of small groups)."""

    manager: int = Field(default=1, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    peer: int = Field(default=3, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    direct_report: int = Field(default=3, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    other: int = Field(default=3, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    pooled: int = Field(default=3, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)


class ThresholdsChangeIn(BaseModel):
    """Change some thresholds (groups left out keep theirs). Refused once results were seen;
    below 3 (manager excepted) needs an admin and a reason."""

    manager: int | None = Field(default=None, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    peer: int | None = Field(default=None, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    direct_report: int | None = Field(default=None, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    other: int | None = Field(default=None, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    pooled: int | None = Field(default=None, ge=THRESHOLD_MIN, le=THRESHOLD_MAX)
    reason: str = Field(default="", max_length=500)


class CampaignOut(BaseModel):
    """A campaign as listed."""

    id: int
    name: str
    status: str
    instrument_id: str
    deadline: datetime | None
    thresholds: ThresholdsModel


class CampaignIn(BaseModel):
    """Create a draft campaign. A `deadline` given as a date (2027-03-31) is the end of that
    day in UTC, as on the web and the command line; a date-time is taken as given."""

    name: str = Field(min_length=1, max_length=200)
    instrument_id: str = Field(default="bifocals_open_360", min_length=1, max_length=100)
    thresholds: ThresholdsModel = Field(default_factory=ThresholdsModel)
    deadline: datetime | None = None

    @field_validator("deadline", mode="before")
    @classmethod
    def _day_ends_at_midnight(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return value.strip() + "T23:59:59+00:00"
        return value

    reason: str = Field(default="", max_length=500)


class ParticipantIn(BaseModel):
    """One participant to add."""

    code: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)


class ParticipantOut(BaseModel):
    """A participant with answered/invited counts (never who answered what)."""

    id: int
    code: str
    name: str | None
    answered: int
    invited: int


class RaterIn(BaseModel):
    """One rater of a participant."""

    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    group: Group


class CreatedIds(BaseModel):
    """Ids of what was created."""

    ids: list[int]


class ProgressGroup(BaseModel):
    """Answered of invited in one group."""

    group: str
    answered: int
    invited: int


class ProgressOut(BaseModel):
    """Response counts of a campaign."""

    answered: int
    invited: int
    by_group: list[ProgressGroup]
    participants: list[ParticipantOut]


class StatusOut(BaseModel):
    """A campaign's status after an action."""

    id: int
    status: str


class ScoresOut(BaseModel):
    """Scores of a closed campaign: thresholded aggregates only (see docs/scoring.md)."""

    campaign: str
    data: dict[str, Any]


class ReportOut(BaseModel):
    """One participant's scores (the content of their report)."""

    campaign: str
    participant: str
    data: dict[str, Any]


VALUE_MAX = 80
HIDDEN = "(hidden)"
# Field names whose values are never echoed back: a name ending in one of these words...
SECRET_NAME = re.compile(
    r"(^|_)(pass|password|passwd|passphrase|token|secret|authorization|cookie|key)$", re.I
)
# ...and the password fields of /account/password.
SECRET_FIELDS = frozenset({"current", "new"})
DATETIME_HINT = "send an ISO 8601 date and time with a time zone, e.g. 2027-03-31T17:00:00Z"

_MESSAGES: dict[str, str] = {
    "missing": "this field is required; send it",
    "int_parsing": "send a whole number",
    "int_type": "send a whole number",
    "int_from_float": "send a whole number (no decimals)",
    "float_parsing": "send a number",
    "float_type": "send a number",
    "bool_parsing": "send true or false",
    "bool_type": "send true or false",
    "string_type": "send text (a JSON string)",
    "string_too_short": "send at least {min_length} characters",
    "string_too_long": "send at most {max_length} characters",
    "too_short": "send at least {min_length} items",
    "too_long": "send at most {max_length} items",
    "greater_than_equal": "send a number of at least {ge}",
    "greater_than": "send a number greater than {gt}",
    "less_than_equal": "send a number of at most {le}",
    "less_than": "send a number less than {lt}",
    "literal_error": "send one of {expected}",
    "enum": "send one of {expected}",
    "list_type": "send a JSON list (an array)",
    "dict_type": "send a JSON object",
    "model_type": "send a JSON object",
    "model_attributes_type": "send a JSON object",
    "json_invalid": "the body is not valid JSON ({error}); send valid JSON",
    "json_type": "send valid JSON",
    "datetime_parsing": DATETIME_HINT,
    "datetime_type": DATETIME_HINT,
    "datetime_from_date_parsing": DATETIME_HINT,
    "timezone_aware": "add a time zone to the date and time, e.g. 2027-03-31T17:00:00Z or +02:00",
    "extra_forbidden": "this field is not accepted here; leave it out",
}


def field_name(loc: Sequence[int | str]) -> str:
    """A location as people write it: ("body", 0, "code") -> "body[0].code"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "request"


def _is_secret(name: object) -> bool:
    return isinstance(name, str) and (name in SECRET_FIELDS or SECRET_NAME.search(name) is not None)


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: HIDDEN if _is_secret(k) else _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def shown_value(loc: Sequence[int | str], value: Any, kind: str) -> str | None:
    """The value received as JSON text, cut to VALUE_MAX characters; None when absent.

    Secrets (a field named like a password or token anywhere in loc, or such keys inside an
    object) are replaced by "(hidden)".
    """
    if kind == "missing":
        return None
    if any(_is_secret(p) for p in loc):
        return HIDDEN
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = json.dumps(_redacted(value), ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 3] + "..."


def message_for(error: dict[str, Any]) -> str:
    """What to do about one pydantic error, in words."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    template = _MESSAGES.get(kind)
    if template is not None:
        try:
            text = template.format(**ctx)
            # "at least 1 characters" -> "at least 1 character"
            return re.sub(r"\b1 (character|item)s\b", r"1 \1", text)
        except (KeyError, IndexError):
            pass
    msg = str(error.get("msg", "")).removeprefix("Value error, ").rstrip(".")
    return f"{msg[:1].lower()}{msg[1:]}; correct this value" if msg else "correct this value"


def problems(exc: RequestValidationError) -> list[FieldProblem]:
    """Every problem of the request, in the order pydantic found them."""
    out = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        kind = str(error.get("type", ""))
        out.append(
            FieldProblem(
                field=field_name(loc),
                value=shown_value(loc, error.get("input"), kind),
                message=message_for(error),
            )
        )
    return out


def summary(found: list[FieldProblem]) -> ValidationProblem:
    """The API error body's detail: the first problem's field, a sentence, and all problems."""
    if not found:
        return ValidationProblem(field=None, message="the request is not valid", problems=[])
    first = found[0]
    count = "1 problem" if len(found) == 1 else f"{len(found)} problems"
    return ValidationProblem(
        field=first.field,
        message=f"{count} in the request; first: {first.field}: {first.message}",
        problems=found,
    )


def as_text(found: list[FieldProblem]) -> str:
    """Problems for an HTML page: "field=value: message; ..."."""
    return "; ".join(
        f"{p.field}: {p.message}" if p.value is None else f"{p.field}={p.value}: {p.message}"
        for p in found
    )


class RosterRowIn(BaseModel):
    """One roster line: a rater of a participant (rater fields empty: the participant only)."""

    participant: str = Field(min_length=1, max_length=200)
    participant_name: str = Field(default="", max_length=200)
    participant_email: str = Field(default="", max_length=320)
    rater_name: str = Field(default="", max_length=200)
    rater_email: str = Field(default="", max_length=320)
    group: Literal["", "manager", "peer", "direct_report", "other"] = ""


class RosterIn(BaseModel):
    """A whole roster (see docs/web.md, "Roster"); problems name `body.rows` and the row's
    index. `sync` removes people absent from it; `remove_answered` confirms removing those who
    answered (refused once results were seen); `dry_run` changes nothing."""

    rows: list[RosterRowIn] = Field(min_length=1, max_length=20_000)
    sync: bool = False
    remove_answered: bool = False
    dry_run: bool = False


class RosterOut(BaseModel):
    """What the roster changed (or would change, for a dry run)."""

    participants_added: int
    participants_updated: int
    participants_removed: int
    raters_added: int
    raters_updated: int
    raters_removed: int
    answers_removed: int
    changes: list[str]
    ignored_columns: list[str] = Field(default_factory=list, description="columns left out")
    dry_run: bool


class PersonPatch(BaseModel):
    """A participant's corrected name or e-mail (a new e-mail ends the old links); the fields
    sent change, the others stay."""

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)


class RaterPatch(BaseModel):
    """A rater's corrected name, e-mail or group: the fields sent change, the others stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    group: Group | None = None


class ChangedOut(BaseModel):
    """The fields a correction changed (empty: nothing to change)."""

    changed: list[str]


class LinksIn(BaseModel):
    """Issue links for raters without an answer and without a live link (`reissue`: for every
    rater without an answer, replacing their links)."""

    reissue: bool = False
    days: int = Field(default=30, ge=1, le=365)


class LinkRow(BaseModel):
    """One line of the mail-merge sheet."""

    participant: str
    participant_name: str
    rater_name: str
    rater_email: str
    group: str
    url: str


class LinksOut(BaseModel):
    """The links issued now (shown only here), and how many raters were left out."""

    rows: list[LinkRow]
    kept: int = Field(description="raters whose live link was left as it is")
    answered: int = Field(description="raters who have answered")


class ScheduleIn(BaseModel):
    """Reminder rounds in days before the deadline, and what the deadline does."""

    reminder_days: list[int] = Field(default_factory=list, max_length=5)
    close_mode: Literal["auto", "manual"] = "auto"


class ScheduleOut(BaseModel):
    """The schedule in force."""

    reminder_days: list[int]
    close_mode: str


class AtRiskOut(BaseModel):
    """A group that would not be shown on its own if the campaign closed now."""

    participant_id: int
    group: str
    counted: int
    invited: int
    threshold: int
    fate: Literal["pooled", "dropped"]
    more_needed: int
    reachable: bool


API_ERRORS: dict[int | str, dict[str, Any]] = {
    **{code: {"model": ProblemBody} for code in (400, 401, 403, 404, 409)},
    422: {
        "model": ValidationProblemBody,
        "description": "The request does not match its model: every problem with its field "
        "(body.x, query.x, path.x), the value received and what to send instead",
    },
}
