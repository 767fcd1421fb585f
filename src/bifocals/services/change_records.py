"""Stored initiatives, the change workbench's store adapter: import, list and load initiatives
(all-or-nothing).

The validated document is kept as JSON with its theme proposals and import time; reading it
back runs the same validation, so what the report shows is always what the loader accepts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from bifocals.change.effort_plan import EffortPlan, overlay_effort
from bifocals.change.loader import (
    demo_initiative_text,
    initiative_from_data,
    load_initiative,
    load_initiative_text,
)
from bifocals.change.model import ADKAR, AdkarResponse, Initiative, ThemeProposal, WebSurvey
from bifocals.change.proposals import Embedder, analyzer_embedder, with_proposals
from bifocals.change.readiness import pooling
from bifocals.errors import BifocalsError, Conflict
from bifocals.store.change_tables import (
    change_facilitators,
    change_initiatives,
    effort_imports,
    readiness_links,
    readiness_responses,
)

DEMO_SOURCE = "bifocals:change/data/demo_initiative.yaml"


class HasEngine(Protocol):
    """What the adapter needs from a store: an SQLAlchemy engine with the migrations applied."""

    @property
    def engine(self) -> sa.Engine:
        """The engine."""
        ...


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    name: str
    tasks: int
    proposals: int
    replaced: bool


def _proposals_json(props: tuple[ThemeProposal, ...]) -> list[dict[str, Any]]:
    return [
        {"task": p.task, "theme": p.theme, "confidence": p.confidence, "confirmed": p.confirmed}
        for p in props
    ]


def save_initiative(
    store: HasEngine,
    ini: Initiative,
    data: dict[str, Any],
    source: str,
    replace_existing: bool = False,
    embedder: Embedder | None = None,
    facilitator_id: int | None = None,
) -> ImportResult:
    """Store a validated initiative in one transaction; an existing name needs replace_existing.

    Replacing updates the stored row in place, so its facilitators and the readiness answers
    collected on the web stay. facilitator_id (a facilitator account importing it on the web)
    is assigned to the initiative.
    """
    ini = with_proposals(ini, embedder)
    t = change_initiatives
    values = {
        "source": source[:500],
        "document": data,
        "proposals": _proposals_json(ini.proposals),
        "imported_at": dt.datetime.now(dt.UTC),
    }
    # Take turns with the readiness survey's reads (as closing and answering do), so that no
    # read of the results slips in between the check below and the replacement.
    with survey_transaction(store.engine) as conn:
        existing = lock_initiative(conn, ini.name, for_update=True)
        if existing is not None and not replace_existing:
            raise BifocalsError(
                f"an initiative named '{ini.name}' already exists; nothing was imported. "
                "Use --replace to overwrite it, or change `name` in the file."
            )
        if existing is not None:
            iid = int(existing.id)
            _check_replacement_keeps_anonymity(conn, iid, ini, data, existing.document)
            conn.execute(sa.update(t).where(t.c.id == iid).values(**values))
        else:
            iid = conn.execute(
                sa.insert(t).values(name=ini.name, **values).returning(t.c.id)
            ).scalar_one()
        if facilitator_id is not None:
            f = change_facilitators
            known = conn.execute(
                sa.select(f.c.user_id).where(
                    f.c.initiative_id == iid, f.c.user_id == facilitator_id
                )
            ).first()
            if known is None:
                conn.execute(sa.insert(f).values(initiative_id=iid, user_id=facilitator_id))
    return ImportResult(ini.name, len(ini.tasks), len(ini.proposals), existing is not None)


def _readiness_part(document: Any) -> tuple[int, list[str]]:
    """min_respondents (default 3) and the file's readiness answers, as comparable strings."""
    part = document.get("readiness") if isinstance(document, dict) else None
    part = part if isinstance(part, dict) else {}
    raw_min = part.get("min_respondents", 3)
    min_n = raw_min if isinstance(raw_min, int) and not isinstance(raw_min, bool) else 3
    answers = part.get("responses") or []
    return min_n, sorted(json.dumps(a, sort_keys=True, default=str) for a in answers)


NEW_ROUND = (
    "To survey again under other rules, start a new initiative: import the file under a new "
    "`name` (for example with the period in it) and send new links; this one keeps its results."
)


