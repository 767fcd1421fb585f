"""Shared set-up for the survey tests: an open campaign with one participant and raters, each
with a fresh invitation link, straight in a real database."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from bifocals.instruments import get_instrument
from bifocals.services.token_links import LinkKind, issue
from bifocals.store.tables import campaigns, participants, raters
from support.web import store_at

INSTRUMENT = "bifocals_open_360"
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
VERSION = re.compile(r'data-version="(\d+)"')


@dataclass
class Seeded:
    campaign_id: int
    participant_id: int
    rater_ids: dict[str, int]
    tokens: dict[str, str]


def seed(
    url: str,
    codes: tuple[str, ...] = ("SELF", "R1", "R2"),
    name: str = "Spring",
    instrument: str = INSTRUMENT,
) -> Seeded:
    """An open campaign, participant P01 (Ana Lima), a self rater SELF and peers R1, R2..."""
    with store_at(url) as store:
        cid = store.create_campaign(name, instrument, status="open")
        with store.engine.begin() as conn:
            pid = int(
                conn.execute(
                    sa.insert(participants)
                    .values(campaign_id=cid, code="P01", name="Ana Lima")
                    .returning(participants.c.id)
                ).scalar_one()
            )
            rids: dict[str, int] = {}
            tokens: dict[str, str] = {}
            for code in codes:
                rid = int(
                    conn.execute(
                        sa.insert(raters)
                        .values(
                            campaign_id=cid,
                            participant_id=pid,
                            code=code,
                            group="self" if code == "SELF" else "peer",
                            name=f"Rater {code}",
                        )
                        .returning(raters.c.id)
                    ).scalar_one()
                )
                rids[code] = rid
                tokens[code] = issue(conn, LinkKind.INVITATION, rid, 30)
    return Seeded(cid, pid, rids, tokens)


def set_status(url: str, cid: int, status: str) -> None:
    with store_at(url) as store, store.engine.begin() as conn:
        conn.execute(sa.update(campaigns).where(campaigns.c.id == cid).values(status=status))


def full_answers(value: str = "4", text: str = "Keeps the weekly plan visible.") -> dict[str, str]:
    """Form fields answering every item with `value` and each open question with `text`."""
    inst = get_instrument(INSTRUMENT)
    out = {f"a_{i}": value for i in inst.item_ids}
    out.update({f"a_{q}": text for q in inst.question_ids})
    return out


def half(n: int) -> int:
    return (len(get_instrument(INSTRUMENT).item_ids) + 1) // 2 + n
