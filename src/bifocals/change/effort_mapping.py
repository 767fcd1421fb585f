"""The mapping file of an effort import (YAML, optional): what names a theme, a workstream or
a task, the dates of periods whose names do not say them, and how to read estimates.

```yaml
labels: {finops: cost, hardening: [resilience, security]}   # label -> theme(s)
epics: {PAY-100: cost}                # epic link, parent or milestone -> theme(s)
items: {PAY-12: customer_speed}       # one item -> themes: confirms or corrects a proposal
tasks: {PAY-7: T05}                   # one item -> one of the initiative's tasks
components: {Order API: migration}    # component (GitHub: label, repository) -> workstream
workstream: platform                  # the workstream of items nothing else places
periods: {Sprint 14: [2026-07-01, 2026-07-14]}
estimate_field: Estimate              # GitHub: the project field holding the estimate
estimate_unit: hours                  # or points (then hours_per_point is needed)
estimate_labels: {size/S: 4, size/M: 8}   # GitHub: label -> hours
hours_per_point: 6
date_field: Done on                   # GitHub: a project date field, used before closedAt
hours_per_unit: 1                     # hours in one unit of the initiative's effort (8: days)
```

Every key is checked (a typo is an error with a suggestion), and every theme, workstream,
task and period named must exist in the initiative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bifocals.change.effort_github import DEFAULT_ESTIMATE_FIELD, EstimateRules
from bifocals.change.effort_rows import fold, parse_date
from bifocals.change.model import Initiative
from bifocals.change.validate import Path, Reader, one_of
from bifocals.errors import Problem
from bifocals.yamlsource import Located

MAPPING_KEYS = (
    "labels", "epics", "items", "tasks", "components", "workstream", "periods",
    "estimate_field", "estimate_unit", "estimate_labels", "hours_per_point", "date_field",
    "hours_per_unit",
)  # fmt: skip


@dataclass(frozen=True)
class EffortMapping:
    """A validated mapping file; every name is kept in `fold`ed form for matching."""

    source: str = ""
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    epics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    items: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)
    workstream: str = ""
    periods: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    estimates: EstimateRules = field(default_factory=EstimateRules)
    hours_per_unit: float = 1.0


def _themes_of(r: Reader, raw: Any, path: Path, themes: set[str]) -> tuple[str, ...]:
    if raw is None or raw == []:
        r.add(path, raw, f"name one theme id or a list of them ({', '.join(sorted(themes))})")
        return ()
    return r.refs(raw, path, themes, "theme", "themes")


def _names(r: Reader, data: dict[str, Any], key: str) -> dict[str, Any]:
    raw = data.get(key)
    if raw is None:
        return {}
    m = r.mapping(raw, (key,), "name: value entries")
    return {str(k): v for k, v in (m or {}).items()}


def _keyed(r: Reader, data: dict[str, Any], key: str) -> dict[str, Any]:
    """The entries of `key` by name, as `_names`; a name that is, in `fold`ed form, an
    earlier one's is a problem and left out."""
    out: dict[str, Any] = {}
    for name, raw in _names(r, data, key).items():
        earlier = next((n for n in out if fold(n) == fold(name)), None)
        if earlier is None:
            out[name] = raw
            continue
        r.add(
            (key, name),
            name,
            f"the same name as {earlier!r} (case, '-', '_' and spaces do not matter); give it once",
        )
    return out


def _theme_map(
    r: Reader, data: dict[str, Any], key: str, themes: set[str]
) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, raw in _keyed(r, data, key).items():
        ids = _themes_of(r, raw, (key, name), themes)
        if ids:
            out[fold(name)] = ids
    return out


def _day(r: Reader, value: Any, path: Path) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    day = parse_date(str(value)) if isinstance(value, str) else None
    if day is None:
        r.add(path, value, "must be a date, YYYY-MM-DD")
    return day


def _periods(
    r: Reader, data: dict[str, Any], ini: Initiative
) -> dict[str, tuple[dt.date, dt.date]]:
    out: dict[str, tuple[dt.date, dt.date]] = {}
    for name, raw in _names(r, data, "periods").items():
        path: Path = ("periods", name)
        if name not in ini.periods:
            r.add(path, name, f"not a period of the initiative; {one_of(name, ini.periods)}")
            continue
        if not isinstance(raw, list) or len(raw) != 2:
            r.add(path, raw, "must be [first day, last day], e.g. [2026-07-01, 2026-07-14]")
            continue
        first, last = _day(r, raw[0], (*path, 0)), _day(r, raw[1], (*path, 1))
        if first is None or last is None:
            continue
        if last < first:
            r.add(path, raw, "the last day comes before the first")
            continue
        out[name] = (first, last)
    return out


def read_mapping(doc: Located | None, ini: Initiative) -> tuple[EffortMapping, list[Problem]]:
    """The mapping in `doc` (None: no mapping file) checked against the initiative."""
    if doc is None:
        return EffortMapping(), []
    r = Reader(doc)
    data = doc.data
    if not isinstance(data, dict):
        r.add(
            (),
            type(data).__name__,
            f"the mapping file must be a mapping of {', '.join(MAPPING_KEYS)}",
        )
        return EffortMapping(doc.source), r.problems
    r.keys(data, (), MAPPING_KEYS)
    themes = {t.id for t in ini.themes}
    streams = {w.id for w in ini.workstreams}
    tasks = {t.id for t in ini.tasks if not t.origin}
    task_map: dict[str, str] = {}
    for name, raw in _keyed(r, data, "tasks").items():
        found = r.refs(raw, ("tasks", name), tasks, "task", "tasks")
        if found:
            task_map[fold(name)] = found[0]
    components: dict[str, str] = {}
    for name, raw in _keyed(r, data, "components").items():
        found = r.refs(raw, ("components", name), streams, "workstream", "workstreams")
        if found:
            components[fold(name)] = found[0]
    default = ""
    if data.get("workstream") is not None:
        found = r.refs(data["workstream"], ("workstream",), streams, "workstream", "workstreams")
        default = found[0] if found else ""
    unit = r.choice(data, "estimate_unit", (), ("hours", "points"), "hours")
    per_point = None
    if data.get("hours_per_point") is not None:
        per_point = r.number(data["hours_per_point"], ("hours_per_point",), 0, low_open=True)
    if unit == "points" and data.get("hours_per_point") is None:
        r.add(("estimate_unit",), unit, "estimates in points need `hours_per_point` too")
    labels_hours: list[tuple[str, float]] = []
    for name, raw in _names(r, data, "estimate_labels").items():
        x = r.number(raw, ("estimate_labels", name), 0, low_open=True)
        if x is not None:
            labels_hours.append((name, x))
    per_unit = 1.0
    if data.get("hours_per_unit") is not None:
        per_unit = r.number(data["hours_per_unit"], ("hours_per_unit",), 0, low_open=True) or 1.0
    rules = EstimateRules(
        estimate_field=r.text(data, "estimate_field", (), required=False) or DEFAULT_ESTIMATE_FIELD,
        estimate_unit=unit,
        estimate_labels=tuple(labels_hours),
        hours_per_point=per_point,
        date_field=r.text(data, "date_field", (), required=False),
    )
    mapping = EffortMapping(
        source=doc.source,
        labels=_theme_map(r, data, "labels", themes),
        epics=_theme_map(r, data, "epics", themes),
        items=_theme_map(r, data, "items", themes),
        tasks=task_map,
        components=components,
        workstream=default,
        periods=_periods(r, data, ini),
        estimates=rules,
        hours_per_unit=per_unit,
    )
    return mapping, r.finish()
