"""Tables of the norm groups and of each campaign's baseline (migration 0010_norms): what a
norm is made of, not its scores.

- `norm_groups`: one row per named norm group on one instrument. kind "all" reads every closed
  or released campaign on the instrument at the moment the norm is used, "campaigns" the set in
  `norm_group_campaigns`, "external" the imported rows of `norm_scales`.
- `norm_group_campaigns`: the campaigns of a "campaigns" group.
- `norm_scales`: an external table, one row per scale (dimension and side): mean, sd, n and
  where the figures come from.
- `campaign_baselines`: what a campaign's reports compare with, set by an admin: the earlier
  campaign of the same people (with the participant codes that changed, new -> old) for the
  "since last time" section, and the norm group for percentiles. Either may be empty.

A norm from the organisation's history keeps no scores here: they are recomputed from the
campaigns' shown cells whenever the norm is used, so a campaign's anonymity rules hold for it.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.columns import address, reference, table_with_id, timestamp
from bifocals.store.meta import metadata
from bifocals.store.tables import campaigns

norm_groups = table_with_id(
    "norm_groups",
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("instrument_id", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("source", sa.String(500), nullable=False, server_default=""),
    timestamp("created_at", nullable=False),
    address("created_by"),
)

norm_group_campaigns = sa.Table(
    "norm_group_campaigns",
    metadata,
    reference("group_id", norm_groups.c.id, primary_key=True),
    reference("campaign_id", campaigns.c.id, primary_key=True),
)

norm_scales = table_with_id(
    "norm_scales",
    reference("group_id", norm_groups.c.id, index=True),
    sa.Column("dimension", sa.String(100), nullable=False),
    sa.Column("side", sa.String(20), nullable=False),
    sa.Column("mean", sa.Float, nullable=False),
    sa.Column("sd", sa.Float, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("source", sa.String(500), nullable=False, server_default=""),
    sa.UniqueConstraint("group_id", "dimension", "side", name="uq_norm_scales_scale"),
)

campaign_baselines = sa.Table(
    "campaign_baselines",
    metadata,
    reference("campaign_id", campaigns.c.id, primary_key=True),
    reference("previous_id", campaigns.c.id, ondelete="SET NULL", nullable=True),
    sa.Column("code_map", sa.JSON, nullable=False),
    reference("norm_group_id", norm_groups.c.id, ondelete="SET NULL", nullable=True),
    timestamp("updated_at", nullable=False),
    address("updated_by"),
)
