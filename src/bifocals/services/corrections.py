"""Corrections to a campaign's people: edit or remove a rater or a participant.

The rules, shared with the roster import (services.roster):

- people change only while the campaign is a draft or open;
- a self rater follows its participant (edit the participant; it cannot be removed alone);
- a changed e-mail revokes the person's live links, since the old address may be a stranger's;
  the next link issued goes to the new address;
- someone who has answered is removed only when the admin confirms that the answers go too,
  and never once the campaign's results were seen (that would change what was already read);
  each such removal is audited;
- moving an answered rater to another group is refused once results were seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from bifocals.errors import Conflict, NotFound
from bifocals.services.accounts import write_audit
from bifocals.services.campaigns import results_seen
from bifocals.services.people import RATER_GROUPS, check_email, check_name, require_editable
from bifocals.services.security import User, now
from bifocals.store import Store
from bifocals.store.app_tables import invitations
from bifocals.store.tables import participants, raters

T = TypeVar("T")


class RefusedAfterSeen(Conflict):
    """A removal of answers refused because the results were seen; the refusal is audited
    (by `audited`, in a transaction of its own, since the refused one rolls back)."""

    def __init__(self, message: str, target: str, detail: str) -> None:
        super().__init__(message, "confirm")
        self.target = target
        self.detail = detail


def audited(
    store: Store, user: User | None, campaign_id: int, work: Callable[[sa.Connection], T]
) -> T:
    """Run `work` in one transaction; a RefusedAfterSeen is written to the audit log after
    that transaction rolled back, then raised again."""
    try:
        with store.engine.begin() as conn:
            return work(conn)
    except RefusedAfterSeen as exc:
        with store.engine.begin() as conn:
            write_audit(conn, user, "people.remove.refused", exc.target, exc.detail, campaign_id)
        raise


def check_answered_removal(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    answered: list[str],
    confirmed: bool,
    target: str,
) -> None:
    """Refuse removing people who answered unless confirmed, and always once results were
    seen (that refusal is audited). `answered` names them, for the message."""
    if not answered:
        return
    listing = "; ".join(answered[:20]) + ("; ..." if len(answered) > 20 else "")
    if results_seen(conn, campaign_id):
        raise RefusedAfterSeen(
            "the results of this campaign were seen, so answers can no longer be removed "
            f"({listing}); keep these people",
            target,
            f"would remove {len(answered)} answered after results were seen",
        )
    if not confirmed:
        raise Conflict(
            f"{listing}: already answered. Removing deletes those answers too; confirm to go ahead",
            "confirm",
        )


ANSWERED_MEANWHILE = (
    "someone answered while this change was being made, so nothing was changed (their answers "
    "are kept); look at the page again and repeat the change if it is still wanted"
)


def delete_raters(conn: sa.Connection, rater_ids: list[int], answered: set[int]) -> None:
    """Delete these raters; those not in `answered` only while they still have no answers.

    The campaign's row lock does not stop a survey submit (it does not touch the campaign
    row), so a rater read as unanswered may have submitted since: deleting them would lose an
    acknowledged answer. Such a delete matches fewer rows than asked, and the Conflict rolls
    the whole change back.
    """
    unanswered = [i for i in rater_ids if i not in answered]
    for start in range(0, len(unanswered), 500):
        part = unanswered[start : start + 500]
        done = conn.execute(
            sa.delete(raters).where(raters.c.id.in_(part), raters.c.submitted_at.is_(None))
        )
        if done.rowcount != len(part):
            raise Conflict(ANSWERED_MEANWHILE, "confirm")
    known = [i for i in rater_ids if i in answered]
    for start in range(0, len(known), 500):
        conn.execute(sa.delete(raters).where(raters.c.id.in_(known[start : start + 500])))


def revoke_links(conn: sa.Connection, rater_ids: list[int]) -> None:
    """End the live invitation links of these raters (their address changed)."""
    if rater_ids:
        conn.execute(
            sa.update(invitations)
            .where(invitations.c.rater_id.in_(rater_ids), invitations.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )


def _audited_change(
    conn: sa.Connection,
    user: User | None,
    action: str,
    target: str,
    change: dict[str, Any],
    campaign_id: int,
) -> list[str]:
    """Audit which fields a correction changed (never their values) and return them."""
    fields = sorted(change)
    write_audit(conn, user, action, target, "changed " + ", ".join(fields), campaign_id)
    return fields


def _rater(conn: sa.Connection, campaign_id: int, rater_id: int) -> Any:
    row = conn.execute(
        sa.select(raters, participants.c.code.label("pcode"))
        .join(participants, participants.c.id == raters.c.participant_id)
        .where(raters.c.id == rater_id, raters.c.campaign_id == campaign_id)
    ).first()
    if row is None:
        raise NotFound("no such rater in this campaign")
    return row


def _label(row: Any) -> str:
    return f"{row.name or row.email or row.code} ({row.group}) for {row.pcode}"


def edit_rater(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    rater_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
    group: str | None = None,
) -> list[str]:
    """Change a rater's name, e-mail or group (None: keep it); returns what changed."""
    require_editable(conn, campaign_id)
    row = _rater(conn, campaign_id, rater_id)
    name = row.name or "" if name is None else name
    email = row.email or "" if email is None else email
    group = row.group if group is None else group
    if row.group == "self":
        raise Conflict(
            "a self rating follows its participant: edit the participant instead", "group"
        )
    if group not in RATER_GROUPS:
        raise Conflict(f"{group!r} is not one of {', '.join(RATER_GROUPS)}", "group")
    clean = check_name(name)
    addr = check_email(email, "email", required=False)
    if addr is not None and addr != (row.email or "").lower():
        dup = conn.execute(
            sa.select(raters.c.id).where(
                raters.c.participant_id == row.participant_id,
                raters.c.id != rater_id,
                sa.func.lower(raters.c.email) == addr,
            )
        ).first()
        if dup is not None:
            raise Conflict(f"{addr} already rates this participant", "email")
    change: dict[str, Any] = {}
    if clean != row.name:
        change["name"] = clean
    if addr != ((row.email or "").lower() or None):
        change["email"] = addr
    if group != row.group:
        if row.submitted_at is not None and results_seen(conn, campaign_id):
            raise Conflict(
                "this rater has answered and the results were seen; moving their answers to "
                "another group would change what was read",
                "group",
            )
        change["group"] = group
    if not change:
        return []
    conn.execute(sa.update(raters).where(raters.c.id == rater_id).values(**change))
    if "email" in change:
        revoke_links(conn, [rater_id])
    return _audited_change(conn, user, "rater.edit", f"rater_id:{rater_id}", change, campaign_id)


