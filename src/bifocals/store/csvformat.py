"""The campaign CSV format: parse and check a long-format file, and write one back.

Header `participant,rater,group,item,value`, one answer per row. Rating items take a whole
number on the instrument's scale, blank or NA for "not observed"; open questions take text.
Parsing collects every problem (with its line) before anything is written anywhere.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bifocals.errors import Problem, ValidationError
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import GROUPS

COLUMNS: tuple[str, ...] = ("participant", "rater", "group", "item", "value")
NOT_OBSERVED: frozenset[str] = frozenset({"", "na", "n/a"})
MAX_PROBLEMS = 10_000


@dataclass
class ParsedCampaign:
    """A checked CSV as columns: participants and raters in first-seen order, then answers.

    raters[k] = (participant index, rater code, group); resp_* are parallel lists, one entry
    per answer row, resp_rater indexing raters. resp_text is set for open questions only.
    """

    participants: list[str] = field(default_factory=list)
    raters: list[tuple[int, str, str]] = field(default_factory=list)
    resp_rater: list[int] = field(default_factory=list)
    resp_item: list[str] = field(default_factory=list)
    resp_value: list[float | None] = field(default_factory=list)
    resp_text: list[str | None] = field(default_factory=list)

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


def _header_problem(source: str, header: list[str]) -> Problem | None:
    names = [h.strip().lower() for h in header]
    if tuple(names) == COLUMNS:
        return None
    missing = [c for c in COLUMNS if c not in names]
    extra = [h for h in names if h not in COLUMNS]
    dupes = sorted({h for h in names if names.count(h) > 1})
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
        "; ".join(parts) + f"; the first line must be exactly {','.join(COLUMNS)}",
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
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header = next(reader)
    hp = _header_problem(source, header)
    if hp is not None:
        raise ValidationError([hp], f"{source} has a bad header")
    return _check_rows(reader, instrument, source)


def _check_rows(reader: Any, instrument: Instrument, source: str) -> ParsedCampaign:
    out = ParsedCampaign()
    problems: list[Problem] = []
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

    for row in reader:
        line = reader.line_num
        if len(problems) >= MAX_PROBLEMS:
            break
        if len(row) != 5:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            problem(
                line,
                "row",
                ",".join(row),
                f"has {len(row)} columns; every row needs 5 "
                f"({','.join(COLUMNS)}); quote values that contain commas",
            )
            continue
        pcode, rcode, group, item, value = (c.strip() for c in row)
        bad_who = bad_what = False
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


def format_value(value: float | None, text: str | None, is_rating: bool) -> str:
    """One answer as written in the CSV: whole numbers without '.0', NA for not observed."""
    if not is_rating:
        return text or ""
    if value is None or math.isnan(value):
        return "NA"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def write_campaign_csv(rows: Iterable[tuple[str, str, str, str, str]], out: TextIO) -> int:
    """Write the header and rows; returns the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    return n
