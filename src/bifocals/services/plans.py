"""Development plans, for every door: after release a participant picks up to three scales,
writes actions, the support wanted and a date, and chooses whom to share the plan with.

- Only the participant writes their plan, and only once their campaign is released.
- Sharing is the participant's choice and can change at any time: with their coach (the
  campaign's facilitators and admins read it on the campaign's pages) and with their manager
  (a private read-only link the participant hands over; unsharing revokes every such link).
- At the plan's date the pulse check starts (services.pulse): the scales and the date are
  fixed from then on; the texts and the sharing stay the participant's to change.

Nothing in a plan is shown to raters, and a plan never holds a rater's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bifocals.errors import Conflict, Forbidden, NotFound, Problem, ValidationError
from bifocals.instruments.catalogue import campaign_instrument
from bifocals.instruments.model import Instrument
from bifocals.locale import N_, gettext_for
from bifocals.services.access import can_manage
from bifocals.services.accounts import write_audit
from bifocals.services.security import User, now
from bifocals.services.token_links import LinkKind, LinkStatus, issue, lookup
from bifocals.store import Store
from bifocals.store.plan_tables import MAX_PLAN_SCALES, development_plans, plan_links
from bifocals.store.tables import campaigns, participants

_SAVED_ELSEWHERE = (
    "the plan changed while you were editing it (another window, or its pulse check started); "
    "reload the page and save again"
)
MAX_ACTIONS = 4000
MAX_SUPPORT = 2000
PULSE_MIN_DAYS = 7  # the earliest pulse: a week after the plan is written
PULSE_MAX_DAYS = 730
PLAN_LINK_DAYS = 180

# What the checks below say, in English, marked for the catalogues: the plan page shows them in
# the participant's language through `plan_message`. Placeholders take MESSAGE_VALUES.
NOT_A_SCALE = N_("not a scale of this questionnaire; choose from the list")
NO_SCALE = N_("choose at least one scale to work on")
TOO_MANY_SCALES = N_("choose at most %(max_scales)s scales: focus helps")
NO_ACTION = N_("write at least one action you will take")
ACTIONS_TOO_LONG = N_("keep the actions under %(max_actions)s characters")
SUPPORT_TOO_LONG = N_("keep the support wanted under %(max_support)s characters")
BAD_DATE = N_("write the date of the pulse check as YYYY-MM-DD")
TOO_SOON = N_("choose a date at least %(min_days)s days from today")
TOO_LATE = N_("choose a date within two years")
NOT_RELEASED = N_("your report is not released yet; write your plan after reading it")
PULSE_FIXED = N_(
    "the pulse check has started: its scales and date stay as they are; "
    "you can still change the actions, the support and the sharing"
)
NO_PLAN = N_("write your plan first")
NOT_SHARED = N_("share the plan with your manager first")
PLAN_MESSAGES = (
    NOT_A_SCALE,
    NO_SCALE,
    TOO_MANY_SCALES,
    NO_ACTION,
    ACTIONS_TOO_LONG,
    SUPPORT_TOO_LONG,
    BAD_DATE,
    TOO_SOON,
    TOO_LATE,
    NOT_RELEASED,
    PULSE_FIXED,
    NO_PLAN,
    NOT_SHARED,
)
MESSAGE_VALUES = {
    "max_scales": MAX_PLAN_SCALES,
    "max_actions": MAX_ACTIONS,
    "max_support": MAX_SUPPORT,
    "min_days": PULSE_MIN_DAYS,
}


def plan_message(message: str, language: str | None) -> str:
    """A message of the plan's checks in `language`; any other message as it is."""
    for msgid in PLAN_MESSAGES:
        if msgid % MESSAGE_VALUES == message:
            return gettext_for(language)(msgid) % MESSAGE_VALUES
    return message


@dataclass(frozen=True)
class PlanInput:
    """What a participant writes (validated by `parse_plan`)."""

    scales: tuple[str, ...]  # dimension.side
    actions: str
    support: str
    pulse_on: date
    share_coach: bool
    share_manager: bool


@dataclass(frozen=True)
class Plan:
    """A stored plan, with its campaign and participant."""

    id: int
    participant_id: int
    code: str
    name: str | None
    campaign_id: int
    campaign: str
    scales: tuple[str, ...]
    actions: str
    support: str
    pulse_on: date
    share_coach: bool
    share_manager: bool
    updated_at: datetime
    pulse_campaign_id: int | None

    @property
    def pulse_started(self) -> bool:
        """True once the pulse campaign exists (scales and date are fixed then)."""
        return self.pulse_campaign_id is not None


