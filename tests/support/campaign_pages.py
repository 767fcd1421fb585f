"""Campaign pages driven over HTTP by a signed-in facilitator: create a campaign, add a
participant, count rows."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.store.tables import participants


def make_campaign(client: TestClient, token: str, name: str = "Spring") -> int:
    r = client.post(
        "/campaigns/new",
        data={
            "csrf_token": token,
            "name": name,
            "instrument": "bifocals_open_360",
            "deadline": "2030-05-01",
            "threshold_peer": "3",
        },
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def add_person(client: TestClient, token: str, cid: int, code: str, **kw: str) -> int:
    r = client.post(
        f"/campaigns/{cid}/participants", data={"csrf_token": token, "code": code, **kw}
    )
    assert r.status_code == 303
    engine = client.app.state.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(participants.c.id).where(
                    participants.c.campaign_id == cid, participants.c.code == code
                )
            ).scalar_one()
        )


def count(client: TestClient, table: sa.Table, *where: object) -> int:
    engine = client.app.state.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
        )  # type: ignore[arg-type]
