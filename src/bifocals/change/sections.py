"""Sections of an initiative document about work and people's readiness: tasks and effort,
ADKAR responses, the resistance log, Kotter's accelerators and the health check."""

from __future__ import annotations

from typing import Any

from bifocals.change.catalogue import Catalogue
from bifocals.change.model import (
    ADKAR,
    HEALTH_CORNERS,
    STATUSES,
    AdkarResponse,
    KotterItem,
    ResistanceEntry,
    Status,
    Task,
)
from bifocals.change.validate import Path, Reader, one_of

TASK_KEYS = ("id", "name", "workstream", "themes", "effort")
READINESS_KEYS = ("min_respondents", "barrier_threshold", "responses")
RESPONSE_KEYS = ("group", "scores")
RESISTANCE_KEYS = (
    "group", "barrier_point", "observed", "root_cause", "response", "owner", "date", "success",
)  # fmt: skip
KOTTER_KEYS = ("id", "status", "evidence")


def status(r: Reader, obj: dict[str, Any], path: Path) -> Status:
    value = obj.get("status", "not_started")
    for s in STATUSES:
        if value == s:
            return s
    r.add((*path, "status"), value, one_of(value, STATUSES))
    return "not_started"


def task_themes(r: Reader, raw: Any, path: Path, themes: set[str]) -> tuple[dict[str, float], bool]:
    """(theme -> share summing to 1, auto?) from a mapping, a list, 'auto' or nothing."""
    if raw is None or raw == [] or raw == {}:
        return {}, False
    if raw == "auto":
        return {}, True
    if isinstance(raw, str | list):
        ids = r.refs(raw, path, themes, "theme", "themes")
        return ({t: 1.0 / len(ids) for t in ids} if ids else {}), False
    m = r.mapping(raw, path, "theme id: share, a list of theme ids, or 'auto'")
    if m is None:
        return {}, False
    shares: dict[str, float] = {}
    for tid, v in m.items():
        if tid not in themes:
            r.unknown_ref((*path, tid), tid, "theme", themes, "themes")
            continue
        x = r.number(v, (*path, tid), low=0, low_open=True)
        if x is not None:
            shares[tid] = x
    total = sum(shares.values())
    return ({t: s / total for t, s in shares.items()} if total else {}), False


def effort_values(r: Reader, raw: Any, path: Path, periods: tuple[str, ...]) -> tuple[float, ...]:
    if isinstance(raw, list):
        if not periods:  # the periods are missing or invalid: said once, not once per task
            r.unknown_ref(path, raw, "effort (one number per period)", (), "periods")
            return ()
        if len(raw) != len(periods):
            r.add(path, raw, f"a list of effort must have one number per period ({len(periods)})")
            return (0.0,) * len(periods)
        return tuple(r.number(v, (*path, i), 0) or 0.0 for i, v in enumerate(raw))
    m = r.mapping(raw, path, "period: effort (hours or budget), or a list in period order")
    if m is None:
        return (0.0,) * len(periods)
    for k in m:
        if k not in periods:
            r.unknown_ref((*path, k), k, "period", periods, "periods")
    return tuple((r.number(m[p], (*path, p), 0) or 0.0) if p in m else 0.0 for p in periods)


def tasks(
    r: Reader, data: dict[str, Any], ini_refs: dict[str, set[str]], periods: tuple[str, ...]
) -> tuple[Task, ...]:
    out = []
    for p, t, tid in r.identified(data, "tasks", TASK_KEYS):
        ws = t.get("workstream")
        known = ini_refs["workstreams"]
        if ws is None:
            ids = ", ".join(sorted(known)) or "none yet: add a `workstreams` section"
            r.add((*p, "workstream"), ws, f"required: the id of the task's workstream ({ids})")
        elif str(ws) not in known:
            r.unknown_ref((*p, "workstream"), ws, "workstream", known, "workstreams")
        themes, auto = task_themes(r, t.get("themes"), (*p, "themes"), ini_refs["themes"])
        effort = effort_values(r, t.get("effort", {}), (*p, "effort"), periods)
        out.append(Task(tid, r.text(t, "name", p), str(ws), effort, themes, auto))
    return tuple(out)


