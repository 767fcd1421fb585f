"""GitHub issues as JSON: `gh issue list --json ...`, the REST API's issues, or
`gh project item-list --format json` (whose items carry the project's fields).

Each issue's hours are its estimate: a project field (`estimate_field` in the mapping file,
`Estimate` unless told otherwise) or a label (`estimate: 8h`, `8h`, `points: 3` with
`hours_per_point`, or a label listed under `estimate_labels`). Its date is a project date
field named by `date_field`, else its closing date, else its creation date. Pull requests
(the REST API lists them among issues) and issues without an estimate are left out and counted.

JSON has no line numbers of its own: the reader walks the array itself to find the line each
issue starts on, and the line of a field inside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bifocals.change.effort_rows import (
    DATE_FORMS,
    EffortRow,
    RowsRead,
    fold,
    parse_date,
    too_many_hours,
)
from bifocals.errors import Problem

DEFAULT_ESTIMATE_FIELD = "Estimate"
_NUM = r"(\d+(?:[.,]\d+)?)"
_HOURS = r"(?:h|hrs?|hours?)"
_HOURS_LABEL = re.compile(
    rf"^(?:(?:estimate|est|hours|time)\s*[:=/ ]\s*{_NUM}\s*{_HOURS}?|{_NUM}\s*{_HOURS})$",
    re.IGNORECASE,
)
_POINTS_LABEL = re.compile(
    rf"^(?:points?|pts|sp|story\s*points?)\s*[:=/ ]\s*{_NUM}$", re.IGNORECASE
)
_WS = re.compile(r"\s*")
_REPO_URL = re.compile(r"github\.com/(?:repos/)?([^/\s]+/[^/\s]+?)(?:/issues/\d+|/pull/\d+|/?$)")


@dataclass(frozen=True)
class EstimateRules:
    """How to read an estimate and a date (from the mapping file; see effort_mapping)."""

    estimate_field: str = DEFAULT_ESTIMATE_FIELD
    estimate_unit: str = "hours"  # or "points"
    estimate_labels: tuple[tuple[str, float], ...] = ()
    hours_per_point: float | None = None
    date_field: str = ""


@dataclass(frozen=True)
class _Located:
    line: int
    start: int
    end: int
    value: Any


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _items(text: str) -> Iterator[_Located]:
    """The elements of the top-level array (or of the `items` array of a top-level object),
    each with the line and span it has in the text. The text is known to be valid JSON."""
    dec = json.JSONDecoder()

    def skip(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    i = skip(0)
    if text[i] == "{":
        i = skip(i + 1)
        while text[i] != "}":
            key, i = dec.raw_decode(text, i)
            i = skip(skip(i) + 1)  # past ':'
            if key == "items" and text[i] == "[":
                break
            _, i = dec.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        else:
            return
    if text[i] != "[":
        return
    i = skip(i + 1)
    while i < len(text) and text[i] != "]":
        value, end = dec.raw_decode(text, i)
        yield _Located(_line(text, i), i, end, value)
        i = skip(end)
        if i < len(text) and text[i] == ",":
            i = skip(i + 1)


def read_github(text: str, source: str, rules: EstimateRules | None = None) -> RowsRead:
    """The rows of a GitHub issues JSON export: one per issue with an estimate."""
    rules = rules or EstimateRules()
    out = RowsRead("github")
    try:
        top = json.loads(text)
    except json.JSONDecodeError as exc:
        out.problems.append(
            Problem(
                source,
                exc.lineno,
                "file",
                text.splitlines()[exc.lineno - 1][:80] if text.strip() else "",
                f"not valid JSON ({exc.msg}, column {exc.colno}); export again with "
                "`gh issue list --json number,title,labels,createdAt,closedAt,milestone "
                "--limit 1000 > issues.json`",
            )
        )
        return out
    if not (
        isinstance(top, list) or (isinstance(top, dict) and isinstance(top.get("items"), list))
    ):
        out.problems.append(
            Problem(
                source,
                1,
                "file",
                type(top).__name__,
                "expected a list of issues (gh issue list --json, the REST API) or an object "
                "with `items` (gh project item-list --format json)",
            )
        )
        return out
    seen: dict[str, int] = {}
    for loc in _items(text):
        out.lines += 1
        _issue(text, loc, source, rules, out, seen)
    return out


def _field_line(text: str, loc: _Located, name: str) -> int:
    at = text.find(f'"{name}"', loc.start, loc.end)
    return _line(text, at) if at >= 0 else loc.line


def _lookup(obj: dict[str, Any], name: str) -> tuple[str, Any] | None:
    """A field of an issue or of one of its project items, by name (case, spaces and '_' do
    not matter): (its key as written, its value)."""
    want = fold(name)
    places: list[dict[str, Any]] = [obj]
    for key in ("projectItems", "fields"):
        extra = obj.get(key)
        if isinstance(extra, dict):
            extra = extra.get("nodes", [extra])
        if isinstance(extra, list):
            places += [e for e in extra if isinstance(e, dict)]
    for place in places:
        for key, value in place.items():
            if fold(str(key)) == want and value is not None:
                return str(key), value
    return None


def _repo(obj: dict[str, Any]) -> str:
    content = obj.get("content") if isinstance(obj.get("content"), dict) else {}
    for value in (
        content.get("repository") if content else None,
        obj.get("repository"),
        obj.get("repository_url"),
        obj.get("url"),
        obj.get("html_url"),
    ):
        if isinstance(value, dict):
            value = value.get("nameWithOwner") or value.get("full_name")
        if isinstance(value, str) and value:
            m = _REPO_URL.search(value)
            if m:
                return m.group(1)
            if re.fullmatch(r"[^/\s]+/[^/\s]+", value):
                return value
    return ""


def _label_names(obj: dict[str, Any]) -> list[str]:
    raw = obj.get("labels") or []
    if isinstance(raw, dict):
        raw = raw.get("nodes", [])
    names = []
    for label in raw if isinstance(raw, list) else []:
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def _number(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("number", value.get("value"))
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _issue(
    text: str,
    loc: _Located,
    source: str,
    rules: EstimateRules,
    out: RowsRead,
    seen: dict[str, int],
) -> None:
    obj = loc.value
    if not isinstance(obj, dict):
        out.problems.append(
            Problem(source, loc.line, "issue", str(obj)[:60], "each entry must be an issue object")
        )
        return
    if "pull_request" in obj or obj.get("isPullRequest") is True:
        out.leave_out("pull request")
        return
    content = obj.get("content") if isinstance(obj.get("content"), dict) else {}
    if content and content.get("type") == "PullRequest":
        out.leave_out("pull request")
        return
    number = obj.get("number", content.get("number") if content else None)
    title = obj.get("title") or (content.get("title") if content else "") or ""
    repo = _repo(obj)
    if isinstance(number, int) and not isinstance(number, bool):
        key = f"{repo}#{number}" if repo else f"#{number}"
    elif title:
        key = str(title)[:100]  # a draft item of a project has no number
    else:
        out.problems.append(
            Problem(source, loc.line, "number", None, "an issue needs its number or a title")
        )
        return
    if key in seen:
        out.problems.append(
            Problem(
                source,
                loc.line,
                "number",
                key,
                f"this issue is in the file twice (first on line {seen[key]}), so its hours "
                "would count twice; export each issue once",
            )
        )
        return
    seen[key] = loc.line
    labels = _label_names(obj)
    hours = _estimate(text, loc, source, rules, out, key, labels)
    if hours is None:
        return
    too_many = too_many_hours(hours)
    if too_many:
        out.problems.append(
            Problem(source, loc.line, "estimate", f"{hours:g} hours", f"{key}: {too_many}")
        )
        return
    day, field, value = _date(obj, rules)
    if day is None:
        line = _field_line(text, loc, field) if field else loc.line
        out.problems.append(
            Problem(
                source,
                line,
                field or "closedAt",
                value,
                f"{key}: not a date; write {DATE_FORMS}"
                if field
                else f"{key} has no date: export createdAt and closedAt with it (gh issue "
                "list --json number,title,labels,createdAt,closedAt), or name a project "
                "date field with `date_field` in the mapping file",
            )
        )
        return
    milestone = obj.get("milestone")
    epics = []
    if isinstance(milestone, dict) and isinstance(milestone.get("title"), str):
        epics.append(milestone["title"])
    elif isinstance(milestone, str) and milestone:
        epics.append(milestone)
    out.rows.append(
        EffortRow(
            line=_field_line(text, loc, field),
            key=key,
            name=str(title) or key,
            hours=hours,
            date=day,
            date_field=field,
            date_value=value,
            labels=tuple(lab for lab in labels if not _is_estimate_label(lab, rules)),
            components=tuple(c for c in (repo, repo.split("/")[-1]) if c),
            epics=tuple(epics),
        )
    )


def _is_estimate_label(label: str, rules: EstimateRules) -> bool:
    folded = fold(label)
    return bool(
        _HOURS_LABEL.match(label.strip())
        or _POINTS_LABEL.match(label.strip())
        or any(fold(name) == folded for name, _ in rules.estimate_labels)
    )


def _estimate(
    text: str,
    loc: _Located,
    source: str,
    rules: EstimateRules,
    out: RowsRead,
    key: str,
    labels: list[str],
) -> float | None:
    """The issue's estimate in hours; None (and maybe a problem) when it has none usable."""
    found = _lookup(loc.value, rules.estimate_field) if rules.estimate_field else None
    if found is not None:
        name, value = found
        x = _number(value)
        line = _field_line(text, loc, name)
        if x is None or x < 0:
            what = "not a number" if x is None else "an estimate cannot be negative"
            out.problems.append(
                Problem(source, line, name, value, f"{key}: {what}; correct the project field")
            )
            return None
        if rules.estimate_unit == "points":
            return _points(x, source, line, name, value, key, rules, out)
        return x if x > 0 else _none(out)
    estimates: list[tuple[str, float, bool]] = []  # label, number, in points
    mapped = {fold(n): h for n, h in rules.estimate_labels}
    for label in labels:
        if fold(label) in mapped:
            estimates.append((label, mapped[fold(label)], False))
            continue
        m = _HOURS_LABEL.match(label.strip())
        if m:
            estimates.append((label, float((m.group(1) or m.group(2)).replace(",", ".")), False))
            continue
        m = _POINTS_LABEL.match(label.strip())
        if m:
            estimates.append((label, float(m.group(1).replace(",", ".")), True))
    if not estimates:
        return _none(out)
    line = _field_line(text, loc, "labels")
    if len(estimates) > 1:
        out.problems.append(
            Problem(
                source,
                line,
                "labels",
                ", ".join(e[0] for e in estimates),
                f"{key} has {len(estimates)} estimate labels; keep one",
            )
        )
        return None
    label, x, points = estimates[0]
    if points:
        return _points(x, source, line, "labels", label, key, rules, out)
    return x if x > 0 else _none(out)


