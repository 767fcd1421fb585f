"""`bifocals score`: score a campaign and print what its reports may show."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli.common import (
    DbOption,
    JsonOption,
    console,
    errors_printed,
    fail,
    opened,
    print_json,
)
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import CampaignScores
from bifocals.services.baselines import ReportExtras, report_extras, with_extras
from bifocals.services.campaigns import ResultsRead, campaign_id_by_name
from bifocals.services.results import load_results
from bifocals.services.retest import read_code_mapping

CompareOption = Annotated[
    str | None,
    typer.Option(
        "--compare",
        help="An earlier campaign on the same instrument: add each participant's change since "
        "then (both reads are audited and mark results seen).",
    ),
]
MapOption = Annotated[
    Path | None,
    typer.Option(
        "--map",
        help="CSV new_code,old_code for participants whose code changed between the campaigns "
        "(the others are matched by code).",
        exists=True,
        dir_okay=False,
    ),
]


@dataclass(frozen=True)
class Scored:
    """A scored campaign with what its reports need besides the scores."""

    scores: CampaignScores
    instrument: Instrument
    names: dict[str, str]  # participant code -> display name, where one is stored
    languages: dict[str, str]  # participant code -> their report's language, where one is stored


def read_scored(
    db: str,
    name: str,
    compare: str | None,
    mapping: Path | None,
    command: str,
    norms: str | None = None,
) -> tuple[Scored, ReportExtras]:
    """What `score` and `report` read: the campaign's results through the service that every
    door uses (closed or released; the read is audited and marks the results seen, so
    thresholds freeze and re-opening is refused afterwards, exactly as on the web), and what
    its reports compare with: --compare and --norms, else the campaign's baseline
    (`bifocals campaign baseline`; services.baselines). Every read is audited."""
    if mapping is not None and compare is None:
        fail("--map needs --compare: name the earlier campaign")
    with opened(db) as store:
        codes = read_code_mapping(mapping.read_bytes(), str(mapping)) if mapping else None
        cid = campaign_id_by_name(store, name)
        detail = f"cli {command}" + (" --compare" if compare else "")
        read = ResultsRead(None, "report.export", f"campaign:{name}", detail)
        results = load_results(store, cid, read)
        extras = report_extras(store, results, read, previous=compare, code_map=codes, norms=norms)
    return Scored(results.scores, results.instrument, results.names, results.languages), extras


NormsOption = Annotated[
    str | None,
    typer.Option(
        "--norms",
        help="A norm group (`bifocals norms list`): add each participant's percentile per scale "
        "(default: the campaign's own, see `bifocals campaign baseline`).",
    ),
]


def score(
    name: Annotated[str, typer.Argument(help="Campaign name (see `bifocals campaign list`).")],
    db: DbOption = "./bifocals.db",
    as_json: JsonOption = False,
    compare: CompareOption = None,
    mapping: MapOption = None,
    norms: NormsOption = None,
) -> None:
    """Score a campaign: per participant, dimension, side and rater group.

    Prints means with 95% intervals, self-vs-others gaps, agreement (rwg), reliability (alpha,
    omega), the leadership and management indices and the L x M quadrant. Groups below their
    anonymity threshold are pooled or suppressed before anything is computed, so the output holds
    nothing a report may not show.

    JSON is indented for up to 100 participants and written on one line above that (faster).

    With --compare OLD, each participant also gets `change`: per scale and group shown in
    both campaigns (group `others` is all raters except self), before, after, difference, its
    95% interval and `reliable` (a reliable change index; see docs/scoring.md). With --norms
    NAME, `percentiles`: each scale of others' view against the norm group (none below 30).
    A campaign's baseline (`bifocals campaign baseline`) gives both without the options.

    Example: bifocals score "Northwind leadership programme 2026" --json > scores.json
    """
    with errors_printed():
        scored, extras = read_scored(db, name, compare, mapping, "score", norms)
    scores = scored.scores
    if as_json:
        data = with_extras(scores.to_dict(), extras)
        print_json(data, compact=len(scores.participants) > 100)
        return
    table = Table(title=f"{scores.campaign} ({scores.instrument})", title_justify="left")
    columns = ("participant", "leadership", "management", "quadrant", "gaps flagged", "suppressed")
    for col in columns:
        table.add_column(col, justify="right" if col in ("leadership", "management") else "left")
    for p in scores.participants:
        flagged = sum(1 for g in p.gaps if g.flag)
        table.add_row(
            p.participant,
            "-" if p.leadership_index is None else f"{p.leadership_index:.0f}",
            "-" if p.management_index is None else f"{p.management_index:.0f}",
            p.quadrant or "-",
            str(flagged),
            ", ".join(p.suppressed) or "-",
        )
    console.print(table)
    rel = Table(title="Reliability per scale", title_justify="left")
    for col in ("dimension", "side", "items", "cases", "alpha", "omega"):
        rel.add_column(col)
    for r in scores.reliability:
        rel.add_row(
            r.dimension,
            r.side,
            str(r.n_items),
            str(r.n_cases),
            "-" if r.alpha is None else f"{r.alpha:.2f}",
            "-" if r.omega is None else f"{r.omega:.2f}",
        )
    console.print(rel)
    if extras.changes is not None:
        print_change(extras)
    for note in extras.notes:
        console.print(f"Note: {note}.")


def print_change(extras: ReportExtras) -> None:
    """Others' view: the reliable changes since the earlier campaign, and how many scales were
    compared (`--json` has every scale and group)."""
    changes = extras.changes or {}
    others = [(code, c) for code, cs in changes.items() for c in cs if c.group == "others"]
    reliable = [(code, c) for code, c in others if c.reliable]
    table = Table(
        title=f"Reliable change since {extras.compared_with} (all raters except self): "
        f"{len(reliable)} of {len(others)} scales",
        title_justify="left",
    )
    for col in ("participant", "dimension", "side", "before", "after", "change", "95% CI"):
        table.add_column(col)
    for code, c in reliable:
        ci = (
            "-" if c.ci_low is None or c.ci_high is None else f"{c.ci_low:+.2f} to {c.ci_high:+.2f}"
        )
        table.add_row(
            code,
            c.dimension,
            c.side,
            f"{c.before:.2f}",
            f"{c.after:.2f}",
            f"{c.difference:+.2f}",
            ci,
        )
    console.print(table)
    if extras.unmatched:
        console.print(f"Not in {extras.compared_with}: {', '.join(extras.unmatched)}")


def register(root: typer.Typer) -> None:
    """Add `bifocals score` to the root command."""
    root.command("score")(score)
