"""Change since the last campaign, for every door: both waves read as results are read.

Both campaigns are read through services.results.load_results (closed or released, the read
audited and marked seen, anonymity applied by scoring), then compared by
scoring.retest.compare_campaigns. A code mapping file ties participants whose code changed
between the waves.
"""

from __future__ import annotations

from dataclasses import dataclass

from bifocals.errors import Problem, ValidationError
from bifocals.scoring.retest import ScaleChange, compare_campaigns
from bifocals.services.campaigns import ResultsRead, campaign_id_by_name
from bifocals.services.results import Results, load_results
from bifocals.store import Store
from bifocals.store.sheets import read_table

MAPPING_COLUMNS = ("new_code", "old_code")


@dataclass(frozen=True)
class Comparison:
    """The new campaign's results and, per participant code, its change since the old one."""

    new: Results
    old_name: str
    changes: dict[str, tuple[ScaleChange, ...]]
    unmatched: tuple[str, ...]  # new participant codes not found in the old campaign


def read_code_mapping(data: bytes, source: str) -> dict[str, str]:
    """new_code,old_code rows (CSV or .xlsx); every problem names the file, line and field."""
    problems: list[Problem] = []
    records = list(read_table(data, source, problems))
    if problems:
        raise ValidationError(problems, f"{source}: cannot read the code mapping")
    if not records:
        raise ValidationError(
            [Problem(source, 1, "header", "", "the file is empty; write new_code,old_code")]
        )
    header = [c.strip().casefold() for c in records[0].cells]
    if tuple(header[:2]) != MAPPING_COLUMNS:
        raise ValidationError(
            [
                Problem(
                    source,
                    records[0].line,
                    "header",
                    ",".join(records[0].cells)[:200],
                    "the first line must be new_code,old_code",
                )
            ]
        )
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


def load_comparison(
    store: Store,
    new_name: str,
    old_name: str,
    read: ResultsRead,
    mapping: dict[str, str] | None = None,
) -> Comparison:
    """Read both campaigns' results (each read audited like any other) and compare them."""
    new_id = campaign_id_by_name(store, new_name)
    old_id = campaign_id_by_name(store, old_name)
    if new_id == old_id:
        raise ValidationError(
            [Problem("--compare", None, "compare", old_name, "compare with another campaign")]
        )
    new = load_results(store, new_id, read)
    old_read = ResultsRead(read.user, read.action, f"campaign:{old_name}", read.detail)
    old = load_results(store, old_id, old_read)
    changes = compare_campaigns(new.scores, old.scores, mapping)
    unmatched = tuple(
        p.participant for p in new.scores.participants if p.participant not in changes
    )
    return Comparison(new, old.name, changes, unmatched)
