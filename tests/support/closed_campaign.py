"""A closed campaign with small groups and a pooled case, and users of every role, for tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bifocals.instruments import get_instrument
from bifocals.store.app_tables import campaign_facilitators
from bifocals.store.tables import campaigns, participants, raters
from support.web import add_user, store_at

# P1: manager 1, peers 3 (shown), direct reports 1 (below threshold: suppressed).
# P2: peers 2 + direct reports 1 (each below threshold, pooled to 3), manager 1.
LAYOUT: dict[str, list[tuple[str, str]]] = {
    "P1": [
        ("self", "S1"),
        ("manager", "M1"),
        ("peer", "A1"),
        ("peer", "A2"),
        ("peer", "A3"),
        ("direct_report", "D1"),
    ],
    "P2": [
        ("self", "S2"),
        ("manager", "M2"),
        ("peer", "B1"),
        ("peer", "B2"),
        ("direct_report", "E1"),
    ],
}
LONE_COMMENT = "Lonely direct report remark zq17"
SECRET_VALUE_ITEM = "FG-L1"


@dataclass(frozen=True)
class Site:
    """Ids of what seeded_site created."""

    url: str
    campaign_id: int
    other_campaign_id: int
    pids: dict[str, int]
    rater_names: list[str]
    rater_emails: list[str]


def campaign_csv() -> str:
    """Answers of every rater in LAYOUT, with a comment each."""
    inst = get_instrument(None)
    rnd = random.Random(7)
    lines = ["participant,rater,group,item,value"]
    for code, people in LAYOUT.items():
        for group, rater in people:
            for item in inst.items:
                lines.append(f"{code},{rater},{group},{item.id},{rnd.randint(2, 5)}")
            text = LONE_COMMENT if rater == "D1" else f"Keeps the plan clear {rater.lower()}"
            lines.append(f'{code},{rater},{group},Q1,"{text}"')
    return "\n".join(lines) + "\n"


def seeded_site(url: str, tmp: Path) -> Site:
    """Two closed campaigns; admin, facilitator (of the first), outsider facilitator, and
    participant accounts p1 (P1) and p2 (P2). Raters get names and e-mails."""
    path = tmp / "answers.csv"
    path.write_text(campaign_csv(), encoding="utf-8")
    with store_at(url) as store:
        store.import_campaign_csv(path, "Autumn")
        store.import_campaign_csv(path, "Other")
        with store.engine.begin() as conn:
            cid = conn.execute(
                sa.select(campaigns.c.id).where(campaigns.c.name == "Autumn")
            ).scalar_one()
            other = conn.execute(
                sa.select(campaigns.c.id).where(campaigns.c.name == "Other")
            ).scalar_one()
            pids = {
                r.code: r.id
                for r in conn.execute(
                    sa.select(participants.c.code, participants.c.id).where(
                        participants.c.campaign_id == cid
                    )
                )
            }
            for pcode, pid in pids.items():
                conn.execute(
                    sa.update(participants)
                    .where(participants.c.id == pid)
                    .values(name=f"Person {pcode}")
                )
            names, emails = [], []
            for row in conn.execute(sa.select(raters.c.id)).all():
                name, email = f"Ratername{row.id}x", f"rater{row.id}x@example.org"
                names.append(name)
                emails.append(email)
                conn.execute(
                    sa.update(raters).where(raters.c.id == row.id).values(name=name, email=email)
                )
    add_user(url, "admin@example.org", "admin")
    fac = add_user(url, "fac@example.org", "facilitator")
    add_user(url, "outsider@example.org", "facilitator")
    add_user(url, "p1@example.org", "participant", campaign="Autumn", participant="P1")
    add_user(url, "p2@example.org", "participant", campaign="Autumn", participant="P2")
    with store_at(url) as store, store.engine.begin() as conn:
        conn.execute(sa.insert(campaign_facilitators).values(campaign_id=cid, user_id=fac))
    return Site(url, int(cid), int(other), pids, names, emails)


def release(url: str, campaign_id: int) -> None:
    """Release the campaign (as the test's admin would)."""
    from bifocals.services.campaigns import change_status
    from bifocals.services.security import User

    with store_at(url) as store:
        change_status(store, User(1, "admin@example.org", "admin", None), campaign_id, "release")
