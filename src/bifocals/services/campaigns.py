"""Campaign life cycle for every door (web, API, CLI): create, facilitators, open, close,
re-open, release, thresholds, and the "results seen" mark.

Re-opening rule (stops the re-opening attack, where someone compares a report before and after
one late response to learn that rater's answers): a closed campaign may be re-opened only while
no report of it has been released, viewed or exported. Once any of that happened (an audit row
with an action in REPORT_SEEN_ACTIONS, or the campaign was released), re-opening is refused.
A released campaign never goes back.

Serialisation: every operation that reads or changes a campaign's status starts by taking the
campaign's row lock (`lock_campaign`: an UPDATE of the row, which is a row lock on PostgreSQL and
the database write lock on SQLite). Reading results marks them seen in that same locked
transaction, before any result is computed, so a read and a re-open can never interleave.

Thresholds: they may change until results were seen; from then on any change is refused (a
lowered threshold shows groups that were hidden, a raised one pools them differently, and
either compared with the earlier report reveals individual answers). A threshold below
ANONYMOUS_MIN for a group other than the manager's needs an admin and a stated reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bifocals.errors import BifocalsError, Conflict, Forbidden, Invalid, NotFound
from bifocals.instruments import get_instrument
from bifocals.scoring.model import ANONYMOUS_MIN, Thresholds
from bifocals.services.access import (
    assign_facilitator_to,
    assigned_facilitators,
    unassign_facilitator,
)
from bifocals.services.accounts import write_audit
from bifocals.services.security import User, now, utc
from bifocals.store import Store
from bifocals.store.app_tables import audit_log, campaign_facilitators
from bifocals.store.campaigns import THRESHOLD_GROUPS, thresholds_of
from bifocals.store.tables import campaigns

# Audit actions meaning "someone has seen results of this campaign".
REPORT_SEEN_ACTIONS: tuple[str, ...] = (
    "campaign.release",
    "report.view",
    "report.pdf",
    "report.export",
    "cohort.view",
    "cohort.export",
    # the campaign's shown cells pooled into a history norm group's statistics, for a
    # percentile in someone's report (the reader sees aggregates of at least 30, not this
    # campaign's results; the audit row says so instead of calling it an export)
    "report.norm",
)

TRANSITIONS: dict[str, tuple[str, str]] = {
    # action: (required status, new status)
    "open": ("draft", "open"),
    "close": ("open", "closed"),
    "reopen": ("closed", "open"),
    "release": ("closed", "released"),
}


def parse_deadline(value: str) -> datetime | None:
    """A date (YYYY-MM-DD) as the end of that day in UTC, or None if blank."""
    if not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError as exc:
        raise Invalid(f"deadline {value!r} is not a date; write YYYY-MM-DD", "deadline") from exc
    return day.replace(hour=23, minute=59, second=59, tzinfo=UTC)


def create_campaign(
    store: Store,
    user: User | None,
    name: str,
    instrument_id: str,
    thresholds: Thresholds,
    deadline: datetime | None,
    reason: str = "",
) -> int:
    """Create a draft campaign; a facilitator who creates one is assigned to it (user None:
    the command line, which acts as an admin)."""
    if user is not None and user.role not in ("admin", "facilitator"):
        raise Forbidden("only admins and facilitators create campaigns")
    check_anonymity_waiver(user, thresholds, reason)
    inst = get_instrument(instrument_id)
    cid = store.create_campaign(
        name.strip(), thresholds=thresholds, deadline=deadline, instrument=inst
    )
    with store.engine.begin() as conn:
        if user is not None and user.role == "facilitator":
            conn.execute(sa.insert(campaign_facilitators).values(campaign_id=cid, user_id=user.id))
        detail = f"instrument={inst.id} thresholds={thresholds.to_dict()}"
        if thresholds.not_anonymous():
            detail += f" not_anonymous={thresholds.not_anonymous()} reason={reason.strip()!r}"
        write_audit(conn, user, "campaign.create", f"campaign:{name.strip()}", detail, cid)
    return cid


def facilitators_of(conn: sa.Connection, campaign_id: int) -> list[Any]:
    """users rows (id, email) of a campaign's facilitators, by e-mail."""
    return assigned_facilitators(conn, campaign_facilitators, "campaign_id", campaign_id)


def assign_facilitator(store: Store, admin: User, campaign_id: int, email: str) -> None:
    """Give a facilitator account access to a campaign."""
    with store.engine.begin() as conn:
        _, addr = assign_facilitator_to(
            conn, campaign_facilitators, "campaign_id", campaign_id, email, "campaign"
        )
        write_audit(conn, admin, "campaign.facilitator.add", f"user:{addr}", "", campaign_id)


def remove_facilitator(store: Store, admin: User, campaign_id: int, user_id: int) -> None:
    """Take a facilitator's access to a campaign away."""
    with store.engine.begin() as conn:
        email = unassign_facilitator(
            conn, campaign_facilitators, "campaign_id", campaign_id, user_id
        )
        write_audit(conn, admin, "campaign.facilitator.remove", f"user:{email}", "", campaign_id)


