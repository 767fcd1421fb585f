"""What a campaign's reports compare with, for every door: the earlier campaign of the same
people ("since last time") and a norm group (percentiles).

An admin sets them once per campaign (`bifocals campaign baseline`, the campaign page); then
every report of the campaign (page, PDF, zip, CLI) carries them, read through `report_extras`:
the earlier campaign is read as results are read (services.results.load_results: audited,
marked seen) and compared by scoring.retest; the norm by services.norms.load_norm. Only shown
cells enter either, so the campaigns' anonymity rules hold for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bifocals.errors import Conflict, Invalid, NotFound
from bifocals.locale.names import NO_RESULTS_NOTE, NOT_RELEASED_NOTE
from bifocals.scoring.norms import NormTable, Percentile, participant_percentiles
from bifocals.scoring.retest import ScaleChange, compare_campaigns
from bifocals.services.accounts import write_audit
from bifocals.services.campaigns import ResultsRead
from bifocals.services.norms import load_norm, norm_group
from bifocals.services.results import Results, load_results
from bifocals.services.security import User, now
from bifocals.store import Store
from bifocals.store.norm_tables import campaign_baselines, norm_groups
from bifocals.store.tables import campaigns

if TYPE_CHECKING:
    from bifocals.reports.files import CampaignOptions


@dataclass(frozen=True)
class Baseline:
    """A campaign's comparisons (None: not set)."""

    previous: str | None = None
    code_map: dict[str, str] = field(default_factory=dict)
    norms: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"previous": self.previous, "code_map": self.code_map, "norms": self.norms}


@dataclass(frozen=True)
class ReportExtras:
    """What a report adds to the scores: change since the earlier campaign, percentiles."""

    compared_with: str | None = None
    changes: dict[str, tuple[ScaleChange, ...]] | None = None
    unmatched: tuple[str, ...] = ()
    norm: NormTable | None = None
    percentiles: dict[str, tuple[Percentile, ...]] | None = None
    notes: tuple[str, ...] = ()  # why a comparison that is set could not be made

    def report_options(self, names: dict[str, str], languages: dict[str, str]) -> CampaignOptions:
        """The options write_reports and zip_reports take: these comparisons, with the
        participants' names and report languages."""
        return {
            "names": names,
            "languages": languages,
            "changes": self.changes,
            "compared_with": self.compared_with,
            "percentiles": self.percentiles,
            "norm_name": None if self.norm is None else self.norm.name,
            "notes": self.notes,
        }


def _campaign(conn: sa.Connection, name: str) -> Any:
    row = conn.execute(
        sa.select(
            campaigns.c.id, campaigns.c.name, campaigns.c.instrument_id, campaigns.c.status
        ).where(campaigns.c.name == name)
    ).first()
    if row is None:
        raise NotFound(f"no campaign named {name!r}; see `bifocals campaign list`", "name")
    return row


def get_baseline(store: Store, campaign_id: int) -> Baseline:
    """The campaign's comparisons (an empty Baseline when none is set)."""
    prev = campaigns.alias("prev")
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(prev.c.name, campaign_baselines.c.code_map, norm_groups.c.name.label("norm"))
            .select_from(campaign_baselines)
            .outerjoin(prev, prev.c.id == campaign_baselines.c.previous_id)
            .outerjoin(norm_groups, norm_groups.c.id == campaign_baselines.c.norm_group_id)
            .where(campaign_baselines.c.campaign_id == campaign_id)
        ).first()
    if row is None:
        return Baseline()
    code_map = {str(k): str(v) for k, v in dict(row.code_map or {}).items()}
    return Baseline(row.name, code_map if row.name else {}, row.norm)


def set_baseline(
    store: Store,
    campaign: str,
    user: User | None,
    *,
    previous: str | None,
    code_map: dict[str, str] | None = None,
    norms: str | None,
) -> Baseline:
    """Set (or, with None, clear) what the campaign's reports compare with; audited.

    The earlier campaign must be another one on the same instrument, and the norm group one
    on that instrument too."""
    with store.engine.begin() as conn:
        row = _campaign(conn, campaign)
        prev_id: int | None = None
        if previous is not None:
            prev_row = _campaign(conn, previous)
            if prev_row.id == row.id:
                raise Invalid("compare with another campaign, not with itself", "previous")
            if prev_row.instrument_id != row.instrument_id:
                raise Invalid(
                    f"campaign {previous!r} uses instrument {prev_row.instrument_id}, not "
                    f"{row.instrument_id}: only campaigns on one instrument can be compared",
                    "previous",
                )
            prev_id = int(prev_row.id)
        norm_id: int | None = None
        if norms is not None:
            group = norm_group(store, norms)
            if group.instrument_id != row.instrument_id:
                raise Invalid(
                    f"norm group {norms!r} is for instrument {group.instrument_id}, not "
                    f"{row.instrument_id}",
                    "norms",
                )
            norm_id = conn.execute(
                sa.select(norm_groups.c.id).where(norm_groups.c.name == norms)
            ).scalar_one()
        kept_map = dict(code_map or {}) if prev_id is not None else {}
        values: dict[str, Any] = {
            "previous_id": prev_id,
            "code_map": kept_map,
            "norm_group_id": norm_id,
            "updated_at": now(),
            "updated_by": "cli" if user is None else user.email,
        }
        done = conn.execute(
            sa.update(campaign_baselines)
            .where(campaign_baselines.c.campaign_id == row.id)
            .values(**values)
        ).rowcount
        if not done:
            conn.execute(sa.insert(campaign_baselines).values(campaign_id=row.id, **values))
        detail = f"previous={previous or '-'} map={len(kept_map)} norms={norms or '-'}"
        write_audit(conn, user, "campaign.baseline", f"campaign:{campaign}", detail, int(row.id))
    return get_baseline(store, int(row.id))