def _check_replacement_keeps_anonymity(
    conn: sa.Connection, iid: int, ini: Initiative, data: dict[str, Any], stored: Any
) -> None:
    """Refuse a replacement that would let readiness answers be regrouped or padded.

    Once the web survey has answers, the threshold may not go down and the file's answers may
    not change: either could show a group that was too small to show, or let known made-up
    answers be subtracted from a group's mean. Once the results were seen with the web answers
    in, the threshold may not change at all, nor may the stakeholder groups change so that the
    answers are put together differently: the same answers pooled two ways give, by
    subtraction, what single people said (a group that joins the pool at a higher threshold
    is exactly the shown pool minus the earlier report). `stored` is the stored document.
    """
    # The audit rule of "seen" lives with the survey's service; imported here, as that module
    # imports this one.
    from bifocals.services.readiness_links import results_seen

    has_web = conn.execute(
        sa.select(sa.func.count())
        .select_from(readiness_responses)
        .where(readiness_responses.c.initiative_id == iid)
    ).scalar_one()
    seen = results_seen(conn, ini.name)
    if not has_web and not seen:
        return
    old_min, old_answers = _readiness_part(stored)
    _, new_answers = _readiness_part(data)
    problems: list[tuple[str, str]] = []
    if seen and ini.min_respondents != old_min:
        problems.append(
            (
                "readiness.min_respondents",
                f"readiness.min_respondents: {ini.min_respondents} instead of {old_min}: the "
                f"readiness results were seen with the answers grouped under {old_min}, and the "
                "same answers grouped under another threshold, compared with that report, would "
                "give back what single people answered; keep it at "
                f"{old_min}",
            )
        )
    elif ini.min_respondents < old_min:
        problems.append(
            (
                "readiness.min_respondents",
                f"readiness.min_respondents: {ini.min_respondents} is lower than the {old_min} "
                f"the web readiness answers were collected under; keep it at {old_min} or more",
            )
        )
    if new_answers != old_answers:
        problems.append(
            (
                "readiness.responses",
                "readiness.responses: the file's readiness answers differ from the stored ones; "
                "once the web survey has answers they cannot change (keep the section as it "
                "was)",
            )
        )
    if seen and not problems:
        # Today only the threshold and the answers decide the pooling (web answers keep the
        # group of their link); this guard keeps any future group setting from regrouping.
        before = initiative_from_data(dict(stored), f"stored initiative '{ini.name}'")
        web = web_readiness(conn, iid)
        was = pooling(before.readiness + web, before.stakeholder_groups, old_min)
        now = pooling(ini.readiness + web, ini.stakeholder_groups, ini.min_respondents)
        moved = sorted(k for k in set(was) | set(now) if was.get(k) != now.get(k))
        if moved:
            problems.append(
                (
                    "stakeholder_groups",
                    "stakeholder_groups: the readiness results were seen, and this file would "
                    "put the answers of "
                    + ", ".join(
                        f"'{k}' ({was.get(k, 'none')} -> {now.get(k, 'none')})" for k in moved
                    )
                    + " together differently; keep the groups as they were",
                )
            )
    if problems:
        seen_text = " and its readiness results have been seen" if seen else ""
        raise Conflict(
            f"initiative '{ini.name}' has {has_web} readiness answer(s) from the web{seen_text}, "
            "so this replacement was refused and nothing changed: "
            + "; ".join(text for _, text in problems)
            + ". "
            + NEW_ROUND,
            problems[0][0],
        )


def embedder_for(ini: Initiative) -> Embedder | None:
    """The text analyzer's embedder when some task asks for `themes: auto`, else None."""
    # Loading the analyzer's model takes time: only when some task asks for `themes: auto`.
    return analyzer_embedder() if any(t.auto for t in ini.tasks) else None


def import_initiative(
    store: HasEngine, path: str | Path, replace_existing: bool = False
) -> ImportResult:
    """Validate an initiative YAML file and store it (nothing is written when it is invalid)."""
    ini, data = load_initiative(path)
    return save_initiative(store, ini, data, str(path), replace_existing, embedder_for(ini))


def load_demo_initiative(store: HasEngine) -> str:
    """Import the demo initiative ("Move the order system to the cloud"), replacing it; its name."""
    ini, data = load_initiative_text(demo_initiative_text(), DEMO_SOURCE)
    return save_initiative(store, ini, data, DEMO_SOURCE, True, embedder_for(ini)).name


def list_initiatives(store: HasEngine, facilitator_id: int | None = None) -> list[dict[str, Any]]:
    """Name, source and import time of every stored initiative, by name; with facilitator_id,
    only the initiatives assigned to that account."""
    t = change_initiatives
    q = sa.select(t.c.name, t.c.source, t.c.imported_at).order_by(t.c.name)
    if facilitator_id is not None:
        f = change_facilitators
        q = q.join(f, sa.and_(f.c.initiative_id == t.c.id, f.c.user_id == facilitator_id))
    with store.engine.connect() as conn:
        return [
            {"name": r.name, "source": r.source, "imported_at": r.imported_at.isoformat()}
            for r in conn.execute(q)
        ]


def web_readiness(conn: sa.Connection, initiative_id: int) -> tuple[AdkarResponse, ...]:
    """The readiness answers given through the web survey links of an initiative."""
    r = readiness_responses
    rows = conn.execute(
        sa.select(r.c.group_key, r.c.comment, *(r.c[e] for e in ADKAR))
        .where(r.c.initiative_id == initiative_id)
        .order_by(r.c.id)
    )
    return tuple(
        AdkarResponse(
            row.group_key,
            {e: (None if row._mapping[e] is None else int(row._mapping[e])) for e in ADKAR},
            row.comment or "",
        )
        for row in rows
    )


@dataclass(frozen=True)
class SurveyState:
    """The web readiness survey of an initiative at the moment of a read (row locked)."""

    initiative_id: int
    name: str
    closed: bool
    links: int