def readiness(
    r: Reader, data: dict[str, Any], groups: set[str]
) -> tuple[tuple[AdkarResponse, ...], int, float]:
    raw = data.get("readiness")
    if raw is None:
        return (), 3, 3.0
    m = r.mapping(raw, ("readiness",), "min_respondents, barrier_threshold, responses")
    if m is None:
        return (), 3, 3.0
    r.keys(m, ("readiness",), READINESS_KEYS)
    min_n = r.integer(m.get("min_respondents", 3), ("readiness", "min_respondents"), 1) or 3
    thr = r.number(m.get("barrier_threshold", 3), ("readiness", "barrier_threshold"), 1, 5) or 3.0
    out = []
    for p, x in r.entries(m, "responses", ("readiness",), RESPONSE_KEYS):
        group = _group(r, x, p, groups)
        scores = x.get("scores")
        vals: dict[str, int | None] = {}
        if isinstance(scores, list) and len(scores) == len(ADKAR):
            pairs = list(zip(ADKAR, scores, strict=True))
        elif isinstance(scores, dict):
            r.keys(scores, (*p, "scores"), ADKAR)
            pairs = [(e, scores.get(e)) for e in ADKAR]
        else:
            r.add(
                (*p, "scores"),
                scores,
                "must be 5 scores 1-5 in ADKAR order or a mapping "
                f"{'/'.join(ADKAR)}: score (null = not answered)",
            )
            continue
        for e, v in pairs:
            key: Path = (*p, "scores", ADKAR.index(e) if isinstance(scores, list) else e)
            vals[e] = None if v is None else r.integer(v, key, 1, 5)
        out.append(AdkarResponse(str(group), vals))
    return tuple(out), min_n, thr


def _group(r: Reader, x: dict[str, Any], path: Path, groups: set[str]) -> str:
    """The stakeholder group id of an entry (a problem when it is missing or unknown)."""
    group = x.get("group")
    if group is None:
        ids = ", ".join(sorted(groups)) or "none yet: add a `stakeholder_groups` section"
        r.add((*path, "group"), group, f"required: a stakeholder group id ({ids})")
    elif str(group) not in groups:
        r.unknown_ref((*path, "group"), group, "stakeholder group", groups, "stakeholder_groups")
    return str(group)


def resistance(
    r: Reader, data: dict[str, Any], groups: set[str], people: set[str]
) -> tuple[ResistanceEntry, ...]:
    out = []
    for p, x in r.entries(data, "resistance", (), RESISTANCE_KEYS):
        group = _group(r, x, p, groups)
        bp = x.get("barrier_point")
        if bp not in (None, "none", *ADKAR):
            r.add((*p, "barrier_point"), bp, one_of(bp, (*ADKAR, "none")))
        owner = r.refs(x.get("owner"), (*p, "owner"), people, "person", "people")
        out.append(
            ResistanceEntry(
                group,
                None if bp in (None, "none") else str(bp),
                r.text(x, "observed", p),
                r.text(x, "root_cause", p),
                r.text(x, "response", p),
                owner[0] if owner else "",
                r.text(x, "date", p),
                r.text(x, "success", p),
            )
        )
    return tuple(out)


def kotter(r: Reader, data: dict[str, Any], cat: Catalogue) -> tuple[KotterItem, ...]:
    known = tuple(k.id for k in cat.kotter)
    out = []
    for p, x in r.entries(data, "kotter", (), KOTTER_KEYS):
        kid = x.get("id")
        if kid not in known:
            what = "unknown accelerator" if kid is not None else "required: an accelerator id"
            r.add((*p, "id"), kid, f"{what}; {one_of(kid, known, 'the accelerators are')}")
            continue
        out.append(KotterItem(str(kid), status(r, x, p), r.text(x, "evidence", p, required=False)))
    return tuple(out)


def health(r: Reader, data: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    raw = data.get("health_check")
    if raw is None:
        return {}
    m = (
        r.mapping(
            raw, ("health_check",), f"corner: [10 scores 1-3] for {', '.join(HEALTH_CORNERS)}"
        )
        or {}
    )
    out: dict[str, tuple[int, ...]] = {}
    for corner, scores in m.items():
        path: Path = ("health_check", corner)
        if corner not in HEALTH_CORNERS:
            r.add(path, corner, f"unknown corner; {one_of(corner, HEALTH_CORNERS)}")
        elif not isinstance(scores, list) or len(scores) != 10:
            r.add(path, scores, "must be a list of 10 factor scores, each 1 (weak) to 3 (strong)")
        else:
            vals = [r.integer(v, (*path, i), 1, 3) for i, v in enumerate(scores)]
            out[corner] = tuple(v or 1 for v in vals)
    return out
