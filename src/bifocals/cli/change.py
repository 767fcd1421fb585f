"""`bifocals change`: import change initiatives, list them, and report on them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
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
    from bifocals.services.change_records import import_initiative

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
    from bifocals.services.change_records import list_initiatives

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


def _alignment_table(report: Any) -> None:
    al = report.alignment.to_dict()
    table = Table(title=f"{escape(report.initiative.name)}: alignment per period")
    for col in ("Period", "Angle", "Cosine", "Band", "On no theme", "Weight, no effort"):
        table.add_column(col)
    names = {t["id"]: t["name"] for t in al["themes"]}
    for p in al["periods"]:
        angle = "–" if p["angle_deg"] is None else f"{p['angle_deg']:.1f}°"
        cos = "–" if p["cosine"] is None else f"{p['cosine']:.3f}"
        unfunded = ", ".join(names[t] for t in p["direction_without_execution"]) or "none"
        table.add_row(
            escape(p["period"]), angle, cos, p["band"], f"{p['untagged_share']:.0%}",
            escape(unfunded),
        )  # fmt: skip
    console.print(table)
    console.print(f"Trend: {al['trend']['direction']}")


def _duties_table(report: Any) -> None:
    table = Table(title="Duty coverage")
    for col in ("Side", "Duty", "Owners", "Status"):
        table.add_column(col)
    for d in report.duties:
        owners = ", ".join(escape(o["name"]) for o in d["owners"]) or "[bold red]nobody[/]"
        table.add_row(d["side"], escape(d["name"]), owners, d["status"].replace("_", " "))
    console.print(table)


def _readiness_table(report: Any) -> None:
    # The same Readiness value as the HTML, PDF and JSON: groups below min_respondents are pooled
    # or left out of every row, and an element answered by too few people shows "–".
    from bifocals.change.model import ADKAR, ADKAR_LABELS

    rd = report.readiness
    table = Table(title="Readiness (ADKAR means, 1-5; ▲ barrier point)")
    for col in ("Group", "Respondents", *(ADKAR_LABELS[e] for e in ADKAR), "Barrier point"):
        table.add_column(col)
    for row in rd.rows:
        cells = []
        for e, m in zip(ADKAR, row.means, strict=True):
            mark = " ▲" if row.barrier == e else ""
            cells.append("–" if m is None else f"{m:.1f}{mark}")
        barrier = ADKAR_LABELS[row.barrier] if row.barrier else "none"
        table.add_row(escape(row.label), str(row.n), *cells, barrier)
    if rd.rows:
        console.print(table)
    else:
        console.print("Readiness: no group has enough answers to be shown.")
    console.print(
        f"A group is shown only with at least {rd.min_respondents} answers; smaller groups are "
        "pooled, or left out of every figure when even the pool is too small. A cell shows – "
        f"when fewer than {rd.min_respondents} people in that row answered the statement; the "
        "overall row also shows – wherever a row inside it does.",
        highlight=False,
    )
    if report.initiative.web_survey == "collecting":
        console.print(
            "The web readiness survey is taking answers: its answers are left out until it is "
            "closed."
        )
    if rd.suppressed_groups:
        names = ", ".join(escape(g) for g in rd.suppressed_groups)
        console.print(f"Left out to protect anonymity: {names}.")
    if rd.no_answers:
        console.print(f"No answers yet: {', '.join(escape(g) for g in rd.no_answers)}.")


def _print_summary(report: Any) -> None:
    from bifocals.change.checks import SEVERITY_LABELS

    _alignment_table(report)
    _duties_table(report)
    _readiness_table(report)
    counts = report.counts()
    said = ", ".join(
        f"{n} {SEVERITY_LABELS[k].lower()}{'s' if n != 1 else ''}" for k, n in counts.items()
    )
    findings = Table(title=f"Findings ({said})")
    for col in ("Severity", "About", "Finding", "What to do"):
        findings.add_column(col)
    for f in report.findings:
        style = SEVERITY_STYLE[f.severity]
        findings.add_row(
            f"[{style}]{f.label}[/]", escape(f.subject), escape(f.message), escape(f.action)
        )
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
    from bifocals.change.report import build_report
    from bifocals.services.change_records import get_initiative

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
        from bifocals.reports.change import render_html, render_pdf

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
