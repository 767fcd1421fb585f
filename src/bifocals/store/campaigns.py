"""The Store: campaigns in the database (create, list, delete, thresholds, import, export, load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.scoring.model import Thresholds
from bifocals.store.tables import campaigns, participants, raters, responses

THRESHOLD_GROUPS: tuple[str, ...] = ("manager", "peer", "direct_report", "other", "pooled")


@dataclass(frozen=True)
class CampaignInfo:
    """A campaign as listed: identity, instrument, status, thresholds and counts."""

    id: int
    name: str
    instrument_id: str
    instrument_version: str
    status: str
    thresholds: Thresholds
    created_at: datetime
    deadline: datetime | None
    closed_at: datetime | None
    released_at: datetime | None
    participants: int
    raters: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def iso(d: datetime | None) -> str | None:
            return None if d is None else d.isoformat()

        return {
            "id": self.id,
            "name": self.name,
            "instrument_id": self.instrument_id,
            "instrument_version": self.instrument_version,
            "status": self.status,
            "thresholds": self.thresholds.to_dict(),
            "created_at": iso(self.created_at),
            "deadline": iso(self.deadline),
            "closed_at": iso(self.closed_at),
            "released_at": iso(self.released_at),
            "participants": self.participants,
            "raters": self.raters,
        }


def thresholds_of(row: Any) -> Thresholds:
    """The Thresholds stored on a campaigns row."""
    return Thresholds(**{g: int(getattr(row, f"threshold_{g}")) for g in THRESHOLD_GROUPS})


def thresholds_columns(t: Thresholds) -> dict[str, int]:
    """Thresholds as campaigns column values."""
    return {f"threshold_{g}": int(getattr(t, g)) for g in THRESHOLD_GROUPS}


class Store:
    """Campaign data in one database. Every write is one transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- campaigns -----------------------------------------------------------------------------

    def campaign_id(self, conn: sa.Connection, name: str) -> int:
        """The id of a campaign by name, or a BifocalsError saying how to find the names."""
        cid = conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).scalar()
        if cid is None:
            raise BifocalsError(
                f"no campaign named {name!r}; run `bifocals campaign list` to see the names"
            )
        return int(cid)

    def list_campaigns(self) -> list[CampaignInfo]:
        """Every campaign, by name, with participant and rater counts."""
        n_part = (
            sa.select(sa.func.count())
            .where(participants.c.campaign_id == campaigns.c.id)
            .scalar_subquery()
        )
        n_rat = (
            sa.select(sa.func.count()).where(raters.c.campaign_id == campaigns.c.id)
        ).scalar_subquery()
        q = sa.select(campaigns, n_part.label("n_part"), n_rat.label("n_rat")).order_by(
            campaigns.c.name
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [
            CampaignInfo(
                id=r.id,
                name=r.name,
                instrument_id=r.instrument_id,
                instrument_version=r.instrument_version,
                status=r.status,
                thresholds=thresholds_of(r),
                created_at=r.created_at,
                deadline=r.deadline,
                closed_at=r.closed_at,
                released_at=r.released_at,
                participants=int(r.n_part),
                raters=int(r.n_rat),
            )
            for r in rows
        ]

    def get_campaign(self, name: str) -> CampaignInfo:
        """One campaign by name (BifocalsError if there is none)."""
        for c in self.list_campaigns():
            if c.name == name:
                return c
        raise BifocalsError(
            f"no campaign named {name!r}; run `bifocals campaign list` to see the names"
        )

    def delete_campaign(self, name: str) -> None:
        """Delete a campaign and all its participants, raters and responses."""
        with self.engine.begin() as conn:
            self._delete(conn, self.campaign_id(conn, name))

    @staticmethod
    def _delete(conn: sa.Connection, cid: int) -> None:
        rater_ids = sa.select(raters.c.id).where(raters.c.campaign_id == cid)
        conn.execute(sa.delete(responses).where(responses.c.rater_id.in_(rater_ids)))
        conn.execute(sa.delete(raters).where(raters.c.campaign_id == cid))
        conn.execute(sa.delete(participants).where(participants.c.campaign_id == cid))
        conn.execute(sa.delete(campaigns).where(campaigns.c.id == cid))

    def set_thresholds(self, name: str, **changes: int) -> Thresholds:
        """Change some anonymity thresholds of a campaign; returns the thresholds now in force.

        Keys: manager, peer, direct_report, other, pooled. Each must be at least 1
        (the manager group may be 1; every other group at least 2 keeps single raters hidden).
        """
        unknown = sorted(set(changes) - set(THRESHOLD_GROUPS))
        if unknown:
            raise BifocalsError(
                f"unknown threshold group(s) {', '.join(unknown)}; "
                f"use {', '.join(THRESHOLD_GROUPS)}"
            )
        for g, v in changes.items():
            low = 1 if g == "manager" else 2
            if int(v) < low:
                raise BifocalsError(
                    f"threshold {g}={v} is too low: it must be at least {low} so that "
                    "no single rater's answers can be singled out"
                )
        with self.engine.begin() as conn:
            cid = self.campaign_id(conn, name)
            if changes:
                conn.execute(
                    sa.update(campaigns)
                    .where(campaigns.c.id == cid)
                    .values({f"threshold_{g}": int(v) for g, v in changes.items()})
                )
            row = conn.execute(sa.select(campaigns).where(campaigns.c.id == cid)).one()
        return thresholds_of(row)
