"""Validate an initiative document (YAML or stored JSON) and build an Initiative.

All-or-nothing: every problem in the document is collected, each naming file, line, field and
value, and a ValidationError carries them all. The schema is documented in docs/change.md.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

import yaml

from bifocals.change import sections
from bifocals.change.catalogue import Catalogue, catalogue
from bifocals.change.model import (
    DEFAULT_AREAS,
    RACI_ROLES,
    RAPID_ROLES,
    Decision,
    DutyAssignment,
    Initiative,
    Person,
    StakeholderGroup,
    Theme,
    Workstream,
)
from bifocals.change.validate import Path, Reader, jsonable
from bifocals.errors import Problem, ValidationError
from bifocals.yamlsource import Located, load_located, load_located_file

MAX_NAME = 200
TOP_KEYS = (
    "name", "vision", "why_now", "themes", "periods", "areas", "stakeholder_groups", "people",
    "duties", "workstreams", "decisions", "tasks", "readiness", "resistance", "kotter",
    "health_check",
)  # fmt: skip


def _themes(r: Reader, data: dict[str, Any]) -> tuple[Theme, ...]:
    seen: set[str] = set()
    out = []
    for p, t in r.items(data, "themes", (), required=True):
        tid = r.ident(t, "id", p, seen)
        weight = r.number(t.get("weight"), (*p, "weight"), low=0, low_open=True)
        desc = r.text(t, "description", p, required=False)
        out.append(Theme(tid, r.text(t, "name", p), weight or 0.0, desc))
    return tuple(out)


def _periods(r: Reader, data: dict[str, Any]) -> tuple[str, ...]:
    raw = data.get("periods")
    if not isinstance(raw, list) or not raw:
        r.add(("periods",), raw, "required: a list of period names, e.g. ['2026-Q1', '2026-Q2']")
        return ()
    out: list[str] = []
    for i, v in enumerate(raw):
        name = r.text({"p": v}, "p", ("periods", i))
        if name in out:
            r.add(("periods", i), v, "duplicate period; periods must be unique")
        out.append(name)
    return tuple(out)


def _groups(
    r: Reader, data: dict[str, Any], areas: tuple[str, ...]
) -> tuple[StakeholderGroup, ...]:
    seen: set[str] = set()
    out = []
    for p, g in r.items(data, "stakeholder_groups", ()):
        gid = r.ident(g, "id", p, seen)
        size = r.integer(g.get("size"), (*p, "size"), 0)
        impact: dict[str, int] = {}
        raw = g.get("impact", {})
        imp = r.mapping(raw, (*p, "impact"), "area: 0-4 (0 none .. 4 very high)") or {}
        for area, v in imp.items():
            if area not in areas:
                r.add((*p, "impact", area), area, f"unknown area; known: {', '.join(areas)}")
            level = r.integer(v, (*p, "impact", area), 0, 4)
            if level is not None:
                impact[area] = level
        out.append(StakeholderGroup(gid, r.text(g, "name", p), size or 0, impact))
    return tuple(out)


def _people(r: Reader, data: dict[str, Any]) -> tuple[Person, ...]:
    seen: set[str] = set()
    out = []
    for p, x in r.items(data, "people", ()):
        pid = r.ident(x, "id", p, seen)
        share = r.number(x.get("time_share"), (*p, "time_share"), 0, 1)
        manager = x.get("manager", False)
        if not isinstance(manager, bool):
            r.add((*p, "manager"), manager, "must be true or false (holds a management position)")
            manager = False
        pos = r.text(x, "position", p, required=False)
        out.append(Person(pid, r.text(x, "name", p), pos, share or 0.0, manager))
    return tuple(out)


def _duties(
    r: Reader, data: dict[str, Any], cat: Catalogue, people: set[str]
) -> tuple[DutyAssignment, ...]:
    seen: set[str] = set()
    out = []
    for p, d in r.items(data, "duties", ()):
        did = d.get("duty")
        if did not in cat.duty_ids:
            r.add((*p, "duty"), did, f"unknown duty; known: {', '.join(cat.duty_ids)}")
            continue
        if did in seen:
            r.add((*p, "duty"), did, "this duty is listed twice; list its owners once")
        seen.add(str(did))
        owners = r.refs(d.get("owners"), (*p, "owners"), people, "person")
        evidence = r.text(d, "evidence", p, required=False)
        out.append(DutyAssignment(str(did), owners, sections.status(r, d, p), evidence))
    return tuple(out)


def _roles(
    r: Reader, raw: Any, path: Path, roles: tuple[str, ...], people: set[str]
) -> dict[str, tuple[str, ...]]:
    m = r.mapping(raw, path, f"role: [person ids] for roles {', '.join(roles)}") or {}
    out: dict[str, tuple[str, ...]] = {}
    for role, who in m.items():
        if role not in roles:
            r.add((*path, role), role, f"unknown role; use {', '.join(roles)}")
            continue
        out[role] = r.refs(who, (*path, role), people, "person")
    return out


def _workstreams(r: Reader, data: dict[str, Any], people: set[str]) -> tuple[Workstream, ...]:
    seen: set[str] = set()
    return tuple(
        Workstream(
            r.ident(w, "id", p, seen),
            r.text(w, "name", p),
            _roles(r, w.get("raci", {}), (*p, "raci"), RACI_ROLES, people),
        )
        for p, w in r.items(data, "workstreams", ())
    )


def _decisions(r: Reader, data: dict[str, Any], people: set[str]) -> tuple[Decision, ...]:
    seen: set[str] = set()
    return tuple(
        Decision(
            r.ident(d, "id", p, seen),
            r.text(d, "name", p),
            _roles(r, d.get("rapid", {}), (*p, "rapid"), RAPID_ROLES, people),
            r.text(d, "status", p, required=False) or "open",
        )
        for p, d in r.items(data, "decisions", ())
    )


def initiative_from_located(doc: Located, cat: Catalogue | None = None) -> Initiative:
    """Validate a parsed document; raise ValidationError with every problem, or build it."""
    cat = cat or catalogue()
    r = Reader(doc)
    data = doc.data
    if not isinstance(data, dict):
        raise ValidationError(
            [doc.problem((), type(data).__name__, "the top level must be a mapping")],
            f"invalid initiative {doc.source}",
        )
    for key in data:
        if key not in TOP_KEYS:
            r.add((key,), key, f"unknown section; known: {', '.join(TOP_KEYS)}")
    areas_raw = data.get("areas", list(DEFAULT_AREAS))
    areas = (
        tuple(str(a) for a in areas_raw)
        if isinstance(areas_raw, list) and areas_raw
        else DEFAULT_AREAS
    )
    if not (isinstance(areas_raw, list) and areas_raw):
        r.add(("areas",), areas_raw, "must be a list of impact areas, e.g. [process, technology]")
    themes = _themes(r, data)
    periods = _periods(r, data)
    groups = _groups(r, data, areas)
    people = _people(r, data)
    pids = {p.id for p in people}
    gids = {g.id for g in groups}
    workstreams = _workstreams(r, data, pids)
    refs = {"workstreams": {w.id for w in workstreams}, "themes": {t.id for t in themes}}
    responses, min_n, thr = sections.readiness(r, data, gids)
    ini = Initiative(
        name=r.text(data, "name", ()),
        vision=r.text(data, "vision", ()),
        why_now=r.text(data, "why_now", ()),
        themes=themes,
        periods=periods,
        stakeholder_groups=groups,
        people=people,
        duties=_duties(r, data, cat, pids),
        workstreams=workstreams,
        decisions=_decisions(r, data, pids),
        tasks=sections.tasks(r, data, refs, periods),
        readiness=responses,
        min_respondents=min_n,
        barrier_threshold=thr,
        resistance=sections.resistance(r, data, gids, pids),
        kotter=sections.kotter(r, data, cat),
        health=sections.health(r, data),
        areas=areas,
    )
    if len(ini.name) > MAX_NAME:
        r.add(("name",), ini.name, f"too long: at most {MAX_NAME} characters")
    if r.problems:
        raise ValidationError(r.problems, f"invalid initiative {doc.source}; nothing was imported")
    return ini


def _parsed(source: str, parse: Callable[[], Located]) -> Located:
    # A YAML parser error that the locating loader does not turn into a ValidationError itself
    # (seen with empty values such as `owner:`) still reaches the user as one.
    try:
        return parse()
    except yaml.YAMLError as exc:
        problem = Problem(
            source,
            None,
            "(syntax)",
            None,
            f"cannot parse this YAML ({type(exc).__name__}); look for a key with nothing after "
            "its colon and write a value, [] or null there",
        )
        raise ValidationError([problem], f"cannot read {source}") from None


def load_initiative(path: str | FsPath) -> tuple[Initiative, dict[str, Any]]:
    """Read and validate an initiative YAML file: (Initiative, the document as JSON-ready data)."""
    doc = _parsed(str(path), lambda: load_located_file(path))
    return initiative_from_located(doc), jsonable(doc.data)


def load_initiative_text(text: str, source: str = "<text>") -> tuple[Initiative, dict[str, Any]]:
    """Validate initiative YAML text (tests, notebooks)."""
    doc = _parsed(source, lambda: load_located(text, source))
    return initiative_from_located(doc), jsonable(doc.data)


def initiative_from_data(data: dict[str, Any], source: str = "<stored>") -> Initiative:
    """Rebuild an Initiative from its stored JSON document."""
    return initiative_from_located(Located(data, source))


def demo_initiative_text() -> str:
    """The YAML of the demo initiative that ships with bifocals."""
    ref = resources.files("bifocals.change").joinpath("data/demo_initiative.yaml")
    return ref.read_text(encoding="utf-8")
