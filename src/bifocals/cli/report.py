"""`bifocals report`: write a campaign's 360 reports (HTML, optionally PDF) to a folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from bifocals.cli.common import (
    DEFAULT_DB,
    CampaignArg,
    DbOption,
    JsonOption,
    console,
    err_console,
    errors_printed,
    print_json,
)
from bifocals.cli.score import CompareOption, MapOption, NormsOption, read_scored


def register(root: typer.Typer) -> None:
    """Add the `report` command to the root app."""
    root.command("report")(report)


def report(
    name: CampaignArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the reports to.")],
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write a PDF of every report (needs Pango).")
    ] = False,
    code_comments: Annotated[
        bool,
        typer.Option(
            "--code-comments",
            help="Group comments by dimension and side with the offline text analyzer.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            show_default=False,
            help="Processes making PDFs (default: one per CPU of this machine).",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    compare: CompareOption = None,
    mapping: MapOption = None,
    norms: NormsOption = None,
) -> None:
    """Write index.html, cohort.html and one report per participant into --out.

    Reports show only what scoring allows (anonymity thresholds applied); charts are inline
    SVG, no JavaScript. A progress bar runs on stderr.

    Each participant's report is in their language (de, fr or es, from the roster's
    participant_language column; English when none is set); index and cohort are English.

    With --compare OLD, each report gets a "since last time" section (others' change per
    scale, reliable changes named) and the cohort report the cohort's change.

    Example: bifocals report "Northwind leadership programme 2026" --out reports/ --pdf
    """
    from rich.progress import Progress

    from bifocals.framework import default_framework
    from bifocals.reports import comment_codes_from, write_reports

    with errors_printed():
        scored, extras = read_scored(db, name, compare, mapping, "report", norms)
        scores = scored.scores
        codes = None
        if code_comments:
            from bifocals.text import Analyzer

            texts = sorted({c.text for p in scores.participants for c in p.comments})
            codes = comment_codes_from(Analyzer().classify(texts), texts=texts)
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("reports", total=len(scores.participants) + 2)
            paths = write_reports(
                scores,
                default_framework(),
                scored.instrument,
                out,
                pdf=pdf,
                comment_codes=codes,
                progress=lambda _: bar.advance(task),
                workers=workers or max(1, os.cpu_count() or 1),
                **extras.report_options(scored.names, scored.languages),
            )
    if as_json:
        print_json({"campaign": name, "out": str(out), "files": [str(p) for p in paths]})
    else:
        console.print(f"wrote {len(paths)} files; open {out / 'index.html'}")