def _none(out: RowsRead) -> float | None:
    """No estimate: the issue is left out (and counted)."""
    out.leave_out("no estimate")
    return None


def _points(
    x: float,
    source: str,
    line: int,
    field: str,
    value: Any,
    key: str,
    rules: EstimateRules,
    out: RowsRead,
) -> float | None:
    if rules.hours_per_point is None:
        out.problems.append(
            Problem(
                source,
                line,
                field,
                value,
                f"{key}: an estimate in points needs `hours_per_point` in the mapping file "
                "(how many hours one point is)",
            )
        )
        return None
    return x * rules.hours_per_point if x > 0 else _none(out)


def _date(obj: dict[str, Any], rules: EstimateRules) -> tuple[Any, str, str]:
    """(date or None, the field it came from, its text): the mapping's date field, then the
    closing date, then the creation date."""
    names = [rules.date_field] if rules.date_field else []
    names += ["closedAt", "closed_at", "createdAt", "created_at"]
    content = obj.get("content") if isinstance(obj.get("content"), dict) else None
    for name in names:
        found = _lookup(obj, name) or (_lookup(content, name) if content else None)
        if found is None:
            continue
        key, value = found
        if isinstance(value, dict):  # an iteration field: {"title", "startDate", "duration"}
            value = value.get("startDate") or value.get("date") or value.get("title")
        text = str(value)
        return parse_date(text), key, text
    return None, "", ""
