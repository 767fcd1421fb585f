"""A change initiative as plain data: themes, people, duties, decision rights, effort, readiness.

Built by `change.loader` from a validated YAML document; every analysis in `change` takes these
frozen dataclasses and returns plain data. Ids are referenced across sections (a duty's owners
are person ids, a task's themes are theme ids); the loader checks every reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DutySide = Literal["leader", "manager"]
Status = Literal["not_started", "in_progress", "done"]
STATUSES: tuple[Status, ...] = ("not_started", "in_progress", "done")

ADKAR: tuple[str, ...] = ("awareness", "desire", "knowledge", "ability", "reinforcement")
ADKAR_LABELS: dict[str, str] = {e: e.capitalize() for e in ADKAR}

RACI_ROLES: tuple[str, ...] = ("responsible", "accountable", "consulted", "informed")
RAPID_ROLES: tuple[str, ...] = ("recommend", "agree", "perform", "input", "decide")
HEALTH_CORNERS: tuple[str, ...] = ("sponsorship", "project_management", "change_management")
DEFAULT_AREAS: tuple[str, ...] = ("process", "technology", "roles", "skills")

# Where the web readiness survey stands for this report (see
# services.change_records.get_initiative):
# none: no links issued and not closed (nothing to hold back); collecting: it takes answers, so
# its answers are left out; held: closed, its answers not shown yet (the web dashboard only);
# shown: closed, its answers are in. Only "shown" carries web answers.
WebSurvey = Literal["none", "collecting", "held", "shown"]


@dataclass(frozen=True)
class Theme:
    """A strategic theme; its weight says how much leaders point at it (weight > 0)."""

    id: str
    name: str
    weight: float
    description: str = ""


@dataclass(frozen=True)
class StakeholderGroup:
    """A group the change touches: its size and the impact (0 none .. 4 very high) per area."""

    id: str
    name: str
    size: int
    impact: dict[str, int] = field(default_factory=dict)

    @property
    def max_impact(self) -> int:
        """The highest impact over all areas (0 when none is given)."""
        return max(self.impact.values(), default=0)


@dataclass(frozen=True)
class Person:
    """Someone involved. manager: holds a management position. time_share: 0..1 on the change."""

    id: str
    name: str
    position: str
    time_share: float
    manager: bool = False


@dataclass(frozen=True)
class DutySpec:
    """One duty of the catalogue (change/data/duties.yaml)."""

    id: str
    side: DutySide
    name: str
    description: str


@dataclass(frozen=True)
class DutyAssignment:
    """Who holds a duty in this initiative, how far it is, and what shows it."""

    duty: str
    owners: tuple[str, ...]
    status: Status = "not_started"
    evidence: str = ""


@dataclass(frozen=True)
class Workstream:
    """A workstream with its RACI: role -> person ids."""

    id: str
    name: str
    raci: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """A key decision with its RAPID decision rights: role -> person ids."""

    id: str
    name: str
    rapid: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status: str = "open"


@dataclass(frozen=True)
class Task:
    """A piece of work with effort per period (aligned with Initiative.periods).

    themes maps theme id -> share (shares sum to 1); empty means untagged. auto=True means the
    wording is to be tagged by the text analyzer; `proposals` then holds its unconfirmed guesses.
    origin: "" for a task of the initiative's file; for an item brought by an effort import,
    the import's kind and file ("jira: jira.csv").
    """

    id: str
    name: str
    workstream: str
    effort: tuple[float, ...]
    themes: dict[str, float] = field(default_factory=dict)
    auto: bool = False
    origin: str = ""


@dataclass(frozen=True)
class ThemeProposal:
    """A theme proposed for a task by the text analyzer; unconfirmed until a person tags it."""

    task: str
    theme: str
    confidence: float
    confirmed: bool = False


# The kinds of effort import, as people call them.
EFFORT_KINDS: dict[str, str] = {
    "jira": "Jira export",
    "jira worklog": "Jira worklogs",
    "github": "GitHub issues",
    "timesheet": "timesheet",
}


@dataclass(frozen=True)
class EffortSource:
    """Where one period's effort comes from: the initiative's file (kind "file"), or an effort
    import (kind "jira", "jira worklog", "github", "timesheet") applied at `imported_at`.

    items and effort count what the import brought to the period (0 for the file)."""

    period: str
    kind: str = "file"
    source: str = ""
    imported_at: str = ""
    items: int = 0
    effort: float = 0.0

    @property
    def imported(self) -> bool:
        """True when the period's effort comes from an import, not from the file."""
        return self.kind != "file"

    def describe(self) -> str:
        """Where the effort comes from, in words ("the initiative's file", "Jira export
        jira.csv, imported 2026-10-02 14:00 UTC")."""
        if not self.imported:
            return "the initiative's file"
        at = self.imported_at[:16].replace("T", " ")
        when = f", imported {at} UTC" if at else ""
        return f"{EFFORT_KINDS.get(self.kind, self.kind)} {self.source}{when}"


@dataclass(frozen=True)
class AdkarResponse:
    """One respondent's ADKAR readiness answers (1-5; None = not answered), with an optional
    comment (web survey answers only; the report shows it only for groups shown on their own)."""

    group: str
    scores: dict[str, int | None]
    comment: str = ""


@dataclass(frozen=True)
class ResistanceEntry:
    """One row of the resistance log (columns after the field notes, section 4)."""

    group: str
    barrier_point: str | None
    observed: str
    root_cause: str
    response: str
    owner: str
    date: str
    success: str


@dataclass(frozen=True)
class KotterItem:
    """One of Kotter's eight accelerators as it stands in this initiative."""

    id: str
    status: Status = "not_started"
    evidence: str = ""


@dataclass(frozen=True)
class Initiative:
    """A change initiative: where leaders point, who does what, where effort goes, readiness."""

    name: str
    vision: str
    why_now: str
    themes: tuple[Theme, ...]
    periods: tuple[str, ...]
    stakeholder_groups: tuple[StakeholderGroup, ...] = ()
    people: tuple[Person, ...] = ()
    duties: tuple[DutyAssignment, ...] = ()
    workstreams: tuple[Workstream, ...] = ()
    decisions: tuple[Decision, ...] = ()
    tasks: tuple[Task, ...] = ()
    proposals: tuple[ThemeProposal, ...] = ()
    readiness: tuple[AdkarResponse, ...] = ()
    min_respondents: int = 3
    barrier_threshold: float = 3.0
    resistance: tuple[ResistanceEntry, ...] = ()
    kotter: tuple[KotterItem, ...] = ()
    health: dict[str, tuple[int, ...]] = field(default_factory=dict)
    areas: tuple[str, ...] = DEFAULT_AREAS
    web_survey: WebSurvey = "none"
    # Per period, where its effort comes from (empty: every period from the file); set by
    # change.effort_plan.overlay_effort when an effort import is applied.
    effort_sources: tuple[EffortSource, ...] = ()

    def effort_source(self, period: str) -> EffortSource:
        """Where the effort of `period` comes from (the file unless an import replaced it)."""
        for s in self.effort_sources:
            if s.period == period:
                return s
        return EffortSource(period)

    def person(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        for p in self.people:
            if p.id == person_id:
                return p
        return None

    def person_name(self, person_id: str) -> str:
        """Display name of a person id (the id itself when unknown)."""
        p = self.person(person_id)
        return p.name if p is not None else person_id

    def group_name(self, group_id: str) -> str:
        """Display name of a stakeholder group id (the id itself when unknown)."""
        for g in self.stakeholder_groups:
            if g.id == group_id:
                return g.name
        return group_id
