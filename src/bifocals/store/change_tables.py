"""Tables of the change workbench, on the one shared MetaData (migrations 0003_change,
0004_readiness and 0007_effort_imports)."""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.change.model import ADKAR
from bifocals.store.columns import (
    address,
    assignment_table,
    reference,
    table_with_id,
    timestamp,
    token_hash,
)

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

# Effort imported from a Jira, GitHub or timesheet export. A row is first a preview (applied_at
# NULL: the web shows what it would change) and becomes an applied import; for each period, the
# latest applied import that covers it gives that period's effort. content and mapping are the
# files as uploaded; plan is what was read from them (change.effort_plan.EffortPlan.to_json);
# digest is the sha256 of the format, both files and the items read, so that applying the same
# file again is recognised and changes nothing. created_by: the account's address, or "cli".
effort_imports = table_with_id(
    "change_effort_imports",
    reference("initiative_id", change_initiatives.c.id, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("mapping_source", sa.String(500), nullable=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("mapping", sa.LargeBinary, nullable=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("plan", sa.JSON, nullable=False),
    timestamp("created_at", nullable=False),
    address("created_by"),
    timestamp("applied_at"),
)

CHANGE_TABLES: tuple[sa.Table, ...] = (
    change_initiatives,
    change_facilitators,
    readiness_links,
    readiness_responses,
    effort_imports,
)
