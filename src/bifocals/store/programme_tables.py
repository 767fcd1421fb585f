"""Tables of a running programme (migration 0006_programme): scheduled events done, outgoing
mail, and the one-time links with which participants set their own password.

- `campaign_events`: one row per scheduled event of a campaign that has been done (a reminder
  round, the automatic close). The unique (campaign, kind, due) pair makes an event happen once
  however many servers or cron jobs tick at the same moment.
- `mail_outbox`: every message the product sends, with its status (queued, sending, sent,
  failed), attempts and last error. It holds no link: a message's private link is issued when
  it is sent, so the database never holds a usable token.
- `account_links`: one-time links to set a password (only the hash is kept).
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.columns import address, reference, table_with_id, timestamp, token_link_table
from bifocals.store.tables import campaigns, participants, raters

EVENT_KINDS: tuple[str, ...] = ("reminder", "close")
MAIL_KINDS: tuple[str, ...] = ("invitation", "reminder", "account", "release")
MAIL_STATUSES: tuple[str, ...] = ("queued", "sending", "sent", "failed")

campaign_events = table_with_id(
    "campaign_events",
    reference("campaign_id", campaigns.c.id, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    timestamp("due_at", nullable=False),
    timestamp("done_at", nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("campaign_id", "kind", "due_at", name="uq_campaign_events_once"),
)

mail_outbox = table_with_id(
    "mail_outbox",
    reference("campaign_id", campaigns.c.id, index=True),
    reference("rater_id", raters.c.id, nullable=True),
    reference("participant_id", participants.c.id, nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    address("to_addr"),
    sa.Column("status", sa.String(10), nullable=False, server_default="queued"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    timestamp("created_at", nullable=False),
    timestamp("next_attempt_at", nullable=False),
    timestamp("sent_at"),
    sa.Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),
)

account_links = token_link_table(
    "account_links",
    "user_id",
    "users.id",
    timestamp("used_at"),
)

PROGRAMME_TABLES: tuple[sa.Table, ...] = (campaign_events, mail_outbox, account_links)
