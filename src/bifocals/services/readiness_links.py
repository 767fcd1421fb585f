"""The web ADKAR readiness survey: private links per stakeholder group, answers sent once.

A facilitator issues links for one stakeholder group of an initiative (services/token_links.py,
kind READINESS: a 256-bit token, only its sha256 stored). A link takes exactly one answer: the
submission marks the link used (guarded by `used_at IS NULL` in the same transaction as the
insert) and keeps the sha256 of the page's idempotency key, so a double click or a retry with
the same key is answered as the first one and never makes a second row. The answer row does
not point back to its link and keeps only the day it came in (see change/tables.py).

Results only after closing (stops the difference attack, where someone compares the readiness
results just before and just after one known person answers): while the survey takes answers,
its answers are in no output (get_initiative leaves them out). Once it is closed they are, and
every read that shows them writes an audit row with an action in READINESS_SEEN_ACTIONS; from
then on the survey cannot take answers again (set_collecting refuses). Closing, answering,
reading and re-opening take turns on the initiative's row
(services.change_records.survey_transaction),
so no answer slips in after a read of closed results, and no re-open misses a read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bifocals.change.model import ADKAR
from bifocals.errors import BifocalsError
from bifocals.services.accounts import write_audit
from bifocals.services.change_records import (
    RESULTS_READ_ACTION,
    Reader,
    SurveyState,
    initiative_target,
    lock_initiative,
    survey_transaction,
)
from bifocals.services.security import User, now, token_hash
from bifocals.services.surveys import SubmitRefused, write
from bifocals.services.token_links import LinkKind, LinkStatus, issue, lookup
from bifocals.store.app_tables import audit_log
from bifocals.store.change_tables import change_initiatives, readiness_links, readiness_responses

FIELD_PREFIX = "adkar_"
NOT_SURE = "not_sure"
MAX_COMMENT = 2000
MAX_LINKS = 200
MAX_LABEL = 200

# The five statements, one per ADKAR element, in this project's own words.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "awareness",
        "Why",
        "I understand why this change is happening, and why it has to happen now.",
    ),
    (
        "desire",
        "Wanting it",
        "I want to take part in this change and help it succeed.",
    ),
    (
        "knowledge",
        "Knowing how",
        "I know what I will do differently once the change is in place, and how to do it.",
    ),
    (
        "ability",
        "Being able to",
        "I can actually work the new way: I have the time, the tools and the skills for it.",
    ),
    (
        "reinforcement",
        "Making it last",
        "I expect the new way to last: it is recognised and supported, and we will not slide "
        "back to the old way.",
    ),
)
SCALE: tuple[tuple[int, str], ...] = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
)


def group_names(conn: sa.Connection, initiative_id: int) -> dict[str, str]:
    """Stakeholder group id -> name, from the stored document (in the file's order)."""
    doc = conn.execute(
        sa.select(change_initiatives.c.document).where(change_initiatives.c.id == initiative_id)
    ).scalar_one()
    out: dict[str, str] = {}
    for g in (doc or {}).get("stakeholder_groups") or []:
        if isinstance(g, dict) and "id" in g:
            out[str(g["id"])] = str(g.get("name") or g["id"])
    return out


def issue_links(
    conn: sa.Connection, initiative_id: int, group_key: str, count: int, label: str = ""
) -> list[str]:
    """`count` new tokens for one stakeholder group; the raw tokens are returned only here."""
    return [
        issue(
            conn, LinkKind.READINESS, initiative_id, None, group_key=group_key, label=label or None
        )
        for _ in range(count)
    ]


# Audit actions meaning "someone has seen the readiness results of this initiative with the web
# survey's answers in them" (written only while the survey is closed): the dashboard's "Show the
# results", a dashboard view, the PDF and JSON downloads, and a read outside the web (command
# line, Python API). Reads that leave the web answers out are audited as initiative.view,
# initiative.pdf and initiative.json.
READINESS_SEEN_ACTIONS: tuple[str, ...] = (
    "readiness.results.show",
    "readiness.results.view",
    "readiness.results.pdf",
    "readiness.results.json",
    RESULTS_READ_ACTION,
)
READ_KINDS: tuple[str, ...] = ("view", "pdf", "json")
REOPEN_REFUSED = (
    "The readiness survey cannot take answers again: its results have been seen since it was "
    "closed (on the dashboard, in a download or with `bifocals change report`), and comparing "
    "them with results after more answers would show what the late respondents said. For a "
    "new round, import the initiative again under a new name (for example with the period in "
    "it) and send new links; this one keeps its results."
)
HELD_BACK = {
    "collecting": "web readiness answers left out: the survey takes answers",
    "held": "web readiness answers left out: the survey is closed, results not shown yet",
}


def results_seen(conn: sa.Connection, name: str) -> bool:
    """True once the readiness results of the initiative were seen with the web answers in."""
    found = conn.execute(
        sa.select(audit_log.c.id)
        .where(
            audit_log.c.target == initiative_target(name),
            audit_log.c.action.in_(READINESS_SEEN_ACTIONS),
        )
        .limit(1)
    ).first()
    return found is not None


def web_reader(user: User, kind: str) -> Reader:
    """The reader of a web page or download (kind: view, pdf, json), for get_initiative.

    A download of a closed survey's results includes the web answers; the dashboard includes
    them only once someone chose "Show the results" (or saw them otherwise), so that closing
    and looking stay two decisions. Every read writes one audit row, in the read's transaction.
    """
    if kind not in READ_KINDS:
        raise ValueError(f"unknown read {kind!r}")

    def decide(conn: sa.Connection, state: SurveyState) -> bool:
        target = initiative_target(state.name)
        if state.closed and (kind != "view" or results_seen(conn, state.name)):
            write_audit(conn, user, f"readiness.results.{kind}", target)
            return True
        held = "held" if state.closed else "collecting" if state.links else ""
        write_audit(conn, user, f"initiative.{kind}", target, HELD_BACK.get(held, ""))
        return False

    return decide


def show_results(engine: sa.Engine, user: User, name: str) -> bool:
    """Record that `user` chose to see the closed survey's results; False when it is open."""
    with survey_transaction(engine) as conn:
        row = lock_initiative(conn, name)
        if row is None or row.readiness_closed_at is None:
            return False
        write_audit(conn, user, "readiness.results.show", initiative_target(name))
    return True


def set_collecting(engine: sa.Engine, user: User, name: str, collecting: bool) -> None:
    """Open (collecting=True) or close the initiative's readiness survey, with its audit row.

    Opening a closed survey is refused (BifocalsError, REOPEN_REFUSED) once its results were
    seen. Closing a closed survey or opening an open one changes nothing.
    """
    with survey_transaction(engine) as conn:
        row = lock_initiative(conn, name, for_update=True)
        if row is None:
            raise BifocalsError(f"no initiative named {name!r}")
        closed = row.readiness_closed_at is not None
        if collecting == (not closed):
            return
        if collecting and results_seen(conn, name):
            raise BifocalsError(REOPEN_REFUSED)
        conn.execute(
            sa.update(change_initiatives)
            .where(change_initiatives.c.id == row.id)
            .values(readiness_closed_at=None if collecting else now())
        )
        action = "readiness.open" if collecting else "readiness.close"
        write_audit(conn, user, action, initiative_target(name))


@dataclass(frozen=True)
class GroupCount:
    """Links issued and answers received for one stakeholder group (counts only)."""

    key: str
    name: str
    links: int
    answered: int


def collection_counts(conn: sa.Connection, initiative_id: int) -> list[GroupCount]:
    """Per stakeholder group of the document (then any other group with links): counts."""
    links = readiness_links
    rows = conn.execute(
        sa.select(
            links.c.group_key,
            sa.func.count().label("links"),
            sa.func.count(links.c.used_at).label("answered"),
        )
        .where(links.c.initiative_id == initiative_id)
        .group_by(links.c.group_key)
    ).all()
    by_key = {str(r.group_key): (int(r.links), int(r.answered)) for r in rows}
    names = group_names(conn, initiative_id)
    keys = list(names) + sorted(set(by_key) - set(names))
    return [GroupCount(k, names.get(k, k), *by_key.get(k, (0, 0))) for k in keys]


@dataclass
class Checked:
    """Answers read from the form: scores (None = not sure or left blank), comment, problems."""

    scores: dict[str, int | None] = field(default_factory=dict)
    comment: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when there is nothing to correct."""
        return not self.errors


def check_answers(form: Mapping[str, Any]) -> Checked:
    """Validate the five answers and the comment; every problem names its field and value."""
    out = Checked()
    for element, title, _ in QUESTIONS:
        value = form.get(FIELD_PREFIX + element)
        text = value.strip() if isinstance(value, str) else ""
        out.raw[element] = text
        if text in ("", NOT_SURE):
            out.scores[element] = None
        elif text in {str(v) for v, _ in SCALE}:
            out.scores[element] = int(text)
        else:
            shown = text if len(text) <= 20 else text[:17] + "..."
            out.errors[element] = (
                f"{title} ({element}): {shown!r} is not an answer here; choose 1 to 5, "
                "or 'Not sure'."
            )
    comment = form.get("comment")
    text = comment.strip() if isinstance(comment, str) else ""
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    out.comment = text
    out.raw["comment"] = text
    if len(text) > MAX_COMMENT:
        out.errors["comment"] = (
            f"comment: {len(text)} characters is too long; keep it to {MAX_COMMENT}."
        )
    if not out.errors and all(v is None for v in out.scores.values()):
        out.errors["_form"] = (
            "Answer at least one of the five statements (choose 'Not sure' only where you "
            "really cannot say)."
        )
    return out


@dataclass(frozen=True)
class Sent:
    """A committed readiness answer; `repeat` when this key had already sent it."""

    repeat: bool


def _day(stamp: dt.datetime) -> dt.datetime:
    return stamp.replace(hour=0, minute=0, second=0, microsecond=0)


def submit_answers(engine: sa.Engine, token: str, checked: Checked, key: str) -> Sent:
    """Store one answer for the link, exactly once (checked must be ok).

    The same idempotency key again answers Sent(repeat=True) and writes nothing; any other
    refusal raises SubmitRefused with the link's status (UNKNOWN, USED, CLOSED).
    """
    key_hash = token_hash(key)

    def work(conn: sa.Connection) -> Sent:
        look = lookup(conn, LinkKind.READINESS, token)
        if look.status is LinkStatus.USED and look.row.used_key_hash == key_hash:
            return Sent(True)
        if not look.valid:
            raise SubmitRefused(look.status)
        link = look.row
        # Take turns with closing (PostgreSQL: the initiative's row, for share), and mark the
        # link only while the survey is still open: no answer lands after it was closed, where
        # it would change results that someone may already have seen.
        row = lock_initiative(conn, link.initiative)
        if row is None or row.readiness_closed_at is not None:
            raise SubmitRefused(LinkStatus.CLOSED)
        stamp = now()
        still_open = (
            sa.select(change_initiatives.c.id)
            .where(
                change_initiatives.c.id == link.initiative_id,
                change_initiatives.c.readiness_closed_at.is_(None),
            )
            .exists()
        )
        marked = conn.execute(
            sa.update(readiness_links)
            .where(
                readiness_links.c.id == link.id,
                readiness_links.c.used_at.is_(None),
                still_open,
            )
            .values(used_at=stamp, used_key_hash=key_hash)
        )
        if marked.rowcount != 1:
            closed = lookup(conn, LinkKind.READINESS, token).status is LinkStatus.CLOSED
            raise SubmitRefused(LinkStatus.CLOSED if closed else LinkStatus.USED)
        conn.execute(
            sa.insert(readiness_responses).values(
                initiative_id=link.initiative_id,
                group_key=link.group_key,
                comment=checked.comment or None,
                submitted_at=_day(stamp),
                **{e: checked.scores.get(e) for e in ADKAR},
            )
        )
        return Sent(False)

    try:
        return write(engine, work)
    except SubmitRefused as refused:
        if refused.status is not LinkStatus.USED:
            raise
        # A concurrent request with the same key (double click, retry) committed first.
        with engine.connect() as conn:
            row = lookup(conn, LinkKind.READINESS, token).row
        if row is not None and row.used_key_hash == key_hash:
            return Sent(True)
        raise
