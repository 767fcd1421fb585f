"""Pydantic models of the JSON API (/api/v1): every request and response body."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

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
    """Create a draft campaign."""

    name: str = Field(min_length=1, max_length=200)
    instrument_id: str = Field(default="bifocals_open_360", min_length=1, max_length=100)
    thresholds: ThresholdsModel = Field(default_factory=ThresholdsModel)
    deadline: datetime | None = None
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
