"""Tables of the change workbench, on the one shared MetaData (migrations 0003_change and
0004_readiness)."""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.change.model import ADKAR
from bifocals.store.columns import assignment_table, reference, table_with_id, timestamp, token_hash

# One row per initiative: the validated document as JSON (re-validated on every read), the
# text analyzer's theme proposals for `themes: auto` tasks, and when it was imported.
# readiness_closed_at: when the web readiness survey stopped taking answers (None: open).
change_initiatives = table_with_id(
    "change_initiatives",
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("proposals", sa.JSON, nullable=False),
    timestamp("imported_at", nullable=False),
    timestamp("readiness_closed_at"),
)

# The facilitator accounts that may see and manage an initiative (admins see every one).
# assignment_table names "users.id" as text, so the change package does not import the web
# package; both tables live on the same MetaData and migration 0004_readiness creates the key.
change_facilitators = assignment_table(
    "change_facilitators", "initiative_id", change_initiatives.c.id
)

# Private readiness survey links, one per respondent, for one stakeholder group. Only the
# sha256 of the token is kept. used_at/used_key_hash mark the one submission the link allows
# (used_key_hash: sha256 of the idempotency key, so a retry is recognised). label is the
# facilitator's own note and appears in no result; e-mail addresses are used to send and not kept.
readiness_links = table_with_id(
    "change_readiness_links",
    reference("initiative_id", change_initiatives.c.id, index=True),
    sa.Column("group_key", sa.String(100), nullable=False),
    token_hash(),
    sa.Column("label", sa.String(200), nullable=True),
    timestamp("created_at", nullable=False),
    timestamp("sent_at"),
    timestamp("used_at"),
    sa.Column("used_key_hash", sa.String(64), nullable=True),
)

# Readiness answers from the web: the five ADKAR scores (1-5, NULL = not sure or not answered)
# and an optional comment. On purpose there is no reference to the link that brought the answer,
# and submitted_at keeps only the day (midnight UTC): nobody who can read the database can tie
# an answer to the label of the link, or to the moment a link was used.
readiness_responses = table_with_id(
    "change_readiness_responses",
    reference("initiative_id", change_initiatives.c.id, index=True),
    sa.Column("group_key", sa.String(100), nullable=False),
    *(sa.Column(e, sa.SmallInteger, nullable=True) for e in ADKAR),
    sa.Column("comment", sa.Text, nullable=True),
    timestamp("submitted_at", nullable=False),
    *(sa.CheckConstraint(f"{e} between 1 and 5", name=f"{e}_scale") for e in ADKAR),
)

CHANGE_TABLES: tuple[sa.Table, ...] = (
    change_initiatives,
    change_facilitators,
    readiness_links,
    readiness_responses,
)