# Decides, inside the read's transaction, whether the web survey's answers go into this read,
# and records the read (an audit row). Returns True to include them.
Reader = Callable[[sa.Connection, SurveyState], bool]

# The audit action of a read outside the web (command line, Python API) that included the web
# survey's answers; bifocals.services.readiness_links counts it among READINESS_SEEN_ACTIONS.
RESULTS_READ_ACTION = "readiness.results.read"

# audit_log belongs to the web tables (migration 0002_web, which 0004_readiness joins, so it
# exists wherever the change tables do). It is named here without importing the web package,
# as tables.py does for users.id.
_audit_log = sa.table(
    "audit_log",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("target", sa.String),
    sa.column("campaign_id", sa.Integer),
    sa.column("detail", sa.Text),
)


def initiative_target(name: str) -> str:
    """The audit log's target for an initiative."""
    return f"initiative:{name}"[:300]


@contextmanager
def survey_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that sees the survey's state stay put until it ends.

    On SQLite it takes the write lock at once (BEGIN IMMEDIATE); on PostgreSQL the caller
    locks the initiative's row with lock_initiative. So closing, re-opening, answering and
    reading results take turns, and a read's audit row is committed before anyone may re-open.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def lock_initiative(conn: sa.Connection, name: str, for_update: bool = False) -> Any:
    """The change_initiatives row (id, name, document, proposals, readiness_closed_at), locked
    for share (readers, answers) or for update (closing, re-opening) on PostgreSQL; None when
    there is no initiative of that name."""
    t = change_initiatives
    q = sa.select(t.c.id, t.c.name, t.c.document, t.c.proposals, t.c.readiness_closed_at).where(
        t.c.name == name
    )
    return conn.execute(q.with_for_update(read=not for_update)).first()


def read_outside_web(conn: sa.Connection, state: SurveyState) -> bool:
    """The reader of the command line and the Python API: the web answers go in only once the
    survey is closed, and such a read is recorded in the audit log (actor "cli"), so that it
    blocks re-opening the survey like a view on the web does."""
    if not state.closed:
        return False
    conn.execute(
        sa.insert(_audit_log).values(
            at=dt.datetime.now(dt.UTC),
            user_id=None,
            actor="cli",
            action=RESULTS_READ_ACTION,
            target=initiative_target(state.name),
            campaign_id=None,
            detail="",
        )
    )
    return True


def get_initiative(store: HasEngine, name: str, reader: Reader | None = None) -> Initiative:
    """The stored initiative with this name; the error lists the known names.

    Its readiness answers are those of the file, plus those of the web survey when `reader`
    says so (default: read_outside_web, i.e. only once the survey is closed). While the survey
    takes answers they are left out of every output, so that nobody can compare results from
    just before and just after one person answers. `web_survey` on the result says which case
    this is.
    """
    t = change_initiatives
    with survey_transaction(store.engine) as conn:
        row = lock_initiative(conn, name)
        if row is None:
            known = [r.name for r in conn.execute(sa.select(t.c.name).order_by(t.c.name))]
            listed = ", ".join(f"'{k}'" for k in known) or "none yet: run `bifocals change import`"
            raise BifocalsError(f"no initiative named '{name}'; known: {listed}")
        iid = int(row.id)
        links = conn.execute(
            sa.select(sa.func.count())
            .select_from(readiness_links)
            .where(readiness_links.c.initiative_id == iid)
        ).scalar_one()
        closed = row.readiness_closed_at is not None
        state = SurveyState(iid, str(row.name), closed, int(links))
        include = (reader or read_outside_web)(conn, state)
        web = web_readiness(conn, iid) if include else ()
        ini = stored_initiative(conn, row)
    survey: WebSurvey = (
        "shown" if include else "held" if closed else "collecting" if links else "none"
    )
    return replace(ini, readiness=ini.readiness + web, web_survey=survey)


def applied_effort(conn: sa.Connection, initiative_id: int) -> list[tuple[EffortPlan, str]]:
    """The effort imports applied to an initiative, oldest first: (plan, applied at, ISO)."""
    e = effort_imports
    rows = conn.execute(
        sa.select(e.c.plan, e.c.applied_at)
        .where(e.c.initiative_id == initiative_id, e.c.applied_at.is_not(None))
        .order_by(e.c.applied_at, e.c.id)
    )
    return [(EffortPlan.from_json(r.plan), r.applied_at.isoformat()) for r in rows]


def stored_initiative(conn: sa.Connection, row: Any) -> Initiative:
    """The initiative of a change_initiatives row (see lock_initiative) as stored: its file,
    the analyzer's proposals and, period by period, the effort of the latest import applied
    (without the web survey's answers, which get_initiative adds when a read may show them)."""
    ini = initiative_from_data(dict(row.document), f"stored initiative '{row.name}'")
    props = tuple(
        ThemeProposal(p["task"], p["theme"], float(p["confidence"]), bool(p["confirmed"]))
        for p in row.proposals
    )
    ini = replace(ini, proposals=props)
    for plan, at in applied_effort(conn, int(row.id)):
        ini = overlay_effort(ini, plan, at)
    return ini
