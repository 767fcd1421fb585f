"""The rater rows that the links sheet, the deliveries, the outbox and the progress page read:
each rater with their participant's code, name and language."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bifocals.store.tables import participants, raters


def rater_rows(*extra: Any) -> sa.Select[Any]:
    """Raters joined with their participant: the rater's own columns (id, campaign_id,
    participant_id, name, email, group, code, submitted_at, language), the participant's as
    pcode, pname and planguage, then `extra`. Callers add the where and the order."""
    return sa.select(
        raters.c.id,
        raters.c.campaign_id,
        raters.c.participant_id,
        raters.c.name,
        raters.c.email,
        raters.c.group,
        raters.c.code,
        raters.c.submitted_at,
        raters.c.language,
        participants.c.code.label("pcode"),
        participants.c.name.label("pname"),
        participants.c.language.label("planguage"),
        *extra,
    ).join(participants, participants.c.id == raters.c.participant_id)
