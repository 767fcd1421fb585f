"""`bifocals framework`: show the framework of dimensions."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bifocals.cli.common import JsonOption, console, fail, print_json
from bifocals.errors import BifocalsError
from bifocals.framework import Framework, default_framework, load_framework

app = typer.Typer(help="Inspect the leadership/management framework.", no_args_is_help=True)

FrameworkFileOption = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="A framework YAML file of your own instead of the default."),
]


def resolve_framework(path: Path | None) -> Framework:
    """The default framework, or the user's file (errors name file, line and field)."""
    try:
        return load_framework(path) if path else default_framework()
    except BifocalsError as exc:
        fail(exc)


def framework_dict(fw: Framework) -> dict[str, Any]:
    """The framework as JSON-ready data."""
    return asdict(fw)


@app.command("show")
def show(file: FrameworkFileOption = None, as_json: JsonOption = False) -> None:
    """Print the framework as a table (or JSON).

    Example: bifocals framework show --json
    """
    fw = resolve_framework(file)
    if as_json:
        print_json(framework_dict(fw))
        return
    table = Table(title=f"{fw.name} (v{fw.version})", show_lines=True)
    table.add_column("Dimension", style="bold")
    table.add_column("Leadership (far sight)")
    table.add_column("Management (near sight)")
    table.add_column("Sources")
    for d in fw.dimensions:
        lead = f"[bold]{d.leadership.label}[/]\n{d.leadership.description}\n" + "\n".join(
            f"• {b}" for b in d.leadership.behaviours
        )
        mgmt = f"[bold]{d.management.label}[/]\n{d.management.description}\n" + "\n".join(
            f"• {b}" for b in d.management.behaviours
        )
        srcs = "\n".join(f"{s.kind}: {s.ref}" for s in d.sources)
        table.add_row(f"{d.name}\n[dim]{d.id}[/]", lead, mgmt, srcs)
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add `bifocals framework` to the root command."""
    root.add_typer(app, name="framework")
