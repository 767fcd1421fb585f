"""Display names of a campaign's participants, for reports (codes stay the keys)."""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store import Store
from bifocals.store.tables import campaigns, participants


def participant_display_names(store: Store, campaign: str) -> dict[str, str]:
    """Participant code -> name, for participants that have a name."""
    query = (
        sa.select(participants.c.code, participants.c.name)
        .join(campaigns, campaigns.c.id == participants.c.campaign_id)
        .where(campaigns.c.name == campaign, participants.c.name.is_not(None))
    )
    with store.engine.connect() as conn:
        return {code: name for code, name in conn.execute(query) if name}
