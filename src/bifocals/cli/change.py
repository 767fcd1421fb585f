"""`bifocals change`: import change initiatives, list them, and report on them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bifocals.cli.common import DEFAULT_DB, DbOption, JsonOption, console, db_url, fail, print_json
from bifocals.errors import BifocalsError

if TYPE_CHECKING:
    from bifocals.store import Store

app = typer.Typer(
    help="The change workbench: duties, decision rights, alignment, readiness.",
    no_args_is_help=True,
)

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _store(db: str) -> Store:
    from bifocals.store import open_store

    return open_store(db_url(db))


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="Initiative YAML file (schema: docs/change.md).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite an initiative with the same name.")
    ] = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Validate an initiative file and store it; nothing is stored if any check fails.

    Example: bifocals change import cloud-move.yaml --replace
    """
    from bifocals.change.importer import import_initiative

    try:
        with _store(db) as store:
            res = import_initiative(store, file, replace_existing=replace)
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json(
            {
                "name": res.name,
                "tasks": res.tasks,
                "proposals": res.proposals,
                "replaced": res.replaced,
            }
        )
        return
    verb = "Replaced" if res.replaced else "Imported"
    extra = f", {res.proposals} theme proposals to confirm" if res.proposals else ""
    console.print(f"{verb} initiative [bold]{res.name}[/] ({res.tasks} tasks{extra}).")


@app.command("list")
def list_cmd(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List the stored initiatives.

    Example: bifocals change list --json
    """
    from bifocals.change.importer import list_initiatives

    try:
        with _store(db) as store:
            rows = list_initiatives(store)
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json(rows)
        return
    table = Table(title="Change initiatives")
    for col in ("Name", "Imported at", "Source"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["imported_at"], r["source"])
    console.print(table if rows else "No initiatives yet: run `bifocals change import FILE`.")


def _print_summary(report: Any) -> None:
    al = report.alignment.to_dict()
    table = Table(title=f"{report.initiative.name}: alignment per period")
    for col in ("Period", "Angle", "Cosine", "Band", "On no theme", "Weight, no effort"):
        table.add_column(col)
    names = {t["id"]: t["name"] for t in al["themes"]}
    for p in al["periods"]:
        angle = "–" if p["angle_deg"] is None else f"{p['angle_deg']:.1f}°"
        cos = "–" if p["cosine"] is None else f"{p['cosine']:.3f}"
        unfunded = ", ".join(names[t] for t in p["direction_without_execution"]) or "none"
        table.add_row(p["period"], angle, cos, p["band"], f"{p['untagged_share']:.0%}", unfunded)
    console.print(table)
    console.print(f"Trend: {al['trend']['direction']}")
    findings = Table(title="Findings")
    for col in ("Severity", "About", "Finding", "What to do"):
        findings.add_column(col)
    for f in report.findings:
        style = SEVERITY_STYLE[f.severity]
        findings.add_row(f"[{style}]{f.severity}[/]", f.subject, f.message, f.action)
    console.print(findings)


@app.command("report")
def report_cmd(
    name: Annotated[
        str, typer.Argument(help="The initiative's name (see `bifocals change list`).")
    ],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one HTML file here.")
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the report as PDF here.")] = None,
) -> None:
    """Report on an initiative: alignment, duty coverage, readiness, findings.

    Example: bifocals change report "Move the order system to the cloud" --pdf cloud.pdf
    """
    from bifocals.change.importer import get_initiative
    from bifocals.change.report import build_report

    if sum((as_json, html is not None, pdf is not None)) > 1:
        fail("choose one of --json, --html and --pdf")
    try:
        with _store(db) as store:
            ini = get_initiative(store, name)
        report = build_report(ini)
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json(report.to_dict())
    elif html is not None or pdf is not None:
        from bifocals.change.render import render_html, render_pdf

        target = html if html is not None else pdf
        assert target is not None
        try:
            if html is not None:
                target.write_text(render_html(report), encoding="utf-8")
            else:
                target.write_bytes(render_pdf(report))
        except BifocalsError as exc:
            fail(exc)
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}")
        console.print(f"Wrote {target}")
    else:
        _print_summary(report)


def register(root: typer.Typer) -> None:
    """Add `bifocals change` to the root command."""
    root.add_typer(app, name="change")
