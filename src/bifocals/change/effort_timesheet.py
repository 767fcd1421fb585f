"""A timesheet CSV, the lowest common denominator: `date,person,task,hours`, one line per
person, day and task; optional `workstream` and `themes` (theme ids separated by `;`).

`task` is one of the initiative's task ids or names (the hours then count on that task) or any
other text (an item of its own, themed by the mapping file or the analyzer's proposals).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bifocals.change.effort_rows import (
    Columns,
    EffortRow,
    Record,
    RowsRead,
    not_a_date,
    parse_date,
    parse_number,
)
from bifocals.change.validate import one_of
from bifocals.errors import Problem

REQUIRED = ("date", "person", "task", "hours")
OPTIONAL = ("workstream", "themes", "note")
DAY_HOURS = 24.0
_THEMES_SPLIT = re.compile(r"[;|,\s]+")


def read_timesheet(records: Iterable[Record], source: str) -> RowsRead:
    """The rows of a timesheet CSV; a person's day over 24 hours is a problem."""
    out = RowsRead("timesheet")
    it = iter(records)
    head = next(it, None)
    if head is None:
        out.problems.append(Problem(source, 1, "file", "", "the file is empty"))
        return out
    header = Columns(head[1])
    known = (*REQUIRED, *OPTIONAL)
    missing = [c for c in REQUIRED if not header.has(c)]
    unknown = [n for n in header.names if n and n.casefold() not in known]
    if missing and header.has("Issue key", "Issue Key"):
        out.problems.append(
            Problem(
                source,
                1,
                "header",
                ",".join(header.names)[:200],
                "this is a Jira export (it has an 'Issue key' column), not a timesheet "
                "(date,person,task,hours); choose the format jira (--from jira)",
            )
        )
        return out
    if missing:
        out.problems.append(
            Problem(
                source,
                1,
                "header",
                ",".join(header.names)[:200],
                f"a timesheet's first line names the columns {','.join(REQUIRED)} (optional: "
                f"{', '.join(OPTIONAL)}); missing {', '.join(missing)}",
            )
        )
    for name in unknown:
        out.problems.append(
            Problem(source, 1, "header", name, f"not a timesheet column; {one_of(name, known)}")
        )
    if out.problems:
        return out
    days: dict[tuple[str, str], tuple[float, int]] = {}
    for line, cells in out.filled(it):
        row = _row(header, line, cells, source, out.problems)
        if row is None:
            continue
        if row.hours == 0:
            out.leave_out("no hours")
            continue
        day = (row.person.casefold(), row.date.isoformat())
        total, first = days.get(day, (0.0, line))
        total += row.hours
        days[day] = (total, first)
        if total > DAY_HOURS:
            out.problems.append(
                Problem(
                    source,
                    line,
                    "hours",
                    f"{row.hours:g}",
                    f"{row.person} has {total:g} hours on {row.date.isoformat()} (lines "
                    f"{first} to {line}), more than a day holds; correct the timesheet",
                )
            )
            days[day] = (float("-inf"), first)  # said once per person and day
        out.rows.append(row)
    return out


def _row(
    header: Columns, line: int, cells: Sequence[str], source: str, problems: list[Problem]
) -> EffortRow | None:
    got = {c: header.cell(cells, c) for c in (*REQUIRED, *OPTIONAL)}
    bad = len(problems)
    for c in ("date", "person", "task"):
        if not got[c]:
            problems.append(Problem(source, line, c, "", f"required: the {c} of this line"))
    day = parse_date(got["date"]) if got["date"] else None
    if got["date"] and day is None:
        problems.append(
            Problem(source, line, "date", got["date"], not_a_date(got["date"], jira=False))
        )
    hours = parse_number(got["hours"]) if got["hours"] else None
    if hours is None or hours < 0 or hours > DAY_HOURS:
        what = (
            "required: the hours worked"
            if not got["hours"]
            else "not a number of hours (7.5 or 7,5)"
            if hours is None
            else "hours cannot be negative"
            if hours < 0
            else f"more than {DAY_HOURS:g} hours on one line"
        )
        problems.append(Problem(source, line, "hours", got["hours"], f"{what}; correct the line"))
    if len(problems) > bad or day is None or hours is None:
        return None
    themes = tuple(t for t in _THEMES_SPLIT.split(got["themes"]) if t)
    return EffortRow(
        line=line,
        key=got["task"],
        name=got["task"],
        hours=hours,
        date=day,
        date_field="date",
        date_value=got["date"],
        themes=themes,
        workstream=got["workstream"],
        person=got["person"],
    )
