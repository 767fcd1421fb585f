"""The demo initiative with admin, facilitator and participant accounts, for the change pages."""

from __future__ import annotations

from bifocals.instruments import get_instrument
from bifocals.scoring.model import Thresholds
from bifocals.services.accounts import create_user
from bifocals.services.campaigns import create_campaign
from bifocals.services.change_records import load_demo_initiative
from bifocals.services.initiatives import assign_by_email
from bifocals.services.people import add_participant
from bifocals.services.security import User
from support.web import PASSWORD, add_user, store_at

DEMO = "Move the order system to the cloud"


def seed(url: str) -> None:
    """The demo initiative, an admin, a facilitator and a participant account."""
    add_user(url, "admin@example.org", "admin")
    with store_at(url) as store:
        load_demo_initiative(store)
        coach_id = create_user(store, "coach@example.org", "facilitator", PASSWORD)
        assign_by_email(store, DEMO, "coach@example.org")
        coach = User(coach_id, "coach@example.org", "facilitator", None)
        cid = create_campaign(store, coach, "Autumn 2026", get_instrument().id, Thresholds(), None)
        with store.engine.begin() as conn:
            add_participant(conn, coach, cid, "P01", "Amara Okafor", "p01@example.org")
        create_user(
            store,
            "p01@example.org",
            "participant",
            PASSWORD,
            campaign="Autumn 2026",
            participant="P01",
        )