def lock_campaign(conn: sa.Connection, campaign_id: int) -> Any:
    """Take the campaign's row lock for the rest of this transaction and return its row.

    The first statement is a write (an UPDATE that changes nothing), so it waits for, and then
    blocks, every other transaction that reads-to-decide or changes this campaign: a row lock on
    PostgreSQL, the database's write lock on SQLite (where a plain SELECT would take none).
    """
    conn.execute(
        sa.update(campaigns).where(campaigns.c.id == campaign_id).values(status=campaigns.c.status)
    )
    row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).first()
    if row is None:
        raise NotFound("no such campaign", "campaign_id")
    return row


def lock_live_campaign(
    conn: sa.Connection, campaign_id: int, refusal: str, field: str | None = "status"
) -> Any:
    """`lock_campaign`, for a change that only a draft or open campaign takes: any other is a
    Conflict "the campaign is <status>; <refusal>" about `field`."""
    row = lock_campaign(conn, campaign_id)
    if row.status not in ("draft", "open"):
        raise Conflict(f"the campaign is {row.status}; {refusal}", field)
    return row


def results_seen(conn: sa.Connection, campaign_id: int) -> bool:
    """True once any report of the campaign was released, viewed or exported."""
    found = conn.execute(
        sa.select(audit_log.c.id)
        .where(
            audit_log.c.campaign_id == campaign_id,
            audit_log.c.action.in_(REPORT_SEEN_ACTIONS),
        )
        .limit(1)
    ).first()
    return found is not None


RESULT_STATUSES: tuple[str, ...] = ("closed", "released")


@dataclass(frozen=True)
class ResultsRead:
    """Who reads a campaign's results, and how: the audit row that marks them seen.

    user None is the command line. action is one of REPORT_SEEN_ACTIONS."""

    user: User | None
    action: str
    target: str
    detail: str = ""


def mark_results_seen(
    conn: sa.Connection, campaign_id: int, read: ResultsRead, *, need_results: bool = True
) -> Any:
    """Lock the campaign, check that it has results (closed or released) and record that they
    are being seen, all in the caller's transaction; returns the campaigns row.

    Call it in a transaction of its own that commits before any result is computed: once it
    has committed, `reopen` and threshold changes are refused, whoever comes next.
    need_results=False: an export of the raw answers, which counts as seen in any status.
    """
    if read.action not in REPORT_SEEN_ACTIONS:
        raise ValueError(f"{read.action!r} is not an action that marks results seen")
    row = lock_campaign(conn, campaign_id)
    if need_results and row.status not in RESULT_STATUSES:
        raise Conflict(
            f"the campaign is {row.status}: results exist only once it is closed; close it first",
            "status",
        )
    write_audit(conn, read.user, read.action, read.target, read.detail, campaign_id)
    return row


