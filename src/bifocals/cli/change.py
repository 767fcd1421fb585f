"""`bifocals change`: import change initiatives, list them, and report on them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from bifocals.cli.common import (
    DEFAULT_DB,
    DbOption,
    DryRunOption,
    JsonOption,
    console,
    errors_printed,
    fail,
    open_db,
    print_json,
)
from bifocals.errors import BifocalsError

app = typer.Typer(
    help="The change workbench: duties, decision rights, alignment, readiness.",
    no_args_is_help=True,
)

InitiativeArg = Annotated[
    str, typer.Argument(help="The initiative's name (see `bifocals change list`).")
]
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


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
        with open_db(db) as store:
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
        with open_db(db) as store:
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
    ini = report.initiative
    table = Table(title=f"{escape(ini.name)}: alignment per period")
    cols = ("Period", "Angle", "Cosine", "Band", "On no theme", "Weight, no effort", "Effort from")
    for col in cols:
        table.add_column(col)
    names = {t["id"]: t["name"] for t in al["themes"]}
    for p in al["periods"]:
        angle = "–" if p["angle_deg"] is None else f"{p['angle_deg']:.1f}°"
        cos = "–" if p["cosine"] is None else f"{p['cosine']:.3f}"
        unfunded = ", ".join(names[t] for t in p["direction_without_execution"]) or "none"
        src = ini.effort_source(p["period"])
        came = f"{src.kind}: {src.source}" if src.imported else "file"
        table.add_row(
            escape(p["period"]), angle, cos, p["band"], f"{p['untagged_share']:.0%}",
            escape(unfunded), escape(came),
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
        groups = ", ".join(escape(g) for g in rd.no_answers)
        held_back = {
            "collecting": "the web survey's answers are held back until it closes",
            "held": "the closed web survey's answers are held back until they are shown on "
            "the initiative's dashboard",
        }.get(report.initiative.web_survey)
        if held_back:
            console.print(f"No readiness answers shown yet ({held_back}): {groups}.")
        else:
            console.print(f"No answers yet: {groups}.")


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
    name: InitiativeArg,
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
        with open_db(db) as store:
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


class EffortFormat(StrEnum):
    """The exports `bifocals change effort` reads."""

    jira = "jira"
    github = "github"
    timesheet = "timesheet"


def _effort_tables(preview: Any) -> None:
    """The preview of an effort import: periods, themes, untagged share, proposals."""
    d = preview.to_dict()
    unit = "hours" if d["hours_per_unit"] == 1 else f"units of {d['hours_per_unit']:g} h"
    table = Table(
        title=f"{escape(d['source'])} ({preview.kind_label}) against {escape(d['initiative'])}"
    )
    for col in (
        "Period",
        "Effort now",
        "Comes from",
        "Effort after",
        "Items",
        "Angle now",
        "Angle after",
    ):
        table.add_column(col)

    def deg(x: float | None) -> str:
        return "–" if x is None else f"{x:.1f}°"

    for p in d["periods"]:
        mark = "" if p["covered"] else " (kept)"
        table.add_row(
            escape(p["period"]), f"{p['effort_now']:g}", escape(p["source_now"]),
            f"{p['effort_after']:g}{mark}", str(p["items"]) if p["covered"] else "–",
            deg(p["angle_now"]), deg(p["angle_after"]),
        )  # fmt: skip
    console.print(table)
    themes = Table(title=f"Items and effort per theme ({unit})")
    for col in ("Theme", "Weight", "Items", "Proposed", "Effort", "Share"):
        themes.add_column(col)
    for t in d["themes"]:
        themes.add_row(
            escape(t["name"]), f"{t['weight']:.0%}", str(t["items"]), str(t["proposed"]),
            f"{t['effort']:g}", f"{t['share']:.0%}",
        )  # fmt: skip
    console.print(themes)
    u = d["untagged"]
    console.print(
        f"Untagged: {u['items']} item(s), {u['share']:.0%} of the effort"
        + (f" ({escape(', '.join(u['keys']))})" if u["keys"] else "")
        + ".",
        highlight=False,
        soft_wrap=True,
    )
    from bifocals.change.effort_plan import THEMED_BY

    how = "; ".join(f"{THEMED_BY[k]}: {n}" for k, n in d["themed_by"].items())
    console.print(f"Themes found by {escape(how)}.", highlight=False, soft_wrap=True)
    streams = "; ".join(f"{escape(w['name'])}: {w['items']}" for w in d["workstreams"])
    console.print(f"Items per workstream: {streams}.", highlight=False, soft_wrap=True)
    if d["left_out"]:
        left = ", ".join(f"{n} with {why}" for why, n in d["left_out"].items())
        console.print(f"Left out: {escape(left)}.", highlight=False, soft_wrap=True)
    if d["proposals"]:
        props = Table(title="Theme proposals to confirm (the text analyzer's guesses)")
        for col in ("Item", "Name", "Proposed theme", "Confidence"):
            props.add_column(col)
        for pr in d["proposals"][:30]:
            props.add_row(
                escape(pr["item"]), escape(pr["name"]), escape(pr["theme_name"]),
                f"{pr['confidence']:.0%}",
            )  # fmt: skip
        console.print(props)
        console.print(
            "They count towards the alignment until a person confirms or corrects them: "
            "write `items: {KEY: theme}` into the mapping file and import again.",
            highlight=False,
            soft_wrap=True,
        )


@app.command("effort")
def effort_cmd(
    name: InitiativeArg,
    file: Annotated[Path, typer.Argument(help="The export: a CSV (or .xlsx), or JSON for GitHub.")],
    kind: Annotated[
        EffortFormat,
        typer.Option(
            "--from",
            help="The export's format: jira (issue CSV or worklog CSV), github (issues "
            "JSON) or timesheet (date,person,task,hours).",
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="YAML file mapping labels, epics, items and components to themes, "
            "workstreams and tasks (docs/change.md).",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Replace an initiative's effort, for the periods the export covers, with its hours.

    Each item goes to the period of its worklog, resolution or creation date, to a
    workstream by component, and to themes by labels, epics or the mapping file (the rest
    get the text analyzer's proposals). Nothing is applied unless the whole file is clean;
    importing the same file again changes nothing.

    Example: bifocals change effort "Move payroll" jira.csv --from jira --dry-run
    """
    from bifocals.services.effort import import_effort, read_file

    with errors_printed():
        export = read_file(file)
        rules = read_file(mapping) if mapping is not None else None
        with open_db(db) as store:
            res = import_effort(store, name, kind.value, export, rules, dry_run=dry_run)
    if as_json:
        print_json(
            {
                **res.preview.to_dict(),
                "applied": res.applied,
                "unchanged": res.unchanged,
                "summary": res.summary(),
            }
        )
        return
    _effort_tables(res.preview)
    console.print(res.summary(), highlight=False, soft_wrap=True)


