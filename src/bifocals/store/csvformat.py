"""The campaign CSV format: parse and check a long-format file, and write one back.

Header `participant,rater,group,item,value`, one answer per row. Rating items take a whole
number on the instrument's scale, blank or NA for "not observed"; open questions take text.
Four optional columns say who the participant and the rater are: `participant_name` and
`participant_email` right after `participant`, `rater_name` and `rater_email` right after
`rater` (the export writes all nine; an import may carry any of the four, in those places).
A participant or rater has one name and one e-mail in a file: a blank cell says nothing, a
different value on another line is a problem naming both lines. Only the first value of each
participant and rater is kept (and checked), so the repeated cells cost one comparison a line.
Parsing collects every problem (with its line) before anything is written anywhere.

Cells go through `bifocals.store.cells`: written text that a spreadsheet would run as a formula
gets an apostrophe in front, and reading removes it again, so export -> import is lossless.
`read_records` is the one strict CSV reader of the imports (this one and the web's participant
upload): a quote that never closes, text after a closing quote or a cell over MAX_CELL
characters is a problem with its line, never a silently swallowed file or a traceback.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from bifocals.addresses import EMAIL
from bifocals.errors import Problem, ValidationError
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import GROUPS
from bifocals.store.cells import APOSTROPHE, guard, safe_cell, safe_row, unguard

COLUMNS: tuple[str, ...] = ("participant", "rater", "group", "item", "value")
# Optional columns: the participant's and the rater's name and e-mail (may be left out).
WHO_COLUMNS: tuple[str, ...] = (
    "participant_name",
    "participant_email",
    "rater_name",
    "rater_email",
)
# The full header, as the export writes it: each name and e-mail right after its code.
EXPORT_COLUMNS: tuple[str, ...] = (
    "participant",
    "participant_name",
    "participant_email",
    "rater",
    "rater_name",
    "rater_email",
    "group",
    "item",
    "value",
)
# The widths of participants.name / raters.name and of the e-mail columns (store.tables).
MAX_NAME = 200
MAX_EMAIL = 320
# The product's one address rule (bifocals.addresses), so whatever it stored comes back in.
_EMAIL = EMAIL
NOT_OBSERVED: frozenset[str] = frozenset({"", "na", "n/a"})
MAX_PROBLEMS = 10_000
# The longest cell an import accepts, in characters (the csv module's own default limit; the
# reader below lifts that limit so that it can name the line and column of a longer cell).
MAX_CELL = 131_072
_READER_LIMIT = 1 << 30
QUOTE_HINT = 'a quote inside a value is written twice ("")'

# A CSV value as written: a number for rating answers, text otherwise.
Cell = str | int | float


@dataclass
class ParsedCampaign:
    """A checked CSV as columns: participants and raters in first-seen order, then answers.

    raters[k] = (participant index, rater code, group); resp_* are parallel lists, one entry
    per answer row, resp_rater indexing raters. resp_text is set for open questions only.
    participant_name/_email map a participant index, rater_name/_email a rater index, to the
    value the file gave (only those the file names: a blank or missing column stores NULL).
    """

    participants: list[str] = field(default_factory=list)
    raters: list[tuple[int, str, str]] = field(default_factory=list)
    resp_rater: list[int] = field(default_factory=list)
    resp_item: list[str] = field(default_factory=list)
    resp_value: list[float | None] = field(default_factory=list)
    resp_text: list[str | None] = field(default_factory=list)
    participant_name: dict[int, str] = field(default_factory=dict)
    participant_email: dict[int, str] = field(default_factory=dict)
    rater_name: dict[int, str] = field(default_factory=dict)
    rater_email: dict[int, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of answer rows."""
        return len(self.resp_item)


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a BOM is dropped); every undecodable line is reported."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems: list[Problem] = []
    for n, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    source,
                    n,
                    "encoding",
                    line[max(0, exc.start - 10) : exc.end + 10],
                    "this line is not UTF-8 text; save the file as CSV UTF-8 "
                    "(in a spreadsheet: Save As > CSV UTF-8) and import again",
                )
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    raise ValidationError(problems, f"{source} is not UTF-8 text")


def _header_names(header: list[str]) -> tuple[str, ...]:
    return tuple(h.strip().lower() for h in header)