def remove_rater(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    rater_id: int,
    *,
    confirmed: bool = False,
) -> str:
    """Remove a rater (and, when confirmed, the answers they gave); returns who it was."""
    require_editable(conn, campaign_id)
    row = _rater(conn, campaign_id, rater_id)
    if row.group == "self":
        raise Conflict("a self rating cannot be removed alone: remove the participant", "group")
    answered = [_label(row)] if row.submitted_at is not None else []
    check_answered_removal(conn, user, campaign_id, answered, confirmed, f"rater_id:{rater_id}")
    delete_raters(conn, [rater_id], {rater_id} if answered else set())
    detail = f"group={row.group}" + (", with their answers" if answered else "")
    write_audit(conn, user, "rater.remove", f"participant:{row.pcode}", detail, campaign_id)
    return _label(row)


def _participant(conn: sa.Connection, campaign_id: int, participant_id: int) -> Any:
    row = conn.execute(
        sa.select(participants).where(
            participants.c.id == participant_id, participants.c.campaign_id == campaign_id
        )
    ).first()
    if row is None:
        raise NotFound("no such participant in this campaign")
    return row


def edit_participant(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    participant_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
) -> list[str]:
    """Change a participant's name or e-mail (None: keep it; their self rater's follow);
    returns what changed."""
    require_editable(conn, campaign_id)
    row = _participant(conn, campaign_id, participant_id)
    name = row.name or "" if name is None else name
    email = row.email or "" if email is None else email
    clean = name.strip()
    if len(clean) > 200:
        raise Conflict("the name is over 200 characters", "name")
    addr = check_email(email, "email", required=False)
    change: dict[str, Any] = {}
    if (clean or None) != row.name:
        change["name"] = clean or None
    if addr != row.email:
        change["email"] = addr
    if not change:
        return []
    conn.execute(
        sa.update(participants).where(participants.c.id == participant_id).values(**change)
    )
    self_ids = list(
        conn.execute(
            sa.select(raters.c.id).where(
                raters.c.participant_id == participant_id, raters.c.group == "self"
            )
        ).scalars()
    )
    if self_ids:
        conn.execute(sa.update(raters).where(raters.c.id.in_(self_ids)).values(**change))
        if "email" in change:
            revoke_links(conn, self_ids)
    target = f"participant:{row.code}"
    return _audited_change(conn, user, "participant.edit", target, change, campaign_id)


def remove_participant(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    participant_id: int,
    *,
    confirmed: bool = False,
) -> str:
    """Remove a participant with all their raters (answers only when confirmed)."""
    require_editable(conn, campaign_id)
    row = _participant(conn, campaign_id, participant_id)
    theirs = conn.execute(sa.select(raters).where(raters.c.participant_id == participant_id)).all()
    answered = [f"{r.name or r.code} ({r.group})" for r in theirs if r.submitted_at is not None]
    check_answered_removal(conn, user, campaign_id, answered, confirmed, f"participant:{row.code}")
    done = {int(r.id) for r in theirs if r.submitted_at is not None}
    delete_raters(conn, [int(r.id) for r in theirs], done)
    conn.execute(sa.delete(participants).where(participants.c.id == participant_id))
    detail = f"with the answers of {len(answered)}" if answered else ""
    write_audit(conn, user, "participant.remove", f"participant:{row.code}", detail, campaign_id)
    return str(row.code)
