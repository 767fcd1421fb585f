"""Store adapter of the change workbench: import, list and load initiatives (all-or-nothing).

The validated document is kept as JSON with its theme proposals and import time; reading it
back runs the same validation, so what the report shows is always what the loader accepts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from bifocals.change.loader import (
    demo_initiative_text,
    initiative_from_data,
    load_initiative,
    load_initiative_text,
)
from bifocals.change.model import Initiative, ThemeProposal
from bifocals.change.proposals import Embedder, analyzer_embedder, with_proposals
from bifocals.change.tables import change_initiatives
from bifocals.errors import BifocalsError

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
) -> ImportResult:
    """Store a validated initiative in one transaction; an existing name needs replace_existing."""
    ini = with_proposals(ini, embedder)
    t = change_initiatives
    with store.engine.begin() as conn:
        existing = conn.execute(sa.select(t.c.id).where(t.c.name == ini.name)).first()
        if existing is not None and not replace_existing:
            raise BifocalsError(
                f"an initiative named '{ini.name}' already exists; nothing was imported. "
                "Use --replace to overwrite it, or change `name` in the file."
            )
        if existing is not None:
            conn.execute(sa.delete(t).where(t.c.id == existing.id))
        conn.execute(
            sa.insert(t).values(
                name=ini.name,
                source=source[:500],
                document=data,
                proposals=_proposals_json(ini.proposals),
                imported_at=dt.datetime.now(dt.UTC),
            )
        )
    return ImportResult(ini.name, len(ini.tasks), len(ini.proposals), existing is not None)


def _embedder_for(ini: Initiative) -> Embedder | None:
    # Loading the analyzer's model takes time: only when some task asks for `themes: auto`.
    return analyzer_embedder() if any(t.auto for t in ini.tasks) else None


def import_initiative(
    store: HasEngine, path: str | Path, replace_existing: bool = False
) -> ImportResult:
    """Validate an initiative YAML file and store it (nothing is written when it is invalid)."""
    ini, data = load_initiative(path)
    return save_initiative(store, ini, data, str(path), replace_existing, _embedder_for(ini))


def load_demo_initiative(store: HasEngine) -> str:
    """Import the demo initiative ("Move the order system to the cloud"), replacing it; its name."""
    ini, data = load_initiative_text(demo_initiative_text(), DEMO_SOURCE)
    return save_initiative(store, ini, data, DEMO_SOURCE, True, _embedder_for(ini)).name


def list_initiatives(store: HasEngine) -> list[dict[str, Any]]:
    """Name, source and import time of every stored initiative, by name."""
    t = change_initiatives
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.name, t.c.source, t.c.imported_at).order_by(t.c.name))
        return [
            {"name": r.name, "source": r.source, "imported_at": r.imported_at.isoformat()}
            for r in rows
        ]


def get_initiative(store: HasEngine, name: str) -> Initiative:
    """The stored initiative with this name; the error lists the known names."""
    t = change_initiatives
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.c.document, t.c.proposals).where(t.c.name == name)).first()
        if row is None:
            known = [r.name for r in conn.execute(sa.select(t.c.name).order_by(t.c.name))]
            listed = ", ".join(f"'{k}'" for k in known) or "none yet: run `bifocals change import`"
            raise BifocalsError(f"no initiative named '{name}'; known: {listed}")
    ini = initiative_from_data(dict(row.document), f"stored initiative '{name}'")
    props = tuple(
        ThemeProposal(p["task"], p["theme"], float(p["confidence"]), bool(p["confirmed"]))
        for p in row.proposals
    )
    return replace(ini, proposals=props)
