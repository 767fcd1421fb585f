"""Response progress of a campaign: rates per participant and per group, the non-responders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bifocals.scoring.model import GROUPS
from bifocals.services.rater_rows import rater_rows
from bifocals.services.security import utc
from bifocals.store.app_tables import invitations
from bifocals.store.tables import participants, raters


@dataclass(frozen=True)
class Rate:
    """Answered out of invited."""

    label: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Whole percent answered (0 when nobody is invited)."""
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Pending:
    """A rater who has not answered, and where their invitation stands."""

    rater_id: int
    participant_id: int
    participant: str
    name: str | None
    email: str | None
    group: str
    link: str  # none, issued, sent, opened
    last_sent: datetime | None


@dataclass(frozen=True)
class Progress:
    """The dashboard's numbers."""

    overall: Rate
    by_group: list[Rate]
    by_participant: list[tuple[int, Rate, list[Rate]]]
    pending: list[Pending]


def campaign_progress(conn: sa.Connection, campaign_id: int) -> Progress:
    """Count invited and answered raters of a campaign."""
    live = (
        sa.select(
            invitations.c.rater_id,
            sa.func.max(invitations.c.sent_at).label("sent"),
            sa.func.max(invitations.c.opened_at).label("opened"),
        )
        .where(invitations.c.revoked_at.is_(None))
        .group_by(invitations.c.rater_id)
        .subquery()
    )
    rows = conn.execute(
        rater_rows(live.c.rater_id.label("invited"), live.c.sent, live.c.opened)
        .outerjoin(live, live.c.rater_id == raters.c.id)
        .where(raters.c.campaign_id == campaign_id)
        .order_by(participants.c.code, raters.c.group, raters.c.name, raters.c.id)
    ).all()
    group_counts: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
    people: dict[int, dict[str, object]] = {}
    pending: list[Pending] = []
    for r in rows:
        done = r.submitted_at is not None
        group_counts[r.group][0] += int(done)
        group_counts[r.group][1] += 1
        person = people.setdefault(
            r.participant_id,
            {"label": f"{r.pcode} {r.pname or ''}".strip(), "groups": {}},
        )
        groups: dict[str, list[int]] = person["groups"]  # type: ignore[assignment]
        cell = groups.setdefault(r.group, [0, 0])
        cell[0] += int(done)
        cell[1] += 1
        if not done:
            link = "opened" if r.opened else "sent" if r.sent else "issued" if r.invited else "none"
            pending.append(
                Pending(
                    r.id,
                    r.participant_id,
                    str(person["label"]),
                    r.name,
                    r.email,
                    r.group,
                    link,
                    utc(r.sent),
                )
            )
    by_group = [Rate(g, d, t) for g, (d, t) in group_counts.items() if t]
    by_participant = []
    for pid, person in people.items():
        groups = person["groups"]  # type: ignore[assignment]
        rates = [Rate(g, groups[g][0], groups[g][1]) for g in GROUPS if g in groups]
        total = Rate(str(person["label"]), sum(x.done for x in rates), sum(x.total for x in rates))
        by_participant.append((pid, total, rates))
    overall = Rate("all", sum(x.done for x in by_group), sum(x.total for x in by_group))
    return Progress(overall, by_group, by_participant, pending)
