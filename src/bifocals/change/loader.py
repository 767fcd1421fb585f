"""Validate an initiative document (YAML or stored JSON) and build an Initiative.

All-or-nothing: every problem in the document is collected, each naming file, line, field and
value, and a ValidationError carries them all. The schema is documented in docs/change.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
from bifocals.change.syntax import SYNTAX_FIELD, syntax_error, value_error
from bifocals.change.validate import Path, Reader, jsonable, one_of
from bifocals.errors import ValidationError
from bifocals.yamlsource import Located, load_located, load_located_file

MAX_NAME = 200
TOP_KEYS = (
    "name", "vision", "why_now", "themes", "periods", "areas", "stakeholder_groups", "people",
    "duties", "workstreams", "decisions", "tasks", "readiness", "resistance", "kotter",
    "health_check",
)  # fmt: skip
# The keys an entry of each list may have (every mapping in the file is checked: a typo such as
# `satus:` or `min_respondent:` must not be dropped silently).
# Parts of an initiative's web address that may not appear in its name (see routers/change.py).
_ROUTE_CLASH = re.compile(r"/(readiness|facilitators|effort)(/|$)", re.IGNORECASE)
THEME_KEYS = ("id", "name", "weight", "description")
GROUP_KEYS = ("id", "name", "size", "impact")
PERSON_KEYS = ("id", "name", "position", "time_share", "manager")
DUTY_KEYS = ("duty", "owners", "status", "evidence")
WORKSTREAM_KEYS = ("id", "name", "raci")
DECISION_KEYS = ("id", "name", "status", "rapid")


def _themes(r: Reader, data: dict[str, Any]) -> tuple[Theme, ...]:
    out = []
    for p, t, tid in r.identified(data, "themes", THEME_KEYS, required=True):
        weight = r.number(t.get("weight"), (*p, "weight"), low=0, low_open=True)
        desc = r.text(t, "description", p, required=False)
        out.append(Theme(tid, r.text(t, "name", p), weight or 0.0, desc))
    return tuple(out)


def _periods(r: Reader, data: dict[str, Any]) -> tuple[str, ...]:
    raw = data.get("periods")
    if raw is None and r.misspelt("periods"):
        return ()  # reported as an unknown section, with a suggestion
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
    out = []
    for p, g, gid in r.identified(data, "stakeholder_groups", GROUP_KEYS):
        size = r.integer(g.get("size"), (*p, "size"), 0)
        impact: dict[str, int] = {}
        raw = g.get("impact", {})
        imp = r.mapping(raw, (*p, "impact"), "area: 0-4 (0 none .. 4 very high)") or {}
        for area, v in imp.items():
            if area not in areas:
                r.add(
                    (*p, "impact", area),
                    area,
                    f"unknown impact area; {one_of(area, areas, 'the areas are')} "
                    "(list others under `areas:`)",
                )
            level = r.integer(v, (*p, "impact", area), 0, 4)
            if level is not None:
                impact[area] = level
        out.append(StakeholderGroup(gid, r.text(g, "name", p), size or 0, impact))
    return tuple(out)


def _people(r: Reader, data: dict[str, Any]) -> tuple[Person, ...]:
    out = []
    for p, x, pid in r.identified(data, "people", PERSON_KEYS):
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
    for p, d in r.entries(data, "duties", (), DUTY_KEYS):
        did = d.get("duty")
        if did not in cat.duty_ids:
            what = "unknown duty" if did is not None else "required: a duty id"
            r.add((*p, "duty"), did, f"{what}; {one_of(did, cat.duty_ids, 'the catalogue has')}")
            continue
        if did in seen:
            r.add((*p, "duty"), did, "this duty is listed twice; list its owners once")
        seen.add(str(did))
        owners = r.refs(d.get("owners"), (*p, "owners"), people, "person", "people")
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
            r.add((*path, role), role, f"unknown role; {one_of(role, roles)}")
            continue
        out[role] = r.refs(who, (*path, role), people, "person", "people")
    return out


# One entry of a list whose entries have an id, a name and people in roles: where it is, the
# entry as read, its id, its name and its roles.
RoleEntry = tuple[Path, dict[str, Any], str, str, dict[str, tuple[str, ...]]]


def _role_entries(
    r: Reader,
    data: dict[str, Any],
    people: set[str],
    key: str,
    allowed: tuple[str, ...],
    roles_key: str,
    roles: tuple[str, ...],
) -> Iterator[RoleEntry]:
    """The entries of data[key] (workstreams, decisions), with their id, name and the people
    in their `roles_key` roles checked; `allowed` are the keys an entry may have."""
    for p, entry, ident in r.identified(data, key, allowed):
        name = r.text(entry, "name", p)
        held = _roles(r, entry.get(roles_key, {}), (*p, roles_key), roles, people)
        yield p, entry, ident, name, held


def _workstreams(r: Reader, data: dict[str, Any], people: set[str]) -> tuple[Workstream, ...]:
    entries = _role_entries(r, data, people, "workstreams", WORKSTREAM_KEYS, "raci", RACI_ROLES)
    return tuple(Workstream(ident, name, raci) for _, _, ident, name, raci in entries)


def _decisions(r: Reader, data: dict[str, Any], people: set[str]) -> tuple[Decision, ...]:
    entries = _role_entries(r, data, people, "decisions", DECISION_KEYS, "rapid", RAPID_ROLES)
    return tuple(
        Decision(ident, name, rapid, r.text(d, "status", p, required=False) or "open")
        for p, d, ident, name, rapid in entries
    )


def initiative_from_located(
    doc: Located, cat: Catalogue | None = None, strict: bool = True
) -> Initiative:
    """Validate a parsed document; raise ValidationError with every problem, or build it.

    strict (the default, for every file being imported): an unknown key anywhere is a problem.
    """
    cat = cat or catalogue()
    r = Reader(doc, strict=strict)
    data = doc.mapping("initiative")
    r.keys(data, (), TOP_KEYS)
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
    if _ROUTE_CLASH.search(ini.name) or ini.name.lower().endswith((".pdf", ".json")):
        # The name is the initiative's web address: /initiatives/NAME, NAME.pdf, NAME.json,
        # NAME/readiness/..., NAME/facilitators/..., NAME/effort/...
        r.add(
            ("name",),
            ini.name,
            "may not end in .pdf or .json nor contain /readiness, /facilitators or /effort (the "
            "name is part of the initiative's web address); rename it",
        )
    if r.finish():
        raise ValidationError(r.problems, f"invalid initiative {doc.source}; nothing was imported")
    return ini


def _parsed(source: str, parse: Callable[[], Located], text: Callable[[], str]) -> Located:
    """Parse with the locating loader, which refuses hostile documents (alias bombs, deep
    nesting, oversized files, tags that are not plain data) and values it cannot build (a date
    such as 2026-13-45) itself; a syntax error is explained again here, more fully."""
    try:
        return parse()
    except ValidationError as exc:
        if any(p.field == SYNTAX_FIELD for p in exc.problems):
            raise (syntax_error(text(), source) or exc) from None
        raise
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise value_error(text(), source, exc) from None


def load_initiative(path: str | FsPath) -> tuple[Initiative, dict[str, Any]]:
    """Read and validate an initiative YAML file: (Initiative, the document as JSON-ready data)."""
    doc = _parsed(
        str(path),
        lambda: load_located_file(path),
        lambda: FsPath(path).read_text(encoding="utf-8"),
    )
    return initiative_from_located(doc), jsonable(doc.data)


def load_initiative_text(text: str, source: str = "<text>") -> tuple[Initiative, dict[str, Any]]:
    """Validate initiative YAML text (tests, notebooks)."""
    doc = _parsed(source, lambda: load_located(text, source), lambda: text)
    return initiative_from_located(doc), jsonable(doc.data)


def initiative_from_data(data: dict[str, Any], source: str = "<stored>") -> Initiative:
    """Rebuild an Initiative from its stored JSON document.

    Not strict about unknown keys: a document stored before that rule may hold some, and what
    was imported must stay readable.
    """
    return initiative_from_located(Located(data, source), strict=False)


def demo_initiative_text() -> str:
    """The YAML of the demo initiative that ships with bifocals."""
    ref = resources.files("bifocals.change").joinpath("data/demo_initiative.yaml")
    return ref.read_text(encoding="utf-8")