@app.command("direction")
def direction_cmd(
    name: InitiativeArg,
    files: Annotated[
        list[Path], typer.Argument(help="Memos or town-hall transcripts, as plain text files.")
    ],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Code what leaders say into the initiative's themes, beside the weights they wrote down.

    Each sentence goes to its nearest theme (by the text analyzer's sentence embeddings), or
    to none; the shares said are set beside the stated weights and the effort. How far to
    trust the coding is printed with it.

    Example: bifocals change direction "Move payroll" townhall-may.txt ceo-memo.txt
    """
    from bifocals.services.direction import leaders_direction

    with errors_printed(), open_db(db) as store:
        found = leaders_direction(store, name, files)
    data = found.to_dict()
    if as_json:
        print_json(data)
        return
    table = Table(title=f"{escape(found.initiative)}: what leaders say and what they wrote down")
    for col in ("Theme", "Stated weight", "Said", "Effort", "Sentences", "Clearest sentence"):
        table.add_column(col)
    for t in data["themes"]:
        ex = t["examples"][0] if t["examples"] else None
        quote = f"{ex['text']} ({ex['source']}:{ex['line']})" if ex else "–"
        table.add_row(
            escape(t["name"]), f"{t['stated']:.0%}", f"{t['said']:.0%}", f"{t['effort']:.0%}",
            str(t["sentences"]), escape(quote),
        )  # fmt: skip
    console.print(table)

    def deg(x: float | None) -> str:
        return "–" if x is None else f"{x:.0f}°"

    console.print(
        f"{data['on_theme']} of {data['sentences']} sentences are about a theme. Angle between "
        f"what leaders say and the stated weights: {deg(data['angle_said_vs_stated'])}; "
        f"between what they say and where the effort goes: {deg(data['angle_said_vs_effort'])}.",
        highlight=False,
        soft_wrap=True,
    )
    if data["skipped"]:
        left = ", ".join(f"{n} {why}" for why, n in data["skipped"].items())
        console.print(f"Not coded: {escape(left)}.", highlight=False, soft_wrap=True)
    console.print(
        f"How far to trust this: {data['accuracy']['note']}", highlight=False, soft_wrap=True
    )


def register(root: typer.Typer) -> None:
    """Add `bifocals change` to the root command."""
    root.add_typer(app, name="change")
