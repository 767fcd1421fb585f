"""Pulse checks: at a development plan's date, a short survey of only the plan's scales goes
to the same raters, under the same thresholds and anonymity rules, and the participant sees
the pulse against the full campaign.

A pulse is a campaign of its own (so every rule of campaigns holds for it: links, reminders,
thresholds, audit), marked in `pulse_campaigns` with its plan and full campaign:

- `start_due_pulses` (run by the schedule's tick) makes it on the plan's date: the full
  campaign's instrument, thresholds, reminder days and facilitators; one participant (the same
  code, name and e-mail); the same raters (codes, groups, names, e-mails, languages), no
  answers; open, with a deadline PULSE_OPEN_DAYS later, and its invitations queued. The
  campaign's unique name makes two instances that tick at once start it once.
- `pulse_items` is what its survey asks: the items of the plan's scales only.
- `release_closed_pulses` releases a pulse once its deadline has closed it: the participant
  owns their pulse, so nobody else has to release it.
- `pulse_view` is what the participant reads: the pulse's others' view against the full
  campaign's on the plan's scales (scoring.retest, so only cells shown in both count).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bifocals.errors import Conflict, NotFound
from bifocals.instruments.model import Instrument
from bifocals.scoring.retest import ScaleChange, compare_campaigns
from bifocals.services.accounts import write_audit
from bifocals.services.campaigns import ResultsRead, change_status
from bifocals.services.plans import Plan, own_plan
from bifocals.services.results import load_results
from bifocals.services.security import User, now
from bifocals.store import Store
from bifocals.store.app_tables import campaign_facilitators
from bifocals.store.plan_tables import development_plans, pulse_campaigns
from bifocals.store.tables import campaigns, participants, raters

PULSE_OPEN_DAYS = 14
# What a pulse copies from the full campaign, its participant and each of their raters.
_COPIED = (
    "instrument_id",
    "instrument_version",
    "instrument_yaml",
    "threshold_manager",
    "threshold_peer",
    "threshold_direct_report",
    "threshold_other",
    "threshold_pooled",
    "reminder_days",
)
_PERSON_COPIED = ("code", "name", "email", "language")
_RATER_COPIED = (*_PERSON_COPIED, "group")  # a rater is a person in a group


def _copied(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: getattr(row, c) for c in columns}


def pulse_name(campaign: str, code: str, day: object) -> str:
    """The pulse campaign's name: unique per plan and date, at most 200 characters."""
    tail = f" / {code} / {day}"
    return f"Pulse: {campaign[: 200 - 7 - len(tail)]}{tail}"


def start_due_pulses(store: Store, at: datetime | None = None) -> list[str]:
    """Start the pulse of every plan whose date has come (its campaign released); returns the
    names of the pulse campaigns made now."""
    stamp = at or now()
    with store.engine.connect() as conn:
        due = conn.execute(
            sa.select(development_plans.c.id)
            .join(participants, participants.c.id == development_plans.c.participant_id)
            .join(campaigns, campaigns.c.id == participants.c.campaign_id)
            .where(
                development_plans.c.pulse_campaign_id.is_(None),
                development_plans.c.pulse_on <= stamp.date(),
                campaigns.c.status == "released",
            )
            .order_by(development_plans.c.id)
        ).scalars()
        ids = [int(i) for i in due]
    started = []
    for plan_id in ids:
        name = _start(store, plan_id, stamp)
        if name is not None:
            started.append(name)
    return started


def _start(store: Store, plan_id: int, stamp: datetime) -> str | None:
    from bifocals.services.outbox import queue_rater_mail

    try:
        with store.engine.begin() as conn:
            plan = conn.execute(
                sa.select(development_plans).where(development_plans.c.id == plan_id)
            ).one()
            if plan.pulse_campaign_id is not None:
                return None
            person = conn.execute(
                sa.select(participants).where(participants.c.id == plan.participant_id)
            ).one()
            full = conn.execute(
                sa.select(campaigns).where(campaigns.c.id == person.campaign_id)
            ).one()
            name = pulse_name(str(full.name), str(person.code), plan.pulse_on)
            cid = conn.execute(
                sa.insert(campaigns)
                .values(
                    name=name,
                    status="open",
                    deadline=stamp + timedelta(days=PULSE_OPEN_DAYS),
                    comment_salt=secrets.token_hex(16),
                    created_at=stamp,
                    **_copied(full, _COPIED),
                )
                .returning(campaigns.c.id)
            ).scalar_one()
            pid = conn.execute(
                sa.insert(participants)
                .values(campaign_id=cid, **_copied(person, _PERSON_COPIED))
                .returning(participants.c.id)
            ).scalar_one()
            kept = conn.execute(
                sa.select(raters).where(raters.c.participant_id == person.id).order_by(raters.c.id)
            ).all()
            rater_ids = [
                int(
                    conn.execute(
                        sa.insert(raters)
                        .values(campaign_id=cid, participant_id=pid, **_copied(r, _RATER_COPIED))
                        .returning(raters.c.id)
                    ).scalar_one()
                )
                for r in kept
            ]
            for uid in conn.execute(
                sa.select(campaign_facilitators.c.user_id).where(
                    campaign_facilitators.c.campaign_id == full.id
                )
            ).scalars():
                conn.execute(sa.insert(campaign_facilitators).values(campaign_id=cid, user_id=uid))
            conn.execute(
                sa.insert(pulse_campaigns).values(
                    campaign_id=cid, plan_id=plan_id, full_campaign_id=full.id
                )
            )
            claimed = conn.execute(
                sa.update(development_plans)
                .where(
                    development_plans.c.id == plan_id,
                    development_plans.c.pulse_campaign_id.is_(None),
                )
                .values(pulse_campaign_id=cid)
            ).rowcount
            if claimed != 1:
                raise _Taken
            with_address = [i for i, r in zip(rater_ids, kept, strict=True) if r.email]
            queue_rater_mail(conn, None, cid, with_address, "invitation")
            write_audit(
                conn,
                None,
                "pulse.start",
                f"campaign:{name}",
                f"plan of {person.code} in {full.name}: {len(rater_ids)} raters",
                cid,
                actor="scheduler",
            )
    except (_Taken, IntegrityError):
        return None  # another instance started this pulse at the same moment
    return name


