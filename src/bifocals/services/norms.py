"""Norm groups for every door: define one from the organisation's history, import an external
table, list, delete, and read one as a NormTable (scoring.norms) to give percentiles.

A history norm reads its campaigns as every door reads results (services.results.load_results:
closed or released only, the read audited and marked seen, anonymity applied), so it is made of
shown "all raters except self" cells only. Kind "all" takes every closed or released campaign on
the instrument at the moment the norm is used; "campaigns" a named set, which must all have
results. A server process pools the same campaigns once (they are frozen once seen). An
external table (CSV or .xlsx: scale, mean, sd, n, source) is validated whole, and a
file with any problem changes nothing.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bifocals.errors import Conflict, Invalid, NotFound, Problem, ValidationError
from bifocals.framework.model import Side
from bifocals.instruments.catalogue import get_instrument
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import CampaignScores
from bifocals.scoring.norms import NormKind, NormTable, ScaleNorm, history_norm
from bifocals.services.accounts import write_audit
from bifocals.services.campaigns import ResultsRead
from bifocals.services.results import load_results
from bifocals.services.security import User, now
from bifocals.store import Store
from bifocals.store.norm_tables import (
    campaign_baselines,
    norm_group_campaigns,
    norm_groups,
    norm_scales,
)
from bifocals.store.plan_tables import pulse_campaigns
from bifocals.store.sheets import header_refused, read_headed_table
from bifocals.store.tables import campaigns

NORM_COLUMNS = ("scale", "mean", "sd", "n", "source")
RESULT_STATUSES = ("closed", "released")
MAX_NAME = 200


@dataclass(frozen=True)
class NormGroup:
    """A stored norm group: what it is made of (its scores are computed when it is used)."""

    name: str
    instrument_id: str
    kind: NormKind
    source: str
    campaigns: tuple[str, ...]
    scales: int  # external tables: rows imported; history: 0

    def describe(self) -> str:
        """One line for listings."""
        if self.kind == "all":
            return f"every closed or released campaign on {self.instrument_id}"
        if self.kind == "campaigns":
            return f"{len(self.campaigns)} campaign(s): " + ", ".join(self.campaigns)
        return f"external table of {self.scales} scales ({self.source})"


def scale_key(dimension: str, side: str) -> str:
    """How a scale is written in a norm table: dimension.side (e.g. focus_goals.leadership)."""
    return f"{dimension}.{side}"


def instrument_scales(instrument: Instrument) -> dict[str, tuple[str, Side]]:
    """The instrument's scales, keyed as `scale_key` writes them."""
    return {scale_key(i.dimension, i.side): (i.dimension, i.side) for i in instrument.items}


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME:
        raise Invalid(f"a norm group needs a name of 1 to {MAX_NAME} characters", "name")
    return clean


def _instrument(instrument_id: str) -> Instrument:
    """The instrument (the catalogue's ValidationError names an unknown id and the known ones)."""
    return get_instrument(instrument_id)


def _insert_group(
    conn: sa.Connection, name: str, instrument_id: str, kind: NormKind, source: str, who: str
) -> int:
    taken = conn.execute(sa.select(norm_groups.c.id).where(norm_groups.c.name == name)).first()
    if taken is not None:
        raise Conflict(
            f"a norm group named {name!r} exists; delete it first (`bifocals norms delete`)",
            "name",
        )
    gid = conn.execute(
        sa.insert(norm_groups).values(
            name=name,
            instrument_id=instrument_id,
            kind=kind,
            source=source[:500],
            created_at=now(),
            created_by=who,
        )
    ).inserted_primary_key
    assert gid is not None
    return int(gid[0])


def define_history_norm(
    store: Store,
    name: str,
    instrument_id: str,
    campaign_names: Sequence[str],
    user: User | None,
) -> NormGroup:
    """A norm group from the organisation's history: the named campaigns, or (none named)
    every closed or released campaign on the instrument whenever the norm is used."""
    name = _check_name(name)
    inst = _instrument(instrument_id)
    kind: NormKind = "campaigns" if campaign_names else "all"
    who = "cli" if user is None else user.email
    with store.engine.begin() as conn:
        ids: list[int] = []
        for cname in dict.fromkeys(campaign_names):
            row = conn.execute(
                sa.select(campaigns.c.id, campaigns.c.instrument_id).where(
                    campaigns.c.name == cname
                )
            ).first()
            if row is None:
                raise NotFound(f"no campaign named {cname!r}; see `bifocals campaign list`", "name")
            if row.instrument_id != inst.id:
                raise Invalid(
                    f"campaign {cname!r} uses instrument {row.instrument_id}, not {inst.id}: "
                    "a norm group holds one instrument",
                    "campaign",
                )
            ids.append(int(row.id))
        gid = _insert_group(conn, name, inst.id, kind, "", who)
        for cid in ids:
            conn.execute(sa.insert(norm_group_campaigns).values(group_id=gid, campaign_id=cid))
        write_audit(conn, user, "norms.define", f"norms:{name}", f"{kind} {len(ids)} campaigns")
    return norm_group(store, name)