def scale_choices(instrument: Instrument) -> list[tuple[str, str, str]]:
    """(key, dimension, side) of every scale of the instrument, in item order."""
    seen: dict[str, tuple[str, str, str]] = {}
    for item in instrument.items:
        key = f"{item.dimension}.{item.side}"
        seen.setdefault(key, (key, item.dimension, item.side))
    return list(seen.values())


def parse_plan(form: Mapping[str, Any], instrument: Instrument, today: date) -> PlanInput:
    """A plan from form fields (scales: a list; actions, support, pulse_on: text; share_coach,
    share_manager: present or "1" for yes); every problem names its field and value."""
    problems: list[Problem] = []

    def bad(field: str, value: object, message: str) -> None:
        problems.append(Problem("plan", None, field, value, message))

    raw_scales = form.get("scales") or []
    if isinstance(raw_scales, str):
        raw_scales = [raw_scales]
    known = {key for key, _, _ in scale_choices(instrument)}
    scales = tuple(dict.fromkeys(str(s).strip() for s in raw_scales if str(s).strip()))
    for s in scales:
        if s not in known:
            bad("scales", s, NOT_A_SCALE)
    if not scales:
        bad("scales", "", NO_SCALE)
    elif len(scales) > MAX_PLAN_SCALES:
        bad("scales", len(scales), TOO_MANY_SCALES % MESSAGE_VALUES)
    actions = str(form.get("actions") or "").strip()
    if not actions:
        bad("actions", "", NO_ACTION)
    elif len(actions) > MAX_ACTIONS:
        bad("actions", len(actions), ACTIONS_TOO_LONG % MESSAGE_VALUES)
    support = str(form.get("support") or "").strip()
    if len(support) > MAX_SUPPORT:
        bad("support", len(support), SUPPORT_TOO_LONG % MESSAGE_VALUES)
    text = str(form.get("pulse_on") or "").strip()
    pulse_on = today + timedelta(days=90)
    try:
        pulse_on = date.fromisoformat(text)
    except ValueError:
        bad("pulse_on", text, BAD_DATE)
    else:
        if pulse_on < today + timedelta(days=PULSE_MIN_DAYS):
            bad("pulse_on", text, TOO_SOON % MESSAGE_VALUES)
        elif pulse_on > today + timedelta(days=PULSE_MAX_DAYS):
            bad("pulse_on", text, TOO_LATE)
    if problems:
        raise ValidationError(problems, "the plan was not saved")
    return PlanInput(
        scales, actions, support, pulse_on, _yes(form, "share_coach"), _yes(form, "share_manager")
    )


def _yes(form: Mapping[str, Any], key: str) -> bool:
    return str(form.get(key) or "").strip().lower() in ("1", "on", "yes", "true")


def _plan_query() -> sa.Select[Any]:
    return sa.select(
        development_plans,
        participants.c.code,
        participants.c.name,
        participants.c.campaign_id,
        campaigns.c.name.label("campaign"),
    ).select_from(
        development_plans.join(
            participants, participants.c.id == development_plans.c.participant_id
        ).join(campaigns, campaigns.c.id == participants.c.campaign_id)
    )


def _plan(row: Any) -> Plan:
    return Plan(
        id=int(row.id),
        participant_id=int(row.participant_id),
        code=str(row.code),
        name=row.name,
        campaign_id=int(row.campaign_id),
        campaign=str(row.campaign),
        scales=tuple(row.scales or ()),
        actions=str(row.actions),
        support=str(row.support or ""),
        pulse_on=row.pulse_on,
        share_coach=bool(row.share_coach),
        share_manager=bool(row.share_manager),
        updated_at=row.updated_at,
        pulse_campaign_id=None if row.pulse_campaign_id is None else int(row.pulse_campaign_id),
    )


def participant_campaign(conn: sa.Connection, user: User) -> Any:
    """The participant user's campaign row joined with their participant row (Forbidden for
    another role, NotFound when the account has no participant)."""
    if user.role != "participant":
        raise Forbidden("only the participant writes their development plan")
    if user.participant_id is None:
        raise NotFound("this account has no 360 report", "participant")
    row = conn.execute(
        sa.select(
            campaigns,
            participants.c.id.label("participant_id"),
            participants.c.code,
        )
        .join(participants, participants.c.campaign_id == campaigns.c.id)
        .where(participants.c.id == user.participant_id)
    ).first()
    if row is None:
        raise NotFound("this account has no 360 report", "participant")
    return row


def plan_instrument(row: Any) -> Instrument:
    """The campaign's instrument (its stored copy when it has one)."""
    return campaign_instrument(str(row.instrument_id), row.instrument_yaml)


