"""`bifocals score`: score a campaign and print what its reports may show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli.common import DbOption, JsonOption, console, fail, open_db, print_json
from bifocals.errors import AccessError, BifocalsError
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import CampaignScores
from bifocals.services.campaigns import ResultsRead, campaign_id_by_name
from bifocals.services.results import load_results


@dataclass(frozen=True)
class Scored:
    """A scored campaign with what its reports need besides the scores."""

    scores: CampaignScores
    instrument: Instrument
    names: dict[str, str]  # participant code -> display name, where one is stored


def compute_scores(db: str, name: str, command: str) -> Scored:
    """Open the store and read one campaign's results through the service that every door
    uses: it must be closed or released, and the read is audited and marks the results seen
    (so thresholds freeze and re-opening is refused afterwards, exactly as on the web)."""
    store = open_db(db)
    try:
        cid = campaign_id_by_name(store, name)
        read = ResultsRead(None, "report.export", f"campaign:{name}", f"cli {command}")
        results = load_results(store, cid, read)
    finally:
        store.close()
    return Scored(results.scores, results.instrument, results.names)


def score(
    name: Annotated[str, typer.Argument(help="Campaign name (see `bifocals campaign list`).")],
    db: DbOption = "./bifocals.db",
    as_json: JsonOption = False,
) -> None:
    """Score a campaign: per participant, dimension, side and rater group.

    Prints means with 95% intervals, self-vs-others gaps, agreement (rwg), reliability (alpha,
    omega), the leadership and management indices and the L x M quadrant. Groups below their
    anonymity threshold are pooled or suppressed before anything is computed, so the output holds
    nothing a report may not show.

    JSON is indented for up to 100 participants and written on one line above that (faster).

    Example: bifocals score "Northwind leadership programme 2026" --json > scores.json
    """
    try:
        scores = compute_scores(db, name, "score").scores
    except (BifocalsError, AccessError) as exc:
        fail(exc)
    if as_json:
        print_json(scores.to_dict(), compact=len(scores.participants) > 100)
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


def register(root: typer.Typer) -> None:
    """Add `bifocals score` to the root command."""
    root.command("score")(score)
