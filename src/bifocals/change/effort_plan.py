"""From the rows of an effort export to an import plan: each item gets a period (by its date),
a workstream and themes, and every problem is collected before anything is applied.

Themes, first rule that applies: the mapping file's `items:` entry for the item; the
timesheet's own `themes` column; the initiative task the item is (its key is a task's id or
name, or `tasks:` in the mapping file says so), with that task's themes; labels that name a
theme (its id or name, `theme:` in front allowed) or that `labels:` maps; the epic, parent or
milestone that names a theme or that `epics:` maps; else the text analyzer's proposals from
the item's name (unconfirmed, as for `themes: auto`); else none.

Workstream: the timesheet's `workstream` column; a component (GitHub: a label or the
repository) that is a workstream's id or name or that `components:` maps; the task's
workstream; the mapping's `workstream:`; else none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from bifocals.change.effort_mapping import EffortMapping
from bifocals.change.effort_rows import EffortRow, RowsRead, fold
from bifocals.change.model import EffortSource, Initiative, Task, ThemeProposal
from bifocals.change.period_dates import NAMED_FORMS, period_calendar
from bifocals.change.proposals import Embedder, propose_from_embeddings
from bifocals.change.validate import one_of
from bifocals.errors import Problem, ValidationError
from bifocals.plural import count

# How an item got its themes (the preview counts them).
THEMED_BY: dict[str, str] = {
    "mapping": "the mapping file's items",
    "file": "the file's themes column",
    "task": "an initiative task",
    "label": "labels",
    "epic": "epics, parents or milestones",
    "proposed": "the analyzer's proposals (to confirm)",
    "none": "nothing (untagged)",
}
_THEME_LABEL = re.compile(r"^themes?\s*[:/=_-]\s*(.+)$", re.IGNORECASE)
_STREAM_LABEL = re.compile(r"^(?:workstream|ws)\s*[:/=_-]\s*(.+)$", re.IGNORECASE)
V = TypeVar("V")


@dataclass(frozen=True)
class EffortItem:
    """One item of an import: its effort per period (in the initiative's unit), its themes
    (shares summing to 1; empty when untagged or only proposed) and how they were found."""

    key: str
    name: str
    line: int
    workstream: str
    themes: dict[str, float]
    themed_by: str
    effort: dict[str, float]
    task: str = ""

    @property
    def total(self) -> float:
        """All its effort."""
        return sum(self.effort.values())


@dataclass(frozen=True)
class EffortPlan:
    """What an import would apply: the periods the file covers (their effort is replaced),
    the items, the analyzer's proposals for items nothing else themed, and what was left out."""

    kind: str
    source: str
    periods: tuple[str, ...]
    items: tuple[EffortItem, ...]
    proposals: tuple[ThemeProposal, ...] = ()
    left_out: dict[str, int] = field(default_factory=dict)
    hours_per_unit: float = 1.0
    mapping_source: str = ""

    def period_effort(self, period: str) -> float:
        """The effort this plan brings to `period`."""
        return sum(i.effort.get(period, 0.0) for i in self.items)

    def period_items(self, period: str) -> int:
        """How many items have effort in `period`."""
        return sum(1 for i in self.items if i.effort.get(period, 0.0) > 0)

    def to_json(self) -> dict[str, Any]:
        """The plan as stored with an applied import (proposals by item key)."""
        return {
            "kind": self.kind,
            "source": self.source,
            "mapping_source": self.mapping_source,
            "periods": list(self.periods),
            "hours_per_unit": self.hours_per_unit,
            "left_out": dict(self.left_out),
            "items": [
                {
                    "key": i.key,
                    "name": i.name,
                    "line": i.line,
                    "workstream": i.workstream,
                    "themes": {k: round(v, 6) for k, v in i.themes.items()},
                    "themed_by": i.themed_by,
                    "effort": {p: round(e, 6) for p, e in i.effort.items()},
                    "task": i.task,
                }
                for i in self.items
            ],
            "proposals": [
                {"item": p.task, "theme": p.theme, "confidence": round(p.confidence, 4)}
                for p in self.proposals
            ],
        }

    def items_json(self) -> list[dict[str, Any]]:
        """The items alone, as in to_json (what decides whether two imports are the same)."""
        items: list[dict[str, Any]] = self.to_json()["items"]
        return items

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EffortPlan:
        """A plan as to_json wrote it."""
        return cls(
            kind=str(data["kind"]),
            source=str(data["source"]),
            mapping_source=str(data.get("mapping_source", "")),
            periods=tuple(data["periods"]),
            hours_per_unit=float(data.get("hours_per_unit", 1.0)),
            left_out={str(k): int(v) for k, v in data.get("left_out", {}).items()},
            items=tuple(
                EffortItem(
                    key=str(i["key"]),
                    name=str(i["name"]),
                    line=int(i.get("line", 0)),
                    workstream=str(i.get("workstream", "")),
                    themes={str(k): float(v) for k, v in i.get("themes", {}).items()},
                    themed_by=str(i.get("themed_by", "none")),
                    effort={str(p): float(e) for p, e in i["effort"].items()},
                    task=str(i.get("task", "")),
                )
                for i in data["items"]
            ),
            proposals=tuple(
                ThemeProposal(str(p["item"]), str(p["theme"]), float(p["confidence"]))
                for p in data.get("proposals", [])
            ),
        )


class _Folded(Generic[V]):
    """Values by name, compared in `fold`ed form; a folded name two values share (`self-service`
    and `selfservice` are two theme ids) finds a value only by its own spelling (case aside)."""

    def __init__(self, named: Iterable[tuple[str, str, V]]) -> None:
        """named: (a name, the id of its value, the value): an id and a name for each."""
        self.exact: dict[str, V] = {}
        self.folded: dict[str, dict[str, V]] = {}
        for name, ident, value in named:
            self.exact.setdefault(name.strip().casefold(), value)
            self.folded.setdefault(fold(name), {})[ident] = value

    def get(self, name: str) -> V | None:
        """The value `name` names; None when it names none, or several alike."""
        if name.strip().casefold() in self.exact:
            return self.exact[name.strip().casefold()]
        found = self.folded.get(fold(name), {})
        return next(iter(found.values())) if len(found) == 1 else None

    def alike(self, name: str) -> tuple[str, ...]:
        """The ids that `name` names alike, when it names several and none by its spelling."""
        if name.strip().casefold() in self.exact:
            return ()
        found = self.folded.get(fold(name), {})
        return tuple(found) if len(found) > 1 else ()


class _Names:
    """Theme, workstream and task of an initiative by id and by name (see `_Folded`)."""

    def __init__(self, ini: Initiative) -> None:
        self.themes = _Folded((name, t.id, t.id) for t in ini.themes for name in (t.id, t.name))
        self.streams = _Folded(
            (name, w.id, w.id) for w in ini.workstreams for name in (w.id, w.name)
        )
        # Only the file's tasks: an earlier import's items are not tasks to import onto.
        own = [t for t in ini.tasks if not t.origin]
        self.tasks = _Folded((name, t.id, t) for t in own for name in (t.id, t.name))
        self.theme_ids = tuple(t.id for t in ini.themes)
        self.stream_ids = tuple(w.id for w in ini.workstreams)


def _alike(
    source: str, line: int | None, fld: str, raw: str, key: str, ids: Sequence[str]
) -> Problem:
    """The problem of a name in item `key` that names several of the initiative's ids alike."""
    return Problem(
        source,
        line,
        fld,
        raw,
        f"{key}: names {' and '.join(repr(i) for i in ids)} alike (case, '-', '_' and "
        "spaces do not matter in names); write the one meant as it is spelled, or map it "
        "in the mapping file",
    )


def _lookup_key(table: dict[str, Any], key: str) -> Any:
    """An entry of a mapping table for an item key ("org/repo#12" also finds "#12")."""
    folded = fold(key)
    if folded in table:
        return table[folded]
    if "#" in key:
        return table.get(fold("#" + key.rsplit("#", 1)[1]))
    return None


def _equal_shares(ids: Sequence[str]) -> dict[str, float]:
    unique = list(dict.fromkeys(ids))
    return {t: 1.0 / len(unique) for t in unique} if unique else {}


def _item_themes(
    rows: list[EffortRow],
    names: _Names,
    mapping: EffortMapping,
    task: Task | None,
    where: tuple[str, str],
    problems: list[Problem],
) -> tuple[dict[str, float], str]:
    """(theme shares, how they were found) for the item of `rows`; problems for theme names
    that name no theme. where: (the export's name, the name of its labels column)."""
    source, label_field = where
    first = rows[0]
    mapped = _lookup_key(mapping.items, first.key)
    if mapped:
        return _equal_shares(mapped), "mapping"
    named: list[str] = []
    for row in rows:
        if (
            row.themes
            and first.themes
            and {fold(t) for t in row.themes} != {fold(t) for t in first.themes}
        ):
            problems.append(
                Problem(
                    source,
                    row.line,
                    "themes",
                    ";".join(row.themes),
                    f"{row.key} has other themes on line {first.line} "
                    f"({';'.join(first.themes)}); give a task the same themes on every line",
                )
            )
        for raw in row.themes:
            tid = names.themes.get(raw)
            if tid is None and names.themes.alike(raw):
                ids = names.themes.alike(raw)
                problems.append(_alike(source, row.line, "themes", raw, row.key, ids))
            elif tid is None:
                known = one_of(raw, names.theme_ids, "the themes are")
                problems.append(
                    Problem(source, row.line, "themes", raw, f"{row.key}: unknown theme; {known}")
                )
            elif tid not in named:
                named.append(tid)
    if named:
        return _equal_shares(named), "file"
    if task is not None:
        return dict(task.themes), "task"
    found: list[str] = []
    for label in first.labels:
        mapped_to = _lookup_key(mapping.labels, label)
        if mapped_to:
            found += mapped_to
            continue
        m = _THEME_LABEL.match(label)
        name = label
        tid = names.themes.get(name)
        if tid is None and m and not names.themes.alike(name):
            name = m.group(1)
            tid = names.themes.get(name)
        if tid is None and names.themes.alike(name):
            ids = names.themes.alike(name)
            problems.append(_alike(source, first.line, label_field, label, first.key, ids))
            continue
        if tid is None and m:
            known = one_of(m.group(1), names.theme_ids, "the themes are")
            problems.append(
                Problem(
                    source,
                    first.line,
                    label_field,
                    label,
                    f"{first.key}: this label names no theme of the initiative; {known} "
                    "(rename the label, or map it under `labels:` in the mapping file)",
                )
            )
            continue
        if tid is not None:
            found.append(tid)
    if found:
        return _equal_shares(found), "label"
    for epic in first.epics:
        tid = names.themes.get(epic)
        mapped_to = _lookup_key(mapping.epics, epic)
        if tid is None and not mapped_to and names.themes.alike(epic):
            ids = names.themes.alike(epic)
            problems.append(_alike(source, first.line, "epic", epic, first.key, ids))
            continue
        found += [tid] if tid else list(mapped_to or ())
    if found:
        return _equal_shares(found), "epic"
    return {}, "none"


def _item_stream(
    rows: list[EffortRow],
    names: _Names,
    mapping: EffortMapping,
    task: Task | None,
    source: str,
    problems: list[Problem],
) -> str:
    """The workstream id of the item of `rows` ("" when nothing places it)."""
    first = rows[0]
    for row in rows:
        if row.workstream:
            ws = names.streams.get(row.workstream)
            if ws is None and names.streams.alike(row.workstream):
                ids = names.streams.alike(row.workstream)
                problems.append(
                    _alike(source, row.line, "workstream", row.workstream, row.key, ids)
                )
                return ""
            if ws is None:
                problems.append(
                    Problem(
                        source,
                        row.line,
                        "workstream",
                        row.workstream,
                        "unknown workstream; "
                        f"{one_of(row.workstream, names.stream_ids, 'the workstreams are')}",
                    )
                )
                return ""
            return ws
    for part in (*first.components, *first.labels):
        m = _STREAM_LABEL.match(part)
        ws = (
            mapping.components.get(fold(part))
            or names.streams.get(part)
            or (names.streams.get(m.group(1)) if m else None)
        )
        if ws:
            return ws
    if task is not None:
        return task.workstream
    return mapping.workstream


def plan_effort(
    ini: Initiative,
    read: RowsRead,
    mapping: EffortMapping,
    source: str,
    mapping_problems: Sequence[Problem] = (),
) -> EffortPlan:
    """The import plan of an export's rows; ValidationError with every problem (the mapping
    file's first, then the export's in line order) when anything is wrong."""
    problems = list(mapping_problems) + list(read.problems)
    cal, clashes = period_calendar(ini.periods, mapping.periods)
    for clash, message in clashes:
        problems.append(
            Problem(mapping.source or "initiative", None, f"periods.{clash}", clash, message)
        )
    if not cal.ranges:
        problems.append(
            Problem(
                mapping.source or source,
                None,
                "periods",
                ", ".join(ini.periods),
                "no period of the initiative has dates to put work in: name periods "
                f"{NAMED_FORMS}, or give each one's first and last day in the mapping file "
                "(periods: {Sprint 14: [2026-07-01, 2026-07-14]})",
            )
        )
    names = _Names(ini)
    by_key: dict[str, list[tuple[EffortRow, str]]] = {}
    for row in read.rows:
        period = cal.period_of(row.date) if cal.ranges else None
        if period is not None:
            by_key.setdefault(row.key, []).append((row, period))
        elif cal.ranges:
            undated = (
                f", or give the dates of {', '.join(cal.undated)} under `periods:` in the "
                "mapping file"
                if cal.undated
                else ""
            )
            problems.append(
                Problem(
                    source,
                    row.line,
                    row.date_field,
                    row.date_value,
                    f"{row.key}: {row.date.isoformat()} is {cal.describe_outside(row.date)}; "
                    "leave it out of the export (filter the dates), or add a period for it "
                    f"to the initiative{undated}",
                )
            )
    where = (source, "labels" if read.kind == "github" else "Labels")
    items: list[EffortItem] = []
    for key, dated in by_key.items():
        rows = [row for row, _ in dated]
        task_id = _lookup_key(mapping.tasks, key)
        task = next((t for t in ini.tasks if t.id == task_id and not t.origin), None)
        if task is None and not _lookup_key(mapping.items, key):
            task = names.tasks.get(key)
        themes, how = _item_themes(rows, names, mapping, task, where, problems)
        if how == "mapping":
            task = None  # the mapping's themes make it an item of its own
        stream = _item_stream(rows, names, mapping, task, source, problems)
        effort: dict[str, float] = {}
        for row, period in dated:
            effort[period] = effort.get(period, 0.0) + row.hours / mapping.hours_per_unit
        items.append(
            EffortItem(
                key=key,
                name=rows[0].name,
                line=rows[0].line,
                workstream=stream,
                themes=themes,
                themed_by=how,
                effort=effort,
                task=task.id if task is not None else "",
            )
        )
    if not read.rows and not problems:
        left = ", ".join(f"{n} with {why}" for why, n in read.left_out.items())
        problems.append(
            Problem(
                source,
                None,
                "file",
                f"{read.lines} item(s)",
                "holds no hours to import"
                + (f" ({left})" if left else "")
                + "; export the items with their time spent, estimates or hours",
            )
        )
    if problems:
        # The mapping file's problems first, then the export's, each in line order.
        first = len(mapping_problems)
        problems[:first] = sorted(problems[:first], key=lambda p: p.line or 0)
        problems[first:] = sorted(problems[first:], key=lambda p: p.line or 0)
        raise ValidationError(
            problems, f"{source}: {count(len(problems), 'problem')}; nothing was applied"
        )
    covered = tuple(p for p in ini.periods if any(p in i.effort for i in items))
    return EffortPlan(
        kind=read.kind,
        source=source,
        periods=covered,
        items=tuple(items),
        left_out=dict(read.left_out),
        hours_per_unit=mapping.hours_per_unit,
        mapping_source=mapping.source,
    )


def with_item_proposals(plan: EffortPlan, ini: Initiative, embedder: Embedder | None) -> EffortPlan:
    """The plan with the analyzer's theme proposals for the items nothing else themed."""
    bare = [i for i in plan.items if i.themed_by == "none"]
    if embedder is None or not bare or not ini.themes:
        return plan
    theme_texts = [f"{t.name}. {t.description}".strip() for t in ini.themes]
    vecs = embedder([i.name for i in bare] + theme_texts)
    props = propose_from_embeddings(
        [i.key for i in bare], vecs[: len(bare)], [t.id for t in ini.themes], vecs[len(bare) :]
    )
    proposed = {p.task for p in props}
    items = tuple(
        replace(i, themed_by="proposed") if i.key in proposed and i.themed_by == "none" else i
        for i in plan.items
    )
    return replace(plan, items=items, proposals=props)


def _unique(key: str, taken: set[str]) -> str:
    if key not in taken:
        return key
    n = 2
    while f"{key} ({n})" in taken:
        n += 1
    return f"{key} ({n})"


def overlay_effort(ini: Initiative, plan: EffortPlan, imported_at: str = "") -> Initiative:
    """The initiative with the plan's effort in the periods it covers: every task's effort in
    those periods is replaced (an item that is an initiative task adds to that task; others
    become tasks of their own), and the other periods keep what they had.

    Names the initiative no longer has (a period, theme or workstream removed since the import
    was applied) are left out: the item counts as untagged, or without workstream."""
    covered = [p for p in plan.periods if p in ini.periods]
    if not covered:
        return ini
    at = {p: n for n, p in enumerate(ini.periods)}
    themes = {t.id for t in ini.themes}
    streams = {w.id for w in ini.workstreams}
    origin = f"{plan.kind}: {plan.source}"
    added: dict[str, list[float]] = {}
    tasks: list[Task] = []
    for t in ini.tasks:
        effort = list(t.effort)
        for p in covered:
            effort[at[p]] = 0.0
        if t.origin and not any(effort):
            continue  # an earlier import's item with nothing left
        tasks.append(replace(t, effort=tuple(effort)))
    of_file = {t.id for t in tasks if not t.origin}
    taken = {t.id for t in tasks}
    new_ids: dict[str, str] = {}
    new_tasks: list[Task] = []
    for item in plan.items:
        vec = [0.0] * len(ini.periods)
        for p in covered:
            vec[at[p]] = item.effort.get(p, 0.0)
        if not any(vec):
            continue
        if item.task in of_file:
            row = added.setdefault(item.task, [0.0] * len(ini.periods))
            for n, v in enumerate(vec):
                row[n] += v
            continue
        shares = {k: v for k, v in item.themes.items() if k in themes}
        total = sum(shares.values())
        tid = _unique(item.key, taken)
        taken.add(tid)
        new_ids[item.key] = tid
        new_tasks.append(
            Task(
                id=tid,
                name=item.name,
                workstream=item.workstream if item.workstream in streams else "",
                effort=tuple(vec),
                themes={k: v / total for k, v in shares.items()} if total else {},
                origin=origin,
            )
        )
    tasks = [
        replace(t, effort=tuple(e + a for e, a in zip(t.effort, added[t.id], strict=True)))
        if t.id in added
        else t
        for t in tasks
    ]
    # Earlier guesses stay only with the tasks that were there before (the file's, or an
    # earlier import's item that keeps effort in other periods); an item of this import may
    # get the id of an earlier import's item it replaces, and that item's guess is not its own.
    kept = {t.id for t in tasks}
    proposals = tuple(p for p in ini.proposals if p.task in kept) + tuple(
        ThemeProposal(new_ids[p.task], p.theme, p.confidence)
        for p in plan.proposals
        if p.task in new_ids and p.theme in themes
    )
    sources = {s.period: s for s in ini.effort_sources}
    for p in covered:
        sources[p] = EffortSource(
            p,
            plan.kind,
            plan.source,
            imported_at,
            plan.period_items(p),
            round(plan.period_effort(p), 6),
        )
    return replace(
        ini,
        tasks=(*tasks, *new_tasks),
        proposals=proposals,
        effort_sources=tuple(sources[p] for p in ini.periods if p in sources),
    )