def change_status(
    store: Store, user: User | None, campaign_id: int, action: str, *, actor: str | None = None
) -> str:
    """Apply open, close, reopen or release; returns the new status or raises Conflict.
    `actor` names who acted when it is not a user ("scheduler"); see write_audit."""
    if action not in TRANSITIONS:
        raise BifocalsError(f"unknown action {action!r}")
    need, new = TRANSITIONS[action]
    with store.engine.begin() as conn:
        row = lock_campaign(conn, campaign_id)
        if row.status != need:
            raise Conflict(
                f"cannot {action} a campaign that is {row.status}; it must be {need}", "status"
            )
        if action == "reopen" and (row.released_at is not None or results_seen(conn, campaign_id)):
            raise Conflict(REOPEN_REFUSED, "status")
        values: dict[str, Any] = {"status": new}
        stamp = now()
        if action == "close":
            values["closed_at"] = stamp
        elif action == "reopen":
            values["closed_at"] = None
        elif action == "release":
            values["released_at"] = stamp
        conn.execute(sa.update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
        write_audit(
            conn, user, f"campaign.{action}", f"campaign:{row.name}", "", campaign_id, actor=actor
        )
    return new


REOPEN_REFUSED = (
    "cannot re-open: reports of this campaign have already been released, viewed "
    "or exported, and comparing them with later reports would reveal who answered "
    "late. Start a new campaign for further feedback."
)

THRESHOLDS_FROZEN = (
    "results of this campaign have been seen (released, viewed or exported), so its "
    "thresholds can no longer change: a lowered threshold would show groups that were hidden "
    "and a raised one would pool them differently, and either, compared with the reports "
    "already seen, reveals individual answers. Start a new campaign to use other thresholds."
)


def check_anonymity_waiver(user: User | None, thresholds: Thresholds, reason: str) -> None:
    """Refuse thresholds below ANONYMOUS_MIN (manager excepted) unless an admin (or the
    command line, which has the database itself) gives a reason."""
    low = thresholds.not_anonymous()
    if not low:
        return
    shown = ", ".join(f"{g}={v}" for g, v in low.items())
    if user is not None and not user.is_admin:
        raise Conflict(
            f"thresholds below {ANONYMOUS_MIN} ({shown}) make those raters identifiable; "
            "only an admin may set them, with a stated reason",
            "thresholds",
        )
    if not reason.strip():
        raise Conflict(
            f"thresholds below {ANONYMOUS_MIN} ({shown}) make those raters identifiable; "
            "give the reason for it (it is kept in the audit log and the reports say that "
            "such groups are not anonymous)",
            "reason",
        )


def _refuse_audited(
    store: Store, user: User | None, campaign_id: int, name: str, detail: str, exc: Exception
) -> None:
    """Write the refused change to the audit log in its own transaction, then raise exc."""
    with store.engine.begin() as conn:
        write_audit(
            conn, user, "campaign.change.refused", f"campaign:{name}", detail[:900], campaign_id
        )
    raise exc


def change_thresholds(
    store: Store,
    user: User | None,
    campaign_id: int,
    changes: dict[str, int],
    *,
    reason: str = "",
    deadline: datetime | object | None = ...,
) -> Thresholds:
    """Change some thresholds (and, from the web form, the deadline); returns those in force.

    The one rule for every door: thresholds are frozen once results were seen, and a threshold
    below ANONYMOUS_MIN needs an admin and a reason. Refusals are audited too. `deadline` left
    out (...) keeps it; a deadline may change only while the campaign is draft or open.
    """
    unknown = sorted(set(changes) - set(THRESHOLD_GROUPS))
    if unknown:
        raise Conflict(
            f"unknown threshold group(s) {', '.join(unknown)}; use {', '.join(THRESHOLD_GROUPS)}",
            "thresholds",
        )
    with store.engine.begin() as conn:
        row = lock_campaign(conn, campaign_id)
        current = thresholds_of(row)
        wanted = Thresholds(**{**current.to_dict(), **{g: int(v) for g, v in changes.items()}})
        changed = {g: v for g, v in wanted.to_dict().items() if current.to_dict()[g] != v}
        detail = ", ".join(f"threshold_{g}={v}" for g, v in changed.items())
        new_deadline = utc(row.deadline) if deadline is ... else deadline
        refusal: Exception | None = None
        if changed and (row.released_at is not None or results_seen(conn, campaign_id)):
            refusal = Conflict(THRESHOLDS_FROZEN, "thresholds")
        elif new_deadline != utc(row.deadline) and row.status not in ("draft", "open"):
            refusal = Conflict(
                f"the campaign is {row.status}; its deadline can no longer change", "deadline"
            )
        else:
            try:
                if changed:
                    check_anonymity_waiver(user, wanted, reason)
            except (Conflict, Forbidden) as exc:
                refusal = exc
        if refusal is None:
            values: dict[str, Any] = {f"threshold_{g}": v for g, v in changed.items()}
            if new_deadline != utc(row.deadline):
                values["deadline"] = new_deadline
                detail = ", ".join(x for x in (detail, f"deadline={new_deadline}") if x)
            if wanted.not_anonymous() and changed:
                detail += f", not_anonymous={wanted.not_anonymous()}, reason={reason.strip()!r}"
            if values:
                conn.execute(
                    sa.update(campaigns).where(campaigns.c.id == campaign_id).values(**values)
                )
            write_audit(conn, user, "campaign.change", f"campaign:{row.name}", detail, campaign_id)
            return wanted
    _refuse_audited(store, user, campaign_id, str(row.name), f"{detail}: {refusal}", refusal)
    raise AssertionError("unreachable")


def update_settings(
    store: Store,
    user: User,
    campaign_id: int,
    thresholds: Thresholds,
    deadline: datetime | None,
    reason: str = "",
) -> None:
    """The web settings form: every threshold and the deadline at once (see change_thresholds)."""
    change_thresholds(
        store, user, campaign_id, thresholds.to_dict(), reason=reason, deadline=deadline
    )


def mark_answers_exported(store: Store, user: User | None, campaign_id: int, detail: str) -> None:
    """Record that a campaign's raw answers leave the product (the CLI's `campaign export`):
    from then on they count as seen, so thresholds freeze and re-opening is refused."""
    with store.engine.begin() as conn:
        row = lock_campaign(conn, campaign_id)
        read = ResultsRead(user, "report.export", f"campaign:{row.name}", detail)
        mark_results_seen(conn, campaign_id, read, need_results=False)


def campaign_id_by_name(store: Store, name: str) -> int:
    """The id of the campaign with this name (NotFound names the command that lists them)."""
    with store.engine.connect() as conn:
        cid = conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).scalar()
    if cid is None:
        raise NotFound(f"no campaign named {name!r}; see `bifocals campaign list`", "name")
    return int(cid)
