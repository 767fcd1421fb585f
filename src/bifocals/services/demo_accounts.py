"""Demo accounts for `make run`: an admin, a coach of the demo campaign and one participant.

The passwords are fixed and printed: this is for a local demo only, never for real data.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.services.accounts import create_user
from bifocals.store import Store
from bifocals.store.app_tables import campaign_facilitators, users
from bifocals.store.tables import participants

ADMIN = ("admin", "admin@demo.local", "demo-admin-2026")
COACH = ("facilitator", "coach@demo.local", "demo-coach-2026")
PARTICIPANT_PASSWORD = "demo-participant-2026"


def create_demo_accounts(store: Store, campaign_name: str) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts; returns (role, email, password) for each."""
    with store.engine.begin() as conn:
        cid = store.campaign_id(conn, campaign_name)
        code = conn.execute(
            sa.select(participants.c.code)
            .where(participants.c.campaign_id == cid)
            .order_by(participants.c.code)
        ).scalar()
        conn.execute(
            sa.delete(users).where(
                users.c.email.in_([ADMIN[1], COACH[1]])
                | users.c.email.like("%@participant.demo.local")
            )
        )
    if code is None:
        raise BifocalsError(f"campaign {campaign_name!r} has no participants")
    part_email = f"{code.lower()}@participant.demo.local"
    made = [ADMIN, COACH, ("participant", part_email, PARTICIPANT_PASSWORD)]
    create_user(store, ADMIN[1], ADMIN[0], ADMIN[2])
    coach_id = create_user(store, COACH[1], COACH[0], COACH[2])
    create_user(
        store,
        part_email,
        "participant",
        PARTICIPANT_PASSWORD,
        campaign=campaign_name,
        participant=code,
    )
    with store.engine.begin() as conn:
        conn.execute(sa.insert(campaign_facilitators).values(campaign_id=cid, user_id=coach_id))
    return made
