"""Effort as the tools where work lives export it: one dated amount of hours per row.

The readers (`effort_jira`, `effort_github`, `effort_timesheet`) turn an export into
EffortRows and Problems; `effort_plan` then gives each row a period, a workstream and themes.
Pure: cells and text in, plain data out. The CSV itself is read by the store's one strict
reader (`store.sheets.read_table`), which hands over (line, cells) records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from bifocals.errors import Problem

# A record of a table: the line it starts on and its cells (stripped).
Record = tuple[int, Sequence[str]]


@dataclass(frozen=True)
class EffortRow:
    """One dated amount of work, as read from an export.

    key: the item it belongs to (issue key, "#12", the timesheet's task); rows with the same
    key are one item. date_field/date_value: the column the date was taken from and what it
    held, so that a date outside the initiative's periods can be named. labels, components
    and epics are what may name a theme or a workstream; themes and workstream are named by
    the file itself (a timesheet's optional columns).
    """

    line: int
    key: str
    name: str
    hours: float
    date: dt.date
    date_field: str
    date_value: str
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    epics: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    workstream: str = ""
    person: str = ""


@dataclass
class RowsRead:
    """What a reader found: the rows, every problem, and what it left out on purpose.

    kind names the format as read ("jira", "jira worklog", "github", "timesheet"); left_out
    counts items left out with their reason ("no time spent", "pull request", ...)."""

    kind: str
    rows: list[EffortRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    lines: int = 0

    def leave_out(self, reason: str) -> None:
        """Count one item left out for `reason`."""
        self.left_out[reason] = self.left_out.get(reason, 0) + 1

    def filled(self, records: Iterable[Record]) -> Iterator[Record]:
        """The records that hold anything, each counted in `lines`; blank lines are skipped."""
        for line, cells in records:
            if any(c.strip() for c in cells):
                self.lines += 1
                yield line, cells


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: .*)?$")
# Jira's default CSV date: 03/Jul/26 10:15 AM (also with a four-digit year, or without time).
_JIRA = re.compile(r"^(\d{1,2})[/ -]([A-Za-z]{3})[a-z]*\.?[/ -](\d{2}|\d{4})(?:[ ,].*)?$")

DATE_FORMS = "YYYY-MM-DD (with or without a time) or Jira's 03/Jul/26 10:15 AM"
# 20/07/2026 16:15, 7/20/26 4:15 PM, 20.07.2026: what a spreadsheet program writes when it
# saves a Jira export again (the export itself says 20/Jul/26 4:15 PM).
_NUMERIC_DAY = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:[ ,T].*)?$")


# More hours than this on one item (five person-years) is a mistake in the export, not work:
# seconds read as milliseconds, a total pasted into the wrong column.
MAX_ITEM_HOURS = 10_000.0


def too_many_hours(hours: float) -> str | None:
    """What to do about one item's hours when they are more than MAX_ITEM_HOURS; None if not."""
    if hours <= MAX_ITEM_HOURS:
        return None
    return (
        f"{hours:,.0f} hours on one item is more than {MAX_ITEM_HOURS:,.0f} (five person-years); "
        "correct the value (Jira's Time Spent is in seconds: 36000 for 10 hours) and export again"
    )


def not_a_date(text: str, jira: bool = True) -> str:
    """What to do about a date parse_date refused: for day-first or month-first numbers, say
    why they are refused and where they usually come from."""
    if _NUMERIC_DAY.match(text.strip()):
        return (
            "not a date: day and month could be either way round (a spreadsheet program writes "
            "dates like this when it saves the export again); "
            + (
                "upload the export as Jira wrote it (03/Jul/26 10:15 AM), or write YYYY-MM-DD"
                if jira
                else "write YYYY-MM-DD"
            )
        )
    return f"not a date; write {DATE_FORMS}"


def parse_date(text: str) -> dt.date | None:
    """A date from the forms exports write (DATE_FORMS); None when it is none of them.

    Day-first or month-first numbers (03/07/2026) are refused on purpose: they cannot be told
    apart. A time and a time zone after the date are ignored: the day as written counts."""
    value = text.strip()
    try:
        m = _ISO.match(value) or _SLASHED_ISO.match(value)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _JIRA.match(value)
        if m and m.group(2).lower() in _MONTHS:
            year = int(m.group(3))
            year = year + 2000 if year < 100 else year
            return dt.date(year, _MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:  # 2026-02-30
        return None
    return None


def parse_number(text: str) -> float | None:
    """A decimal number ("7.5", or "7,5" as a spreadsheet set to a European locale writes it);
    None when the text is not one."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        x = float(value)
    except ValueError:
        return None
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def fold(text: str) -> str:
    """The form in which names are compared: case, spaces, '-' and '_' do not matter (they
    are left out: `self-service`, `Self service` and `selfservice` are the same name)."""
    return re.sub(r"[\s_-]+", "", text.casefold())


class Columns:
    """Where the columns of a header are, by name (case does not matter); a name may repeat,
    as Jira repeats `Labels`, `Component/s` and `Log Work`."""

    def __init__(self, header: Sequence[str]) -> None:
        self.names = [h.strip() for h in header]
        self.at: dict[str, list[int]] = {}
        for n, name in enumerate(self.names):
            self.at.setdefault(name.casefold(), []).append(n)

    def has(self, *names: str) -> bool:
        """True when any of `names` is a column."""
        return any(n.casefold() in self.at for n in names)

    def first(self, *names: str) -> str | None:
        """The header's spelling of the first of `names` that is a column."""
        for n in names:
            idx = self.at.get(n.casefold())
            if idx:
                return self.names[idx[0]]
        return None

    def cell(self, cells: Sequence[str], *names: str) -> str:
        """The first non-empty cell under any of `names` ("" when none)."""
        for n in names:
            for i in self.at.get(n.casefold(), ()):
                if i < len(cells) and cells[i].strip():
                    return cells[i].strip()
        return ""

    def cells(self, cells: Sequence[str], *names: str) -> tuple[str, ...]:
        """Every non-empty cell under any of `names`, in column order, without repeats."""
        out: list[str] = []
        for n in names:
            for i in self.at.get(n.casefold(), ()):
                if i < len(cells) and cells[i].strip() and cells[i].strip() not in out:
                    out.append(cells[i].strip())
        return tuple(out)


def missing_columns(
    source: str, header: Columns, required: Iterable[tuple[str, ...]], what: str
) -> list[Problem]:
    """A problem naming the columns of `what` the header lacks (each entry of `required`:
    names of which one is enough)."""
    missing = [names[0] for names in required if not header.has(*names)]
    if not missing:
        return []
    return [
        Problem(
            source,
            1,
            "header",
            ",".join(header.names)[:200],
            f"this is not {what}: it has no column {', '.join(repr(m) for m in missing)}; "
            "export again with these columns (their names as the tool writes them), or "
            "choose the format the file is in",
        )
    ]
