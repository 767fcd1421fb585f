"""The Store: campaigns in the database (create, list, delete, thresholds, import, export, load)."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.instruments import get_instrument
from bifocals.instruments.catalogue import campaign_instrument, instrument_snapshot
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import CampaignData, Thresholds
from bifocals.store.bulk import export_rows, insert_parsed, load_arrays
from bifocals.store.csvformat import parse_campaign_csv, write_campaign_csv
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


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    name: str
    instrument_id: str
    participants: int
    raters: int
    rows: int
    replaced: bool


def _utc(d: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return d.replace(tzinfo=UTC) if d is not None and d.tzinfo is None else d


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

    def participant_names(self, name: str) -> dict[str, str]:
        """Participant code -> display name, for the participants of a campaign that have one."""
        with self.engine.connect() as conn:
            cid = self.campaign_id(conn, name)
            rows = conn.execute(
                sa.select(participants.c.code, participants.c.name).where(
                    participants.c.campaign_id == cid, participants.c.name.is_not(None)
                )
            )
            return {code: shown for code, shown in rows if shown}

    def set_participant_names(self, name: str, names: dict[str, str]) -> None:
        """Give participants of a campaign display names (code -> name), in one transaction."""
        with self.engine.begin() as conn:
            cid = self.campaign_id(conn, name)
            for code, shown in names.items():
                conn.execute(
                    sa.update(participants)
                    .where(participants.c.campaign_id == cid, participants.c.code == code)
                    .values(name=shown)
                )

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
                created_at=_utc(r.created_at) or r.created_at,
                deadline=_utc(r.deadline),
                closed_at=_utc(r.closed_at),
                released_at=_utc(r.released_at),
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
    def _who(conn: sa.Connection, cid: int) -> list[Any]:
        """(code, name, email) of a campaign's participants that have a name or an e-mail."""
        return list(
            conn.execute(
                sa.select(participants.c.code, participants.c.name, participants.c.email).where(
                    participants.c.campaign_id == cid,
                    sa.or_(participants.c.name.is_not(None), participants.c.email.is_not(None)),
                )
            )
        )

    @staticmethod
    def _delete(conn: sa.Connection, cid: int) -> None:
        rater_ids = sa.select(raters.c.id).where(raters.c.campaign_id == cid)
        conn.execute(sa.delete(responses).where(responses.c.rater_id.in_(rater_ids)))
        conn.execute(sa.delete(raters).where(raters.c.campaign_id == cid))
        conn.execute(sa.delete(participants).where(participants.c.campaign_id == cid))
        conn.execute(sa.delete(campaigns).where(campaigns.c.id == cid))

    def set_thresholds(self, name: str, **changes: int) -> Thresholds:
        """Change some anonymity thresholds of a campaign; returns the thresholds now in force.

        Keys: manager, peer, direct_report, other, pooled; each counts raters and must be at
        least 1. Values below the defaults (manager 1, others 3) weaken anonymity.
        """
        unknown = sorted(set(changes) - set(THRESHOLD_GROUPS))
        if unknown:
            raise BifocalsError(
                f"unknown threshold group(s) {', '.join(unknown)}; "
                f"use {', '.join(THRESHOLD_GROUPS)}"
            )
        for g, v in changes.items():
            if int(v) < 1:
                raise BifocalsError(
                    f"threshold {g}={v} is too low: thresholds count raters, use 1 or more"
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

    # -- create, import, export, load ---------------------------------------------------------

    def create_campaign(
        self,
        name: str,
        instrument_id: str | None = None,
        thresholds: Thresholds | None = None,
        *,
        status: str = "draft",
        deadline: datetime | None = None,
        instrument: Instrument | None = None,
    ) -> int:
        """Create an empty campaign; returns its id. BifocalsError if the name is taken."""
        inst = instrument or get_instrument(instrument_id)
        with self.engine.begin() as conn:
            self._check_free(conn, name, replace=False)
            return self._insert_campaign(
                conn, name, inst, thresholds or Thresholds(), status, deadline
            )

    @staticmethod
    def _check_free(conn: sa.Connection, name: str, replace: bool) -> int | None:
        """None if the name is free; the existing id if replace is allowed; else an error."""
        if not name.strip():
            raise BifocalsError("a campaign needs a name; give --name NAME")
        if len(name) > 200:
            raise BifocalsError(f"campaign name is {len(name)} characters; use at most 200")
        cid = conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).scalar()
        if cid is not None and not replace:
            raise BifocalsError(
                f"a campaign named {name!r} already exists; add --replace to overwrite it "
                "or choose another name"
            )
        return None if cid is None else int(cid)

    @staticmethod
    def _insert_campaign(
        conn: sa.Connection,
        name: str,
        inst: Instrument,
        thresholds: Thresholds,
        status: str,
        deadline: datetime | None,
        closed_at: datetime | None = None,
    ) -> int:
        cid = conn.execute(
            sa.insert(campaigns)
            .values(
                name=name,
                instrument_id=inst.id,
                instrument_version=inst.version,
                instrument_yaml=instrument_snapshot(inst),
                status=status,
                deadline=deadline,
                comment_salt=secrets.token_hex(16),
                created_at=datetime.now(UTC),
                closed_at=closed_at,
                **thresholds_columns(thresholds),
            )
            .returning(campaigns.c.id)
        ).scalar_one()
        return int(cid)

    def import_campaign_csv(
        self,
        path: Path | str,
        name: str,
        instrument_id: str | None = None,
        thresholds: Thresholds | None = None,
        *,
        replace: bool = False,
        instrument: Instrument | None = None,
    ) -> ImportResult:
        """Import a long-format CSV as a closed campaign, all or nothing.

        The file may carry participant and rater names and e-mails (csvformat.WHO_COLUMNS);
        they are stored with the participants and raters. Every problem in the file is
        collected and raised as one ValidationError; nothing is written then. An existing
        campaign of that name is an error unless replace=True; then participants whose code is
        in the new file keep their display name and e-mail where the file gives none.
        """
        inst = instrument or get_instrument(instrument_id)
        parsed = parse_campaign_csv(path, inst)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            old = self._check_free(conn, name, replace)
            kept: list[Any] = []
            if old is not None:
                kept = self._who(conn, old)
                self._delete(conn, old)
            cid = self._insert_campaign(
                conn, name, inst, thresholds or Thresholds(), "closed", None, closed_at=now
            )
            insert_parsed(conn, cid, parsed, now)
            for row in kept:  # names and e-mails follow their code where the file has none
                conn.execute(
                    sa.update(participants)
                    .where(participants.c.campaign_id == cid, participants.c.code == row.code)
                    .values(
                        name=sa.func.coalesce(participants.c.name, row.name),
                        email=sa.func.coalesce(participants.c.email, row.email),
                    )
                )
        return ImportResult(
            name=name,
            instrument_id=inst.id,
            participants=len(parsed.participants),
            raters=len(parsed.raters),
            rows=parsed.rows,
            replaced=old is not None,
        )

    def _campaign_row(self, conn: sa.Connection, name: str) -> Any:
        return conn.execute(
            sa.select(campaigns).where(campaigns.c.id == self.campaign_id(conn, name))
        ).one()

    def export_campaign_csv(
        self,
        name: str,
        out: TextIO | Path | str | None = None,
        instrument: Instrument | None = None,
    ) -> int:
        """Write a campaign in the import format (to a file path, a text stream, or stdout).

        The header is csvformat.EXPORT_COLUMNS: with each answer go the participant's and the
        rater's name and e-mail as stored (personal data: callers audit the export), so that
        an import of the file gives them back. Returns the number of answer rows written.
        The instrument (the campaign's own unless given) tells open questions from rating
        items for unanswered rows.
        """
        with self.engine.connect() as conn:
            row = self._campaign_row(conn, name)
            try:
                inst = instrument or campaign_instrument(row.instrument_id, row.instrument_yaml)
                questions = frozenset(inst.question_ids)
            except BifocalsError:
                questions = frozenset()
            rows = export_rows(conn, int(row.id), questions)
            if out is None:
                return write_campaign_csv(rows, sys.stdout)
            if isinstance(out, (str, Path)):
                with open(out, "w", encoding="utf-8", newline="") as fh:
                    return write_campaign_csv(rows, fh)
            return write_campaign_csv(rows, out)

    def load_campaign_data(
        self, name: str, instrument: Instrument | None = None
    ) -> tuple[CampaignData, Instrument]:
        """A campaign's submitted answers as scoring arrays, with its instrument.

        Rows are raters ordered by participant, columns follow instrument.items, NaN means
        not observed; comments come from open-question answers. The instrument is the one the
        campaign names unless one is given.
        """
        with self.engine.connect() as conn:
            row = self._campaign_row(conn, name)
            inst = instrument or campaign_instrument(row.instrument_id, row.instrument_yaml)
            data = load_arrays(
                conn, int(row.id), name, inst, thresholds_of(row), str(row.comment_salt)
            )
        return data, inst