def read_norm_table(
    data: bytes, source: str, instrument: Instrument
) -> list[tuple[str, Side, float, float, int, str]]:
    """The rows of an external norm table, validated whole: (dimension, side, mean, sd, n,
    source). Every problem names the file, line, field and value."""
    records, header = read_headed_table(data, source, "norm table", NORM_COLUMNS)
    missing = [c for c in NORM_COLUMNS if c not in header]
    if missing:
        raise header_refused(
            source,
            records[0],
            f"missing column(s) {', '.join(missing)}; the header is " + ",".join(NORM_COLUMNS),
        )
    problems: list[Problem] = []
    col = {c: header.index(c) for c in NORM_COLUMNS}
    scales = instrument_scales(instrument)
    low, high = instrument.scale.min, instrument.scale.max
    out: list[tuple[str, Side, float, float, int, str]] = []
    seen: dict[str, int] = {}
    for rec in records[1:]:
        cells = [c.strip() for c in rec.cells]
        if not any(cells):
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            i = col[field]
            return cells[i] if i < len(cells) else ""

        def bad(field: str, value: object, message: str, line: int = rec.line) -> None:
            problems.append(Problem(source, line, field, value, message))

        scale = cell("scale")
        if scale not in scales:
            bad(
                "scale",
                scale,
                f"not a scale of {instrument.id}; write dimension.side, one of "
                + ", ".join(sorted(scales)[:6])
                + ", ...",
            )
        elif scale in seen:
            bad("scale", scale, f"this scale is already on line {seen[scale]}; keep one line")
        else:
            seen[scale] = rec.line
        mean = _number(cell("mean"))
        if mean is None or not low <= mean <= high:
            bad("mean", cell("mean"), f"write the scale mean, a number from {low} to {high}")
        sd = _number(cell("sd"))
        if sd is None or sd < 0 or sd > high - low:
            bad("sd", cell("sd"), f"write the standard deviation, from 0 to {high - low}")
        n_text = cell("n")
        n = int(n_text) if n_text.isdigit() else None
        if n is None or n < 1:
            bad("n", n_text, "write how many people the figures come from, a whole number >= 1")
        origin = cell("source")
        if not origin:
            bad("source", origin, "say where the figures come from (a study, a vendor, a year)")
        if scale in scales and mean is not None and sd is not None and n is not None:
            dim, side = scales[scale]
            out.append((dim, side, mean, sd, n, origin[:500]))
    if not out and not problems:
        problems.append(Problem(source, None, "scale", "", "the table has no scale rows"))
    if problems:
        raise ValidationError(problems, f"{source}: the norm table has problems; nothing was saved")
    return out


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".")) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def import_external_norm(
    store: Store, name: str, instrument_id: str, data: bytes, source: str, user: User | None
) -> NormGroup:
    """Store an external norm table (validated whole first; a bad file changes nothing)."""
    name = _check_name(name)
    inst = _instrument(instrument_id)
    rows = read_norm_table(data, source, inst)
    who = "cli" if user is None else user.email
    with store.engine.begin() as conn:
        gid = _insert_group(conn, name, inst.id, "external", source, who)
        conn.execute(
            sa.insert(norm_scales),
            [
                {
                    "group_id": gid,
                    "dimension": d,
                    "side": s,
                    "mean": m,
                    "sd": sd,
                    "n": n,
                    "source": src,
                }
                for d, s, m, sd, n, src in rows
            ],
        )
        write_audit(
            conn, user, "norms.import", f"norms:{name}", f"{len(rows)} scales from {source}"
        )
    return norm_group(store, name)


def _group_row(conn: sa.Connection, name: str) -> sa.Row[tuple[object, ...]]:
    row = conn.execute(sa.select(norm_groups).where(norm_groups.c.name == name)).first()
    if row is None:
        raise NotFound(f"no norm group named {name!r}; see `bifocals norms list`", "norms")
    return row


def _campaign_names(conn: sa.Connection, gid: int) -> tuple[str, ...]:
    return tuple(
        conn.execute(
            sa.select(campaigns.c.name)
            .join(norm_group_campaigns, norm_group_campaigns.c.campaign_id == campaigns.c.id)
            .where(norm_group_campaigns.c.group_id == gid)
            .order_by(campaigns.c.name)
        ).scalars()
    )


def norm_group(store: Store, name: str) -> NormGroup:
    """One stored norm group (NotFound names the listing command)."""
    with store.engine.connect() as conn:
        row = _group_row(conn, name)
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(norm_scales)
            .where(norm_scales.c.group_id == row.id)
        ).scalar_one()
        return NormGroup(
            name=str(row.name),
            instrument_id=str(row.instrument_id),
            kind=_kind(str(row.kind)),
            source=str(row.source),
            campaigns=_campaign_names(conn, int(row.id)),
            scales=int(count),
        )


def _kind(value: str) -> NormKind:
    if value == "all":
        return "all"
    if value == "campaigns":
        return "campaigns"
    return "external"