def _header_problem(source: str, header: list[str]) -> Problem | None:
    """None for COLUMNS with any of WHO_COLUMNS in their EXPORT_COLUMNS places, else a Problem."""
    names = _header_names(header)
    if names in (COLUMNS, EXPORT_COLUMNS):
        return None
    missing = [c for c in COLUMNS if c not in names]
    extra = [h for h in names if h not in EXPORT_COLUMNS]
    dupes = sorted({h for h in names if names.count(h) > 1})
    in_place = [c for c in EXPORT_COLUMNS if c in names]  # the names, in the export's order
    if not (missing or extra or dupes) and list(names) == in_place:
        return None
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        parts.append(f"unknown column(s) {', '.join(repr(e) for e in extra)}")
    if dupes:
        parts.append(f"repeated column(s) {', '.join(dupes)}")
    if not parts:
        parts.append("columns in the wrong order")
    return Problem(
        source,
        1,
        "header",
        ",".join(header),
        "; ".join(parts) + f"; the first line must be exactly {','.join(COLUMNS)}, or with "
        f"names and e-mails {','.join(EXPORT_COLUMNS)} (any of {', '.join(WHO_COLUMNS)} "
        "may be left out; the columns there keep this order)",
    )


def parse_campaign_csv(path: Path | str, instrument: Instrument) -> ParsedCampaign:
    """Read and check a campaign CSV against an instrument; ValidationError lists every problem."""
    p = Path(path)
    source = str(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValidationError(
            [
                Problem(
                    source, None, "file", source, f"cannot read it ({exc.strerror}); check the path"
                )
            ],
            f"cannot read {source}",
        ) from exc
    return parse_campaign_text(_decode(raw, source), instrument, source)


def parse_campaign_text(text: str, instrument: Instrument, source: str) -> ParsedCampaign:
    """Check CSV text (see parse_campaign_csv); source names the file in problems."""
    if not text.strip():
        raise ValidationError(
            [
                Problem(
                    source,
                    1,
                    "header",
                    "",
                    f"the file is empty; it needs the header {','.join(COLUMNS)} and one row "
                    "per answer",
                )
            ],
            f"{source} is empty",
        )
    problems: list[Problem] = []
    records = read_records(text, source, problems)
    header = next(records, None)
    if header is None or problems:  # the header line itself is broken or too long
        raise ValidationError(problems, f"{source}: {len(problems)} problem(s), nothing imported")
    hp = _header_problem(source, header.cells)
    if hp is not None:
        raise ValidationError([hp], f"{source} has a bad header")
    return _check_rows(records, problems, instrument, source, _header_names(header.cells))


@dataclass(frozen=True)
class Record:
    """One CSV record: the lines it spans (a quoted value may hold line breaks) and its cells."""

    line: int
    last_line: int
    cells: list[str]


def read_records(
    text: str, source: str, problems: list[Problem], delimiter: str = ","
) -> Iterator[Record]:
    """The records of CSV text, header included, each cell stripped and unguarded
    (`delimiter`: the cell separator, "," unless the caller detected another).

    Strict about quotes: a quote that is never closed, or text right after a closing quote,
    adds a Problem naming its line and ends the records, since nothing after it can be read
    reliably. A cell over MAX_CELL characters adds a Problem (line and column) and its record
    is left out. Blank lines come back as records without cells.
    """
    if csv.field_size_limit() < _READER_LIMIT:  # process-wide; raised only, never lowered
        csv.field_size_limit(_READER_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    names: list[str] | None = None
    done = 0  # physical lines read so far
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(_layout_problem(text, source, done + 1, reader.line_num, exc))
            return
        start, done = done + 1, reader.line_num
        # Per cell work only where a row needs it: one join tells whether any cell may carry
        # a guard's apostrophe or be too long (most rows: neither), at C speed.
        cells = list(map(str.strip, row))
        joined = "".join(cells)
        if APOSTROPHE in joined:
            cells = [unguard(c) for c in cells]
        if names is None:
            names = [c.lower() for c in cells]
        long = (
            [n for n, c in enumerate(cells) if len(c) > MAX_CELL] if len(joined) > MAX_CELL else []
        )
        for n in long:
            name = names[n] if n < len(names) and names[n] else f"column {n + 1}"
            problems.append(
                Problem(
                    source,
                    start,
                    name,
                    f"{cells[n][:40]}... ({len(cells[n]):,} characters)",
                    f"is longer than {MAX_CELL:,} characters, the most one cell may hold; "
                    "shorten it (or check for a quote that is not closed) and import again",
                )
            )
        if not long:
            yield Record(start, done, cells)


def _layout_problem(text: str, source: str, start: int, at: int, exc: csv.Error) -> Problem:
    """A Problem for a csv.Error: where the broken quote is and how to write it."""
    reason = str(exc)
    if "end of data" in reason:
        opened = _quote_opened_at(text, start)
        return Problem(
            source,
            opened,
            "quote",
            _line_text(text, opened),
            "a quoted value opens on this line and is never closed, so the rest of the file "
            f"would become part of it; close the quote at the end of the value ({QUOTE_HINT}) "
            "and import again",
        )
    if "expected after" in reason:
        return Problem(
            source,
            at,
            "quote",
            _line_text(text, at),
            "text follows a closing quote; quote the whole value "
            f'("like ""this"" one"), {QUOTE_HINT}, and import again; lines after this one '
            "were not checked",
        )
    return Problem(
        source,
        at,
        "row",
        _line_text(text, at),
        f"cannot be read as CSV ({reason}); check the quotes and commas on this line and "
        "import again; lines after this one were not checked",
    )


def head_of(value: str) -> str:
    """The first line of a multi-line value, cut to 60 characters, to show in a problem."""
    head = value.splitlines()[0] if value else ""
    return head[:60] + " ..." if len(head) > 60 or head != value else head


def _lines_from(text: str, first: int) -> Iterator[tuple[int, str]]:
    """(number, text) of the physical lines from `first` on, split as the csv reader splits."""
    for n, line in enumerate(io.StringIO(text, newline=""), start=1):
        if n >= first:
            yield n, line


def _line_text(text: str, number: int) -> str:
    """Line `number` without its line break, cut to 80 characters."""
    for _, line in _lines_from(text, number):
        return line.rstrip("\r\n")[:80]
    return ""


def _quote_opened_at(text: str, start: int) -> int:
    """The line where the quote that is still open at the end of the text was opened.

    Follows the CSV rules from the first line of the record that ran to the end: a quote
    opens a value only at the start of a cell, and inside a quoted value "" is a quote.
    """
    opened = start
    quoted = False
    at_cell_start = True
    for n, line in _lines_from(text, start):
        i = 0
        while i < len(line):
            ch = line[i]
            if quoted:
                if ch == '"':
                    if line[i + 1 : i + 2] == '"':
                        i += 1
                    else:
                        quoted, at_cell_start = False, False
            elif ch == '"' and at_cell_start:
                quoted, opened = True, n
            else:
                at_cell_start = ch in ",\r\n"
            i += 1
    return opened


def _swallowed_row(
    value: str, groups: set[str], items: dict[str, int], header: tuple[str, ...]
) -> str | None:
    """A line inside a multi-line value that reads like an answer row, if there is one."""
    g, i = header.index("group"), header.index("item")
    for line in value.splitlines()[1:]:
        parts = line.split(",")
        if len(parts) >= len(header) and parts[g].strip() in groups and parts[i].strip() in items:
            return line
    return None


def _who_problem(fld: str, cell: str) -> str | None:
    """What is wrong with a name or e-mail cell, or None."""
    if fld.endswith("_email"):
        if len(cell) > MAX_EMAIL or _EMAIL.fullmatch(cell) is None:
            return "not an e-mail address; write name@example.org, or leave the cell blank"
    elif len(cell) > MAX_NAME:
        return f"is {len(cell):,} characters; a name holds at most {MAX_NAME}"
    return None


# One optional column as _check_rows follows it: field name, its index in a row, the values
# kept so far (owner index -> first non-blank value) and the line each came from.
_Who = tuple[str, int, dict[int, str], dict[int, int]]


def _check_rows(
    records: Iterator[Record],
    problems: list[Problem],
    instrument: Instrument,
    source: str,
    header: tuple[str, ...] = COLUMNS,
) -> ParsedCampaign:
    out = ParsedCampaign()
    width = len(header)
    # The five answer columns of a wider row, in COLUMNS order (None: the row is just those).
    core = None if header == COLUMNS else itemgetter(*(header.index(c) for c in COLUMNS))
    kept = {
        "participant_name": out.participant_name,
        "participant_email": out.participant_email,
        "rater_name": out.rater_name,
        "rater_email": out.rater_email,
    }
    who: list[_Who] = [(f, header.index(f), kept[f], {}) for f in WHO_COLUMNS if f in header]
    p_who = [w for w in who if w[0].startswith("participant")]
    r_who = [w for w in who if w[0].startswith("rater")]
    # Names and e-mails repeat on every line of a rater: a line whose rater and cells are those
    # of the line before (which passed) needs no look-up. itemgetter of one column gives a str.
    who_of = itemgetter(*(w[1] for w in who)) if who else None
    last_ri: int = -1
    last_cells: object = None
    lo, hi = instrument.scale.min, instrument.scale.max
    ratings = set(instrument.item_ids)
    questions = set(instrument.question_ids)
    key_of = {k: n for n, k in enumerate((*instrument.item_ids, *instrument.question_ids))}
    n_keys = len(key_of) or 1
    groups = set(GROUPS)
    part_idx: dict[str, int] = {}
    rater_idx: dict[tuple[int, str], int] = {}
    rater_line: list[int] = []
    self_rater: dict[int, int] = {}
    seen: dict[int, int] = {}
    add = problems.append
    scale_hint = f"use a whole number from {lo} to {hi}, or NA for not observed"

    def problem(line: int, fld: str, value: object, msg: str) -> None:
        add(Problem(source, line, fld, value, msg))

    def differs(
        line: int,
        fld: str,
        cell: str,
        owner: int,
        values: dict[int, str],
        lines: dict[int, int],
        whose: str,
    ) -> None:
        """A name or e-mail cell that is not the one kept for its owner: the first, or a clash."""
        first = values.get(owner)
        if first is None:  # the first one given: keep it (even a bad one, reported once)
            values[owner], lines[owner] = cell, line
            bad = _who_problem(fld, cell)
            if bad is not None:
                problem(line, fld, head_of(cell), bad)
            return
        what = fld.split("_")[1].replace("email", "e-mail")
        problem(
            line,
            fld,
            head_of(cell),
            f"{whose} has the {what} {head_of(first)!r} on line {lines[owner]}; one person has "
            f"one {what} in a file: write the same on both lines (or leave this cell blank)",
        )

    for record in records:
        line, row = record.line, record.cells
        if len(problems) >= MAX_PROBLEMS:
            break
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            problem(
                line,
                "row",
                ",".join(row),
                f"has {len(row)} columns; every row needs {width} "
                f"({','.join(header)}); quote values that contain commas",
            )
            continue
        if core is None:
            pcode, rcode, group, item, value = row
        else:
            pcode, rcode, group, item, value = core(row)
        bad_who = bad_what = False
        if record.last_line > line:
            one_line = [("participant", pcode), ("rater", rcode)]
            one_line += [(w[0], row[w[1]]) for w in who]
            for fld, cell in one_line:
                if "\n" in cell or "\r" in cell:
                    what = "a code" if fld in COLUMNS else "a name or e-mail"
                    problem(
                        line,
                        fld,
                        head_of(cell),
                        f"holds a line break (the quoted value runs to line {record.last_line}); "
                        f"{what} is one line: close its quote ({QUOTE_HINT})",
                    )
                    bad_who = True
            swallowed = _swallowed_row(value, groups, key_of, header)
            if swallowed is not None:
                problem(
                    line,
                    "value",
                    head_of(value),
                    f"this quoted value runs on to line {record.last_line} and holds what "
                    f"reads like an answer row ({swallowed[:60]!r}); a closing quote is "
                    f"probably missing on line {line}: close it ({QUOTE_HINT}) and import again",
                )
                bad_what = True
        if not pcode:
            problem(line, "participant", pcode, "empty; give the participant's code")
            bad_who = True
        if not rcode:
            problem(
                line, "rater", rcode, "empty; give a code for the rater (unique per participant)"
            )
            bad_who = True
        if group not in groups:
            problem(line, "group", group, f"unknown group; use one of {', '.join(GROUPS)}")
            bad_who = True
        key = key_of.get(item)
        if key is None:
            problem(
                line,
                "item",
                item,
                f"not an item or open question of instrument "
                f"{instrument.id!r}; see `bifocals instrument show {instrument.id}`",
            )
            bad_what = True
        number: float | None = None
        text: str | None = None
        if item in ratings:
            if value.lower() not in NOT_OBSERVED:
                try:
                    number = float(value)
                except ValueError:
                    problem(line, "value", value, f"not a number; {scale_hint}")
                    bad_what = True
                else:
                    if not (math.isfinite(number) and number.is_integer() and lo <= number <= hi):
                        problem(line, "value", value, f"not on the scale {lo}-{hi}; {scale_hint}")
                        bad_what = True
        elif item in questions:
            text = value if value.lower() not in NOT_OBSERVED else None
        if bad_who:
            continue
        pi = part_idx.get(pcode)
        if pi is None:
            pi = part_idx[pcode] = len(out.participants)
            out.participants.append(pcode)
        ri = rater_idx.get((pi, rcode))
        if ri is None:
            ri = rater_idx[(pi, rcode)] = len(out.raters)
            out.raters.append((pi, rcode, group))
            rater_line.append(line)
            first = self_rater.setdefault(pi, ri) if group == "self" else ri
            if first != ri:
                problem(
                    line,
                    "rater",
                    rcode,
                    f"participant {pcode!r} already has a self "
                    f"rater {out.raters[first][1]!r} (line {rater_line[first]}); "
                    "a participant rates themself once: use one self rater code",
                )
                continue
        elif out.raters[ri][2] != group:
            problem(
                line,
                "group",
                group,
                f"rater {rcode!r} of participant {pcode!r} is in group "
                f"{out.raters[ri][2]!r} on line {rater_line[ri]}; a rater belongs to one "
                "group per participant: fix the group or use another rater code",
            )
            continue
        if who_of is not None:
            cells = who_of(row)
            if ri != last_ri or cells != last_cells:  # else: as the line before, which was fine
                before = len(problems)
                for fld, col, values, lines in p_who:
                    cell = row[col]
                    if cell and values.get(pi) != cell:
                        differs(line, fld, cell, pi, values, lines, f"participant {pcode!r}")
                for fld, col, values, lines in r_who:
                    cell = row[col]
                    if cell and values.get(ri) != cell:
                        differs(line, fld, cell, ri, values, lines, f"rater {rcode!r} of {pcode!r}")
                last_ri, last_cells = (ri, cells) if len(problems) == before else (-1, None)
        if key is None:
            continue
        dup = ri * n_keys + key
        first_line = seen.get(dup)
        if first_line is not None:
            problem(
                line,
                "item",
                item,
                f"duplicate: rater {rcode!r} of participant {pcode!r} "
                f"already answered it on line {first_line}; keep one of the two rows",
            )
            continue
        seen[dup] = line
        if bad_what:
            continue
        out.resp_rater.append(ri)
        out.resp_item.append(item)
        out.resp_value.append(number)
        out.resp_text.append(text)
    if len(problems) >= MAX_PROBLEMS:
        add(
            Problem(
                source,
                None,
                "file",
                source,
                f"stopped after {MAX_PROBLEMS} problems; fix "
                "these and import again to see the rest",
            )
        )
    if not problems and not out.resp_item:
        problem(2, "row", "", "no answer rows after the header; add one row per answer")
    if problems:
        raise ValidationError(problems, f"{source}: {len(problems)} problem(s), nothing imported")
    return out


def format_value(value: float | None, text: str | None, is_rating: bool) -> Cell:
    """One answer as written in the CSV: a number for a rating (whole numbers without '.0'),
    NA for not observed, the text for an open question."""
    if not is_rating:
        return text or ""
    if value is None or math.isnan(value):
        return "NA"
    return int(value) if float(value).is_integer() else float(value)


def write_campaign_csv(
    rows: Iterable[Sequence[Cell]], out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS
) -> int:
    """Write the header and rows, text guarded against formulas; returns the rows written.

    Rows follow `columns` (by default EXPORT_COLUMNS: codes, names and e-mails, group, item,
    value); a blank name or e-mail is an empty string. Every column but the last two (item,
    value) repeats on each answer of one rater, so that part is guarded once per run of equal
    cells, and item ids once each: the guard costs about nothing per answer.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    write = writer.writerow
    keep = len(columns) - 2
    last: Sequence[Cell] | None = None
    head: list[object] = []
    item_cell: dict[Cell, object] = {}
    n = 0
    for row in rows:
        if row[:keep] != last:
            last = row[:keep]
            head = safe_row(last)
        item, value = row[keep], row[keep + 1]
        safe_item = item_cell.get(item)
        if safe_item is None:
            safe_item = item_cell[item] = safe_cell(item)
        write([*head, safe_item, guard(value) if isinstance(value, str) else value])
        n += 1
    return n
