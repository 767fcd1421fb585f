"""Tables of development plans and their pulse checks (migration 0011_plans).

- `development_plans`: one plan per participant of a released campaign: up to three scales
  (`dimension.side`), the actions, the support wanted, the date of the pulse check, and whom
  the participant shares it with (their coach: the campaign's facilitators; their manager: a
  private read-only link). `pulse_campaign_id` is the pulse campaign made at that date.
- `plan_links`: the private read-only links a participant hands to their manager (only the
  hash is kept; unsharing or a new link revokes the older ones).
- `pulse_campaigns`: which campaigns are pulse checks, of which plan and full campaign.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.columns import reference, table_with_id, timestamp, token_link_table
from bifocals.store.tables import campaigns, participants

MAX_PLAN_SCALES = 3

development_plans = table_with_id(
    "development_plans",
    reference("participant_id", participants.c.id, unique=True),
    sa.Column("scales", sa.JSON, nullable=False),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("support", sa.Text, nullable=False, server_default=""),
    sa.Column("pulse_on", sa.Date, nullable=False),
    sa.Column("share_coach", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("share_manager", sa.Boolean, nullable=False, server_default=sa.false()),
    timestamp("created_at", nullable=False),
    timestamp("updated_at", nullable=False),
    reference("pulse_campaign_id", campaigns.c.id, ondelete="SET NULL", nullable=True),
)

plan_links = token_link_table("plan_links", "plan_id", development_plans.c.id)

pulse_campaigns = sa.Table(
    "pulse_campaigns",
    development_plans.metadata,
    reference("campaign_id", campaigns.c.id, primary_key=True),
    reference("plan_id", development_plans.c.id),
    reference("full_campaign_id", campaigns.c.id),
)
