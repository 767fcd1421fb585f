"""A rater's draft and submission in the database: optimistic drafts, submit exactly once.

Writes go through `write()`: on SQLite one writer at a time per process (a lock) plus retries
when another process holds the database ("database is locked"), on top of WAL and busy_timeout
set by the store's engine. A submission is one transaction: the submissions row (UNIQUE rater
and idempotency key), the answers copied into responses, raters.submitted_at, the draft removed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa

from bifocals.instruments.model import Instrument
from bifocals.services.security import now
from bifocals.services.survey_answers import from_json, response_rows, to_json
from bifocals.services.token_links import LinkKind, LinkStatus, lookup
from bifocals.store.app_tables import drafts, submissions
from bifocals.store.tables import raters, responses

T = TypeVar("T")
_SQLITE_WRITER = threading.Lock()
RETRIES = 20

# The statements of every survey request, built once with parameters: building and keying a
# new statement object costs more than SQLite takes to run it (SQLAlchemy reuses the compiled
# form of the same object).
_DRAFT = sa.select(drafts.c.answers, drafts.c.version).where(
    drafts.c.rater_id == sa.bindparam("rater_id")
)
_DRAFT_VERSION = sa.select(drafts.c.version).where(drafts.c.rater_id == sa.bindparam("rater_id"))
_NEW_DRAFT = sa.insert(drafts)
_NEXT_DRAFT = (
    sa.update(drafts)
    .where(drafts.c.rater_id == sa.bindparam("rater"), drafts.c.version == sa.bindparam("base"))
    .values(
        answers=sa.bindparam("answers"),
        updated_at=sa.bindparam("stamp"),
        version=sa.bindparam("next"),
    )
)
_SUBMISSION = sa.select(submissions.c.id).where(
    submissions.c.rater_id == sa.bindparam("rater_id"),
    submissions.c.idempotency_key == sa.bindparam("key"),
)
_NEW_SUBMISSION = sa.insert(submissions).returning(submissions.c.id)
_MARK_SUBMITTED = (
    sa.update(raters)
    .where(raters.c.id == sa.bindparam("rater"), raters.c.submitted_at.is_(None))
    .values(submitted_at=sa.bindparam("stamp"))
)
_CLEAR_RESPONSES = sa.delete(responses).where(responses.c.rater_id == sa.bindparam("rater_id"))
_NEW_RESPONSES = sa.insert(responses)
_CLEAR_DRAFT = sa.delete(drafts).where(drafts.c.rater_id == sa.bindparam("rater_id"))


class DraftConflict(Exception):
    """The draft changed since the version the client last saw (another device saved)."""

    def __init__(self, answers: dict[str, str], version: int) -> None:
        super().__init__("draft changed elsewhere")
        self.answers = answers
        self.version = version


class SubmitRefused(Exception):
    """The link cannot take a submission now; `status` says why (token_links.lookup's)."""

    def __init__(self, status: LinkStatus) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Submitted:
    """A submission that is committed; `repeat` is True when this key had already submitted."""

    submission_id: int
    repeat: bool


def _locked(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def write(engine: sa.Engine, work: Callable[[sa.Connection], T]) -> T:
    """Run `work` in one transaction, serialized and retried on SQLite."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            return work(conn)
    delay = 0.01
    for attempt in range(RETRIES):
        try:
            with _SQLITE_WRITER, engine.begin() as conn:
                return work(conn)
        except sa.exc.OperationalError as exc:
            if not _locked(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")


def load_draft(conn: sa.Connection, rater_id: int) -> tuple[dict[str, str], int]:
    """(answers, version) of the rater's draft; ({}, 0) without one."""
    row = conn.execute(_DRAFT, {"rater_id": rater_id}).first()
    if row is None:
        return {}, 0
    return from_json(row.answers), int(row.version)


def save_draft(
    engine: sa.Engine, rater_id: int, answers: Mapping[str, str], base: int | None = None
) -> int:
    """Store the rater's draft; returns its new version.

    With `base` (the version the client started from) a draft saved meanwhile elsewhere raises
    DraftConflict carrying the stored answers; without it the last save wins.
    """

    def work(conn: sa.Connection) -> int:
        current = conn.execute(_DRAFT_VERSION, {"rater_id": rater_id}).scalar_one_or_none()
        text = to_json(answers)
        if current is None:
            if base not in (None, 0):
                raise DraftConflict({}, 0)
            conn.execute(
                _NEW_DRAFT,
                {"rater_id": rater_id, "answers": text, "updated_at": now(), "version": 1},
            )
            return 1
        if base is not None and base != current:
            raise DraftConflict(*load_draft(conn, rater_id))
        done = conn.execute(
            _NEXT_DRAFT,
            {
                "rater": rater_id,
                "base": current,
                "answers": text,
                "stamp": now(),
                "next": current + 1,
            },
        )
        if done.rowcount != 1:
            raise DraftConflict(*load_draft(conn, rater_id))
        return int(current) + 1

    for _ in range(3):
        try:
            return write(engine, work)
        except sa.exc.IntegrityError:
            # Two first saves raced; the loser saves again over the winner's row.
            continue
    return write(engine, work)


def find_submission(conn: sa.Connection, rater_id: int, key: str) -> int | None:
    """The id of this rater's submission made with this idempotency key, if any."""
    found = conn.execute(_SUBMISSION, {"rater_id": rater_id, "key": key}).scalar_one_or_none()
    return None if found is None else int(found)


def submit(
    engine: sa.Engine,
    token: str,
    instrument: Instrument,
    answers: Mapping[str, str],
    key: str,
) -> Submitted:
    """Submit the rater's answers exactly once (answers already checked with final=True).

    The same key again returns the first submission (repeat=True); any other refusal raises
    SubmitRefused with the invitation's status (USED for a second key).
    """

    def work(conn: sa.Connection) -> Submitted:
        look = lookup(conn, LinkKind.INVITATION, token)
        if look.row is not None:
            earlier = find_submission(conn, look.row.rater_id, key)
            if earlier is not None:
                return Submitted(earlier, True)
        if not look.valid:
            raise SubmitRefused(look.status)
        rid = int(look.row.rater_id)
        stamp = now()
        sid = conn.execute(
            _NEW_SUBMISSION, {"rater_id": rid, "submitted_at": stamp, "idempotency_key": key}
        ).scalar_one()
        marked = conn.execute(_MARK_SUBMITTED, {"rater": rid, "stamp": stamp})
        if marked.rowcount != 1:
            raise SubmitRefused(LinkStatus.USED)
        conn.execute(_CLEAR_RESPONSES, {"rater_id": rid})
        conn.execute(_NEW_RESPONSES, response_rows(instrument, rid, answers))
        conn.execute(_CLEAR_DRAFT, {"rater_id": rid})
        return Submitted(int(sid), False)

    try:
        return write(engine, work)
    except sa.exc.IntegrityError:
        # A concurrent request (double click, retry) committed first: answer as it did.
        with engine.connect() as conn:
            row = lookup(conn, LinkKind.INVITATION, token).row
            earlier = None if row is None else find_submission(conn, row.rater_id, key)
        if earlier is not None:
            return Submitted(earlier, True)
        raise SubmitRefused(LinkStatus.USED) from None
