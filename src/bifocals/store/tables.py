"""Core tables of a 360 campaign, on the one shared MetaData (migration 0001_core).

A campaign holds participants; each participant has raters (one of the collected groups);
each rater has at most one response per instrument item or open question.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.scoring.model import Thresholds
from bifocals.store.columns import address, reference, table_with_id, timestamp

STATUSES: tuple[str, ...] = ("draft", "open", "closed", "released")

campaigns = table_with_id(
    "campaigns",
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("instrument_id", sa.String(100), nullable=False),
    sa.Column("instrument_version", sa.String(50), nullable=False),
    # YAML of an instrument that is not built in (NULL for built-in ones): migration 0005.
    sa.Column("instrument_yaml", sa.Text, nullable=True),
    sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
    timestamp("deadline"),
    # threshold_manager .. threshold_pooled, each defaulting to the Thresholds default.
    *(
        sa.Column(f"threshold_{group}", sa.Integer, nullable=False, server_default=str(default))
        for group, default in Thresholds().to_dict().items()
    ),
    sa.Column("comment_salt", sa.String(64), nullable=False),
    timestamp("created_at", nullable=False),
    timestamp("closed_at"),
    timestamp("released_at"),
    # The programme's schedule and messages (migration 0006): reminders N days before the
    # deadline ("7,2"; NULL: none), whether the deadline closes the campaign ('auto') or the
    # admin does ('manual'), and the e-mail texts (NULL: the built-in ones).
    sa.Column("reminder_days", sa.String(100), nullable=True),
    sa.Column("close_mode", sa.String(10), nullable=False, server_default="auto"),
    sa.Column("invite_subject", sa.String(300), nullable=True),
    sa.Column("invite_body", sa.Text, nullable=True),
    sa.Column("remind_subject", sa.String(300), nullable=True),
    sa.Column("remind_body", sa.Text, nullable=True),
    sa.CheckConstraint("status in ('draft', 'open', 'closed', 'released')", name="status"),
)

participants = table_with_id(
    "participants",
    reference("campaign_id", "campaigns.id"),
    sa.Column("code", sa.String(200), nullable=False),
    sa.Column("name", sa.String(200), nullable=True),
    address("email", nullable=True),
    # The language of the participant's report (en, de, fr, es; NULL: English): migration 0009.
    sa.Column("language", sa.String(8), nullable=True),
    sa.UniqueConstraint("campaign_id", "code"),
)

raters = table_with_id(
    "raters",
    reference("campaign_id", "campaigns.id", index=True),
    reference("participant_id", "participants.id"),
    sa.Column("code", sa.String(200), nullable=False),
    sa.Column("group", sa.String(20), nullable=False),
    sa.Column("name", sa.String(200), nullable=True),
    address("email", nullable=True),
    timestamp("submitted_at"),
    # The language the rater answers and is written to in (NULL: the participant's): 0009.
    sa.Column("language", sa.String(8), nullable=True),
    sa.UniqueConstraint("participant_id", "code"),
    sa.CheckConstraint(
        "\"group\" in ('self', 'manager', 'peer', 'direct_report', 'other')", name="group"
    ),
)

responses = table_with_id(
    "responses",
    reference("rater_id", "raters.id"),
    sa.Column("item_id", sa.String(100), nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    sa.UniqueConstraint("rater_id", "item_id"),
    # Ratings are whole points of the instrument's scale (NULL = not observed).
    sa.CheckConstraint("value IS NULL OR value = CAST(value AS INTEGER)", name="value_whole"),
)
# Finds the few open-question answers among millions of ratings without a scan.
sa.Index(
    "ix_responses_text",
    responses.c.rater_id,
    sqlite_where=responses.c.text.isnot(None),
    postgresql_where=responses.c.text.isnot(None),
)