def own_plan(store: Store, user: User) -> Plan | None:
    """The participant user's plan, or None when they have not written one."""
    with store.engine.connect() as conn:
        participant_campaign(conn, user)
        row = conn.execute(
            _plan_query().where(development_plans.c.participant_id == user.participant_id)
        ).first()
    return None if row is None else _plan(row)


def save_plan(store: Store, user: User, data: PlanInput) -> Plan:
    """Write or update the participant user's plan (released campaigns only); audited.

    Once the pulse check has started, the scales and the date stay as they were. Turning
    manager sharing off revokes every read link handed out."""
    stamp = now()
    with store.engine.begin() as conn:
        camp = participant_campaign(conn, user)
        if camp.status != "released":
            raise Conflict(NOT_RELEASED)
        old = conn.execute(
            sa.select(development_plans).where(
                development_plans.c.participant_id == camp.participant_id
            )
        ).first()
        values: dict[str, Any] = {
            "scales": list(data.scales),
            "actions": data.actions,
            "support": data.support,
            "pulse_on": data.pulse_on,
            "share_coach": data.share_coach,
            "share_manager": data.share_manager,
            "updated_at": stamp,
        }
        if old is None:
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(development_plans).values(
                            participant_id=camp.participant_id, created_at=stamp, **values
                        )
                    )
            except IntegrityError as exc:  # a first save from another window at that moment
                raise Conflict(_SAVED_ELSEWHERE) from exc
        else:
            if old.pulse_campaign_id is not None and (
                tuple(old.scales) != data.scales or old.pulse_on != data.pulse_on
            ):
                raise Conflict(PULSE_FIXED, "scales")
            # Guarded: if the pulse started since `old` was read, its scales and date must stay.
            guard = development_plans.c.pulse_campaign_id.is_(None)
            fixed = old.pulse_campaign_id is not None
            done = conn.execute(
                sa.update(development_plans)
                .where(development_plans.c.id == old.id, sa.true() if fixed else guard)
                .values(**values)
            ).rowcount
            if not done:
                raise Conflict(_SAVED_ELSEWHERE, "scales")
            if old.share_manager and not data.share_manager:
                _revoke_links(conn, int(old.id))
        share = ",".join(
            w for w, on in (("coach", data.share_coach), ("manager", data.share_manager)) if on
        )
        write_audit(
            conn,
            user,
            "plan.save",
            f"participant:{camp.code}",
            f"{len(data.scales)} scales, pulse {data.pulse_on}, shared: {share or 'nobody'}",
            int(camp.id),
        )
    plan = own_plan(store, user)
    assert plan is not None
    return plan


def _revoke_links(conn: sa.Connection, plan_id: int) -> None:
    conn.execute(
        sa.update(plan_links)
        .where(plan_links.c.plan_id == plan_id, plan_links.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def manager_link(store: Store, user: User) -> str:
    """A new private read-only link to the participant user's plan (older ones revoked); the
    raw token is returned once. Needs the plan shared with the manager."""
    with store.engine.begin() as conn:
        camp = participant_campaign(conn, user)
        row = conn.execute(
            sa.select(development_plans).where(
                development_plans.c.participant_id == camp.participant_id
            )
        ).first()
        if row is None:
            raise Conflict(NO_PLAN)
        if not row.share_manager:
            raise Conflict(NOT_SHARED, "share_manager")
        token = issue(conn, LinkKind.PLAN, int(row.id), PLAN_LINK_DAYS)
        write_audit(conn, user, "plan.link", f"participant:{camp.code}", "", int(camp.id))
    return token


def plan_by_link(store: Store, token: str) -> tuple[LinkStatus, Plan | None]:
    """What a manager's link shows: the plan while it is shared and the link is live."""
    with store.engine.connect() as conn:
        found = lookup(conn, LinkKind.PLAN, token)
        if not found.valid:
            return found.status, None
        row = conn.execute(_plan_query().where(development_plans.c.id == found.row.plan_id)).first()
    return (LinkStatus.VALID, _plan(row)) if row is not None else (LinkStatus.UNKNOWN, None)


def shared_plans(store: Store, user: User, campaign_id: int) -> list[Plan]:
    """The plans of a campaign that their participants share with their coach, for an admin or
    a facilitator of the campaign (NotFound otherwise, as for the campaign itself)."""
    with store.engine.connect() as conn:
        if not can_manage(conn, user, campaign_id):
            raise NotFound("no such campaign", "campaign_id")
        rows = conn.execute(
            _plan_query()
            .where(participants.c.campaign_id == campaign_id, development_plans.c.share_coach)
            .order_by(participants.c.code)
        ).all()
    return [_plan(r) for r in rows]
