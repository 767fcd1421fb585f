"""Jira exports: the issue CSV ("Export > CSV", Jira's own column names) and worklog CSVs.

Issue CSV: `Issue key`, `Summary` and `Created` are required; `Resolved`, `Time Spent`
(seconds), the repeated `Labels` and `Component/s` columns, `Custom field (Epic Link)`,
`Parent` (or `Parent summary`, `Custom field (Epic Name)`) and the repeated `Log Work` columns
(`comment;date;author;seconds`) are read when present; every other column is left alone.
An issue with worklogs counts its worklogs, each on its own date; one without counts its
`Time Spent` on its resolution date, or on its creation date while unresolved.

Worklog CSV (a timesheet app's export, one worklog a line): `Issue Key`, `Hours` (or
`Time Spent` in seconds) and `Work date` (or `Started`), with the issue's summary, labels,
components and epic when the export has them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from bifocals.change.effort_rows import (
    Columns,
    EffortRow,
    Record,
    RowsRead,
    missing_columns,
    not_a_date,
    parse_date,
    parse_number,
    too_many_hours,
)
from bifocals.errors import Problem

KEY = ("Issue key",)
SUMMARY = ("Summary",)
LABELS = ("Labels",)
COMPONENTS = ("Component/s",)
EPICS = ("Custom field (Epic Link)", "Parent", "Parent summary", "Custom field (Epic Name)")
TIME_SPENT = "Time Spent"
LOG_WORK = "Log Work"

W_KEY = ("Issue Key", "Issue key")
W_SUMMARY = ("Issue summary", "Issue Summary", "Summary")
W_HOURS = ("Hours", "Time Spent (h)", "Hours Worked")
W_SECONDS = ("Time Spent", "Time Spent (seconds)")
W_DATE = ("Work date", "Work Date", "Started", "Date Started", "Date")
W_PERSON = ("Full name", "Author", "Username", "Worker")
W_COMPONENTS = ("Components", "Component", "All Components", "Component/s")
W_EPICS = ("Epic Link", "Epic", "Parent Key", "Custom field (Epic Link)", "Parent")
W_LABELS = ("Labels", "Issue Labels")

_NO_DATE = dt.date(1, 1, 1)  # an issue's row before its date is known
SECONDS_HINT = (
    "write it as a whole number of seconds, as Jira's CSV export does (36000 for 10 hours)"
)


def is_worklog_export(header: Columns) -> bool:
    """True for a worklog CSV (one worklog a line) rather than Jira's issue CSV."""
    return (
        header.has(*W_KEY)
        and header.has(*W_DATE)
        and header.has(*W_HOURS, *W_SECONDS)
        and not header.has("Created")
    )


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def no_time_column(source: str, header: Columns, worklogs: bool) -> list[Problem]:
    """A problem when the header has no column the time spent is read from (an issue CSV's
    `Log Work` columns count only while they hold worklogs: call it once none did), naming
    the columns that look like one and the names that are read; [] when it has one."""
    if header.has(*W_HOURS, *W_SECONDS) if worklogs else header.has(TIME_SPENT):
        return []
    near = [
        n
        for n in dict.fromkeys(header.names)
        if n.casefold() != LOG_WORK.casefold()
        and any(w in n.casefold() for w in ("time", "hour", "spent"))
    ]
    found = (
        f"its columns {_names(near)} are not read as one"
        if near
        else "none of its columns (in the value) is one"
    )
    if not worklogs and header.has(LOG_WORK):
        found += f", and its {LOG_WORK!r} columns hold no worklog"
    names = (
        f"{_names(W_HOURS)} (hours) or {_names(W_SECONDS)} (seconds)"
        if worklogs
        else f"{TIME_SPENT!r} (seconds) or {LOG_WORK!r} (worklogs)"
    )
    return [
        Problem(
            source,
            1,
            "header",
            ",".join(header.names)[:200],
            f"no column holds the time spent: {found}; it is read from {names}; export "
            "again with it, or give the column one of these names",
        )
    ]


def read_jira(records: Iterable[Record], source: str) -> RowsRead:
    """The rows of a Jira issue CSV or worklog CSV (told apart by their headers)."""
    it = iter(records)
    head = next(it, None)
    if head is None:
        out = RowsRead("jira")
        out.problems.append(Problem(source, 1, "file", "", "the file is empty; export again"))
        return out
    header = Columns(head[1])
    if is_worklog_export(header):
        return _worklogs(header, it, source)
    if header.has(*W_KEY) and header.has(*W_DATE) and not header.has("Created"):
        # A worklog CSV but for its hours.
        out = RowsRead("jira worklog")
        out.problems += no_time_column(source, header, worklogs=True)
        return out
    return _issues(header, it, source)


