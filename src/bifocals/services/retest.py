"""Change since the last campaign: the code mapping file that ties participants whose code
changed between the waves (new_code,old_code). The comparison itself is read by
services.baselines.report_extras, for every door.
"""

from __future__ import annotations

from bifocals.errors import Problem, ValidationError
from bifocals.store.sheets import header_refused, read_headed_table

MAPPING_COLUMNS = ("new_code", "old_code")


def read_code_mapping(data: bytes, source: str) -> dict[str, str]:
    """new_code,old_code rows (CSV or .xlsx); every problem names the file, line and field."""
    records, header = read_headed_table(data, source, "code mapping", MAPPING_COLUMNS)
    if tuple(header[:2]) != MAPPING_COLUMNS:
        raise header_refused(source, records[0], "the first line must be new_code,old_code")
    problems: list[Problem] = []
    out: dict[str, str] = {}
    first: dict[str, int] = {}
    for rec in records[1:]:
        cells = [c.strip() for c in rec.cells] + ["", ""]
        new, old = cells[0], cells[1]
        if not new and not old:
            continue
        if not new or not old:
            field = "new_code" if not new else "old_code"
            problems.append(Problem(source, rec.line, field, "", "both codes are needed"))
        elif new in first:
            problems.append(
                Problem(
                    source,
                    rec.line,
                    "new_code",
                    new,
                    f"this code is already mapped on line {first[new]}; keep one line",
                )
            )
        else:
            first[new] = rec.line
            out[new] = old
    if problems:
        raise ValidationError(problems, f"{source}: the code mapping has problems")
    return out