def report_extras(
    store: Store,
    results: Results,
    read: ResultsRead,
    *,
    previous: str | None = None,
    code_map: dict[str, str] | None = None,
    norms: str | None = None,
) -> ReportExtras:
    """The comparisons a report of `results` carries: those given, else the campaign's own.

    An earlier campaign that has no results (still collecting) gives a note instead of a
    section; any other error (a deleted norm group named explicitly, another instrument)
    is raised."""
    base = get_baseline(store, results.campaign_id)
    explicit_previous = previous is not None
    previous = previous or base.previous
    code_map = (
        code_map if code_map is not None else (base.code_map if not explicit_previous else {})
    )
    norms = norms or base.norms
    notes: list[str] = []
    compared_with = changes = None
    unmatched: tuple[str, ...] = ()
    if previous is not None:
        with store.engine.connect() as conn:
            old_row = _campaign(conn, previous)
        if int(old_row.id) == results.campaign_id:
            raise Invalid("compare with another campaign, not with itself", "previous")
        old_read = ResultsRead(read.user, read.action, f"campaign:{previous}", read.detail)
        if (
            read.user is not None
            and read.user.role == "participant"
            and old_row.status != "released"
        ):
            # a participant reads only released results: an earlier campaign whose reports
            # were never released gives them nothing, not even a difference
            notes.append(NOT_RELEASED_NOTE.format(campaign=previous))
            previous = None
    if previous is not None:
        try:
            old = load_results(store, int(old_row.id), old_read)
        except Conflict:
            notes.append(NO_RESULTS_NOTE.format(campaign=previous))
        else:
            compared_with = old.name
            changes = compare_campaigns(results.scores, old.scores, code_map)
            unmatched = tuple(
                p.participant for p in results.scores.participants if p.participant not in changes
            )
    table = percentiles = None
    if norms is not None:
        table = load_norm(store, norms, read.user, results.instrument.id)
        percentiles = {
            ps.participant: participant_percentiles(ps, table) for ps in results.scores.participants
        }
    return ReportExtras(compared_with, changes, unmatched, table, percentiles, tuple(notes))


def with_extras(data: dict[str, Any], extras: ReportExtras) -> dict[str, Any]:
    """The scores' JSON with, when compared, `compared_with`, `not_in_earlier` and per
    participant `change` (a list; empty for one not in the earlier campaign), and with a norm
    group, `norms` (its sizes) and per participant `percentiles`."""
    if extras.changes is not None:
        for p in data["participants"]:
            p["change"] = [c.to_dict() for c in extras.changes.get(p["participant"], ())]
        data["compared_with"] = extras.compared_with
        data["not_in_earlier"] = list(extras.unmatched)
    if extras.norm is not None and extras.percentiles is not None:
        for p in data["participants"]:
            p["percentiles"] = [x.to_dict() for x in extras.percentiles.get(p["participant"], ())]
        data["norms"] = extras.norm.to_dict()
    if extras.notes:
        data["notes"] = list(extras.notes)
    return data


def participant_extras(code: str, extras: ReportExtras) -> dict[str, Any]:
    """One participant's `change` and `percentiles` (as `with_extras` writes them), for a
    single report's JSON; empty when the campaign has no comparisons."""
    out: dict[str, Any] = {}
    if extras.changes is not None:
        out["change"] = [c.to_dict() for c in extras.changes.get(code, ())]
        out["compared_with"] = extras.compared_with
    if extras.norm is not None and extras.percentiles is not None:
        out["percentiles"] = [x.to_dict() for x in extras.percentiles.get(code, ())]
        out["norms"] = extras.norm.name
    if extras.notes:
        out["notes"] = list(extras.notes)
    return out