def _issues(header: Columns, records: Iterable[Record], source: str) -> RowsRead:
    out = RowsRead("jira")
    out.problems += missing_columns(
        source, header, (KEY, SUMMARY, ("Created",)), "a Jira issue CSV (nor a worklog CSV)"
    )
    if out.problems:
        return out
    seen: dict[str, int] = {}
    for line, cells in out.filled(records):
        key = header.cell(cells, *KEY)
        if not key:
            out.problems.append(
                Problem(source, line, "Issue key", "", "every issue needs its key; export again")
            )
            continue
        if key in seen:
            out.problems.append(
                Problem(
                    source,
                    line,
                    "Issue key",
                    key,
                    f"this issue is in the file twice (first on line {seen[key]}), so its hours "
                    "would count twice; export each issue once",
                )
            )
            continue
        seen[key] = line
        issue = EffortRow(
            line=line,
            key=key,
            name=header.cell(cells, *SUMMARY) or key,
            hours=0.0,
            date=_NO_DATE,
            date_field="",
            date_value="",
            labels=header.cells(cells, *LABELS),
            components=header.cells(cells, *COMPONENTS),
            epics=header.cells(cells, *EPICS),
        )
        logs = header.cells(cells, LOG_WORK)
        if logs:
            for raw in logs:
                row = _log_work(raw, issue, source, out.problems)
                if row is not None:
                    out.rows.append(row)
            continue
        spent = header.cell(cells, TIME_SPENT)
        hours = _seconds(spent, line, source, key, TIME_SPENT, out.problems)
        if hours is None:
            continue
        if hours == 0:
            out.leave_out("no time spent")
            continue
        field = "Resolved" if header.cell(cells, "Resolved") else "Created"
        value = header.cell(cells, field)
        day = parse_date(value)
        if day is None:
            out.problems.append(Problem(source, line, field, value, f"{key}: {not_a_date(value)}"))
            continue
        out.rows.append(replace(issue, hours=hours, date=day, date_field=field, date_value=value))
    if not out.rows and not out.problems:
        out.problems += no_time_column(source, header, worklogs=False)
    return out


def _seconds(
    text: str, line: int, source: str, key: str, field: str, problems: list[Problem]
) -> float | None:
    """Hours from a cell of seconds ("" is 0); None after a problem."""
    if not text.strip():
        return 0.0

    def refused(message: str) -> None:
        problems.append(Problem(source, line, field, text, f"{key}: {message}"))

    x = parse_number(text)
    if x is None:
        refused(f"not a number; {SECONDS_HINT}")
        return None
    if x < 0:
        refused("time spent cannot be negative; correct the worklog in Jira and export again")
        return None
    if not text.strip().isdigit():
        # Jira writes whole seconds: "28,800" or "28.800" is a spreadsheet program's thousands
        # separator (read as a decimal it would be 28.8 seconds), "1.5" is not seconds at all.
        refused(
            "not whole seconds (a spreadsheet program may have added a thousands separator); "
            + SECONDS_HINT
        )
        return None
    too_many = too_many_hours(x / 3600.0)
    if too_many:
        refused(too_many)
        return None
    return x / 3600.0


def _log_work(raw: str, issue: EffortRow, source: str, problems: list[Problem]) -> EffortRow | None:
    """One `Log Work` cell of `issue`: comment;date;author;seconds (the comment may hold ';')."""
    line, key = issue.line, issue.key
    parts = raw.rsplit(";", 3)
    if len(parts) != 4:
        problems.append(
            Problem(
                source,
                line,
                LOG_WORK,
                raw,
                f"{key}: a worklog reads comment;date;author;seconds, as Jira exports it; "
                "export again",
            )
        )
        return None
    _, when, author, seconds = parts
    hours = _seconds(seconds, line, source, key, LOG_WORK, problems)
    day = parse_date(when)
    if day is None:
        problems.append(
            Problem(source, line, LOG_WORK, raw, f"{key}: the worklog's date is {not_a_date(when)}")
        )
        return None
    if hours is None or hours == 0:
        return None
    return replace(
        issue,
        hours=hours,
        date=day,
        date_field=LOG_WORK,
        date_value=when.strip(),
        person=author.strip(),
    )


def _worklogs(header: Columns, records: Iterable[Record], source: str) -> RowsRead:
    out = RowsRead("jira worklog")
    in_hours = header.has(*W_HOURS)
    hours_col = header.first(*(W_HOURS if in_hours else W_SECONDS)) or "Hours"
    date_col = header.first(*W_DATE) or "Work date"
    for line, cells in out.filled(records):
        key = header.cell(cells, *W_KEY)
        if not key:
            out.problems.append(
                Problem(
                    source,
                    line,
                    header.first(*W_KEY) or "Issue Key",
                    "",
                    "a worklog needs the key of its issue; export again",
                )
            )
            continue
        raw = header.cell(cells, hours_col)
        if in_hours:
            hours = parse_number(raw) if raw else 0.0
            too_many = too_many_hours(hours) if hours is not None else None
            if hours is None or hours < 0 or too_many:
                what = (
                    "not a number of hours"
                    if hours is None
                    else too_many or "hours cannot be negative"
                )
                out.problems.append(
                    Problem(
                        source,
                        line,
                        hours_col,
                        raw,
                        f"{key}: {what}; correct the worklog and export again",
                    )
                )
                continue
        else:
            hours = _seconds(raw, line, source, key, hours_col, out.problems)
            if hours is None:
                continue
        when = header.cell(cells, date_col)
        day = parse_date(when)
        if day is None:
            out.problems.append(Problem(source, line, date_col, when, f"{key}: {not_a_date(when)}"))
            continue
        if hours == 0:
            out.leave_out("no hours")
            continue
        out.rows.append(
            EffortRow(
                line=line,
                key=key,
                name=header.cell(cells, *W_SUMMARY) or key,
                hours=hours,
                date=day,
                date_field=date_col,
                date_value=when,
                labels=tuple(label for c in header.cells(cells, *W_LABELS) for label in c.split()),
                components=tuple(
                    part.strip()
                    for c in header.cells(cells, *W_COMPONENTS)
                    for part in c.split(",")
                    if part.strip()
                ),
                epics=header.cells(cells, *W_EPICS),
                person=header.cell(cells, *W_PERSON),
            )
        )
    return out