def list_norm_groups(store: Store) -> list[NormGroup]:
    """Every norm group, by name."""
    with store.engine.connect() as conn:
        names = list(
            conn.execute(sa.select(norm_groups.c.name).order_by(norm_groups.c.name)).scalars()
        )
    return [norm_group(store, n) for n in names]


def delete_norm_group(store: Store, name: str, user: User | None) -> None:
    """Remove a norm group (campaigns and their answers are untouched); audited."""
    with store.engine.begin() as conn:
        row = _group_row(conn, name)
        conn.execute(
            sa.delete(norm_group_campaigns).where(norm_group_campaigns.c.group_id == row.id)
        )
        conn.execute(sa.delete(norm_scales).where(norm_scales.c.group_id == row.id))
        conn.execute(
            sa.update(campaign_baselines)
            .where(campaign_baselines.c.norm_group_id == row.id)
            .values(norm_group_id=None)
        )
        conn.execute(sa.delete(norm_groups).where(norm_groups.c.id == row.id))
        write_audit(conn, user, "norms.delete", f"norms:{name}")


def load_norm(store: Store, name: str, user: User | None, instrument_id: str) -> NormTable:
    """The norm group as a NormTable for percentiles of a campaign on `instrument_id`.

    History norms read each campaign through load_results (audited, marked seen)."""
    group = norm_group(store, name)
    if group.instrument_id != instrument_id:
        raise Invalid(
            f"norm group {name!r} is for instrument {group.instrument_id}, not {instrument_id}",
            "norms",
        )
    if group.kind == "external":
        with store.engine.connect() as conn:
            gid = _group_row(conn, name).id
            rows = conn.execute(
                sa.select(norm_scales)
                .where(norm_scales.c.group_id == gid)
                .order_by(norm_scales.c.id)
            ).all()
        scales = {
            (str(r.dimension), side): ScaleNorm(
                str(r.dimension), side, int(r.n), float(r.mean), float(r.sd), (), str(r.source)
            )
            for r in rows
            for side in (_side(str(r.side)),)
        }
        return NormTable(group.name, "external", scales)
    return _history_table(store, group, user)


# History norms already computed in this process, by database, group and exact campaigns. A
# campaign enters a norm only through a read that marks its results seen, and a seen campaign
# can no longer change (no re-open, no threshold change, no answers: services.campaigns), so
# the same campaigns always give the same norm: a report view then does not rescore every
# campaign of the organisation's history. The key changes when a campaign joins, is deleted
# or is replaced (its id, name and creation time).
_POOLED: OrderedDict[tuple[object, ...], NormTable] = OrderedDict()
_POOLED_LOCK = threading.Lock()
MAX_POOLED = 64


def _history_table(store: Store, group: NormGroup, user: User | None) -> NormTable:
    chosen = _history_campaigns(store, group)
    key = (str(store.engine.url), group.name, group.kind, group.instrument_id, chosen)
    with _POOLED_LOCK:
        if key in _POOLED:
            _POOLED.move_to_end(key)
            return _POOLED[key]
    waves = [(name, _read(store, cid, name, group.name, user)) for cid, name, _ in chosen]
    table = history_norm(group.name, group.kind, waves)
    with _POOLED_LOCK:
        _POOLED[key] = table
        while len(_POOLED) > MAX_POOLED:
            _POOLED.popitem(last=False)
    return table


def _side(value: str) -> Side:
    return "leadership" if value == "leadership" else "management"


def _history_campaigns(store: Store, group: NormGroup) -> tuple[tuple[int, str, str], ...]:
    """(id, name, creation time) of the group's campaigns, in the group's order."""
    query = sa.select(campaigns.c.id, campaigns.c.name, campaigns.c.created_at)
    with store.engine.connect() as conn:
        if group.kind == "campaigns":
            found = {
                r.name: r for r in conn.execute(query.where(campaigns.c.name.in_(group.campaigns)))
            }
            missing = [c for c in group.campaigns if c not in found]
            if missing:
                raise NotFound(
                    f"campaign {missing[0]!r} of norm group {group.name!r} no longer exists",
                    "norms",
                )
            rows = [found[c] for c in group.campaigns]
        else:
            rows = list(
                conn.execute(
                    query.where(
                        campaigns.c.instrument_id == group.instrument_id,
                        campaigns.c.status.in_(RESULT_STATUSES),
                        # a pulse check asks a few scales of one person: not a norm occasion
                        campaigns.c.id.not_in(sa.select(pulse_campaigns.c.campaign_id)),
                    ).order_by(campaigns.c.id)
                )
            )
    return tuple((int(r.id), str(r.name), str(r.created_at)) for r in rows)


def _read(
    store: Store, campaign_id: int, campaign: str, norm: str, user: User | None
) -> CampaignScores:
    read = ResultsRead(user, "report.norm", f"campaign:{campaign}", f"pooled into norm {norm!r}")
    return load_results(store, campaign_id, read).scores