class _Taken(Exception):
    """The plan's pulse was claimed by another transaction."""


def pulse_items(conn: sa.Connection, campaign_id: int) -> frozenset[str] | None:
    """The item ids a pulse campaign asks (those of its plan's scales); None for a campaign that
    is not a pulse (it asks every item)."""
    from bifocals.services.plans import plan_instrument

    row = conn.execute(
        sa.select(
            development_plans.c.scales, campaigns.c.instrument_id, campaigns.c.instrument_yaml
        )
        .select_from(pulse_campaigns)
        .join(development_plans, development_plans.c.id == pulse_campaigns.c.plan_id)
        .join(campaigns, campaigns.c.id == pulse_campaigns.c.campaign_id)
        .where(pulse_campaigns.c.campaign_id == campaign_id)
    ).first()
    if row is None:
        return None
    return scale_items(plan_instrument(row), row.scales or ())


def scale_items(instrument: Instrument, scales: Iterable[str]) -> frozenset[str]:
    """The ids of `instrument`'s items on `scales` ("dimension.side"): what a pulse asks."""
    wanted = set(scales)
    return frozenset(i.id for i in instrument.items if f"{i.dimension}.{i.side}" in wanted)


def pulse_subset(instrument: Instrument, items: frozenset[str] | None) -> Instrument:
    """What a pulse's raters are asked: `instrument` with only `items` and no open questions
    (None: the whole instrument, for a campaign that is not a pulse). Take the subset after
    translating, since a translation is checked against the whole instrument."""
    if items is None:
        return instrument
    kept = tuple(i for i in instrument.items if i.id in items)
    return replace(instrument, items=kept, open_questions=())


def asked_instrument(
    conn: sa.Connection, campaign_id: int, instrument_id: str, snapshot: str | None
) -> Instrument:
    """What the campaign's raters are asked (for the time a questionnaire takes, in mail)."""
    from bifocals.instruments.catalogue import campaign_instrument

    return pulse_subset(
        campaign_instrument(instrument_id, snapshot), pulse_items(conn, campaign_id)
    )


def release_closed_pulses(store: Store) -> list[str]:
    """Release every pulse campaign its deadline has closed; returns their names."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(campaigns.c.id, campaigns.c.name)
            .join(pulse_campaigns, pulse_campaigns.c.campaign_id == campaigns.c.id)
            .where(campaigns.c.status == "closed")
        ).all()
    done = []
    for r in rows:
        try:
            change_status(store, None, int(r.id), "release", actor="scheduler")
        except Conflict:  # another instance released it first
            continue
        done.append(str(r.name))
    return done


@dataclass(frozen=True)
class PulseView:
    """What the participant reads about their pulse check."""

    name: str
    status: str
    deadline: datetime | None
    answered: int
    raters: int
    changes: tuple[ScaleChange, ...] | None  # once released: others' view, plan scales only


def pulse_view(store: Store, user: User) -> PulseView | None:
    """The participant user's pulse check (None before it starts)."""
    plan = own_plan(store, user)
    if plan is None or plan.pulse_campaign_id is None:
        return None
    return _view(store, user, plan)


def _view(store: Store, user: User, plan: Plan) -> PulseView:
    cid = plan.pulse_campaign_id
    assert cid is not None
    with store.engine.connect() as conn:
        camp = conn.execute(sa.select(campaigns).where(campaigns.c.id == cid)).first()
        if camp is None:
            raise NotFound("the pulse check was deleted", "campaign_id")
        counts: Any = conn.execute(
            sa.select(
                sa.func.count(raters.c.id),
                sa.func.count(raters.c.submitted_at),
            ).where(raters.c.campaign_id == cid, raters.c.group != "self")
        ).one()
    changes = None
    if camp.status == "released":
        read = ResultsRead(user, "report.view", f"participant:{plan.code}", "pulse")
        pulse = load_results(store, cid, read)
        full = load_results(
            store, plan.campaign_id, ResultsRead(user, "report.view", f"participant:{plan.code}")
        )
        found = compare_campaigns(pulse.scores, full.scores).get(plan.code, ())
        keys = set(plan.scales)
        changes = tuple(
            c for c in found if c.group == "others" and f"{c.dimension}.{c.side}" in keys
        )
    return PulseView(
        str(camp.name), str(camp.status), camp.deadline, int(counts[1]), int(counts[0]), changes
    )
