"""`bifocals instrument`: list, show and check questionnaires."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli.common import JsonOption, console, fail, print_json
from bifocals.errors import BifocalsError
from bifocals.instruments import (
    LANGUAGES,
    PATH_ENV,
    Instrument,
    catalogue,
    get_instrument,
    instrument_to_data,
    load_instrument,
    load_translation,
    translated,
)
from bifocals.instruments.translation import check_language, is_translation_name

app = typer.Typer(help="Inspect and check 360 questionnaires.", no_args_is_help=True)

InstrumentFileOption = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="An instrument YAML file of your own (instead of an ID)."),
]


@app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List the instruments usable by id: built-in ones and those on BIFOCALS_INSTRUMENT_PATH.

    Example: BIFOCALS_INSTRUMENT_PATH=./my-instruments bifocals instrument list
    """
    try:
        entries = catalogue()
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json(
            [
                {
                    "id": e.instrument.id,
                    "version": e.instrument.version,
                    "name": e.instrument.name,
                    "license": e.instrument.license,
                    "items": len(e.instrument.items),
                    "open_questions": len(e.instrument.open_questions),
                    "source": e.source,
                }
                for e in entries
            ]
        )
        return
    table = Table(title="Instruments")
    table.add_column("ID", no_wrap=True, style="bold")
    for col in ("Version", "Name", "Items", "Licence"):
        table.add_column(col)
    table.add_column("Source", overflow="fold")
    for e in entries:
        i = e.instrument
        table.add_row(i.id, i.version, i.name, str(len(i.items)), i.license, e.source)
    console.print(table)
    console.print(f"[dim]Add your own: put its YAML file in a folder named by {PATH_ENV}.[/]")


def _print_instrument(inst: Instrument) -> None:
    console.print(f"[bold]{inst.name}[/] ({inst.id} v{inst.version}, {inst.license})")
    if inst.instructions:
        console.print(inst.instructions, highlight=False)
    scale = " · ".join(f"{inst.scale.min + k} {label}" for k, label in enumerate(inst.scale.labels))
    console.print(f"[bold]Scale:[/] {scale} · {inst.scale.not_observed_label}", highlight=False)
    table = Table(title=f"Rating items ({len(inst.items)})", show_lines=False)
    table.add_column("ID", style="bold", no_wrap=True)
    table.add_column("Dimension", overflow="fold")
    table.add_column("Side")
    table.add_column("Reverse")
    table.add_column("Text", min_width=30, ratio=1)
    for it in inst.items:
        table.add_row(it.id, it.dimension, it.side, "yes" if it.reverse else "", it.text)
    console.print(table, highlight=False)
    questions = Table(title="Open questions")
    questions.add_column("ID", style="bold", no_wrap=True)
    questions.add_column("Text")
    for q in inst.open_questions:
        questions.add_row(q.id, q.text)
    console.print(questions, highlight=False)


@app.command("show")
def show(
    instrument_id: Annotated[
        str | None,
        typer.Argument(
            metavar="ID", help="Instrument id (default: bifocals_open_360) or a YAML path."
        ),
    ] = None,
    file: InstrumentFileOption = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help=f"Language of the texts: {', '.join(LANGUAGES)} (from the translation file "
            "beside the instrument; English where it has none).",
        ),
    ] = "en",
    as_json: JsonOption = False,
) -> None:
    """Print an instrument: its scale, every item (id, dimension, side, reverse key), questions.

    Example: bifocals instrument show bifocals_open_360 --lang de --json
    """
    if file is not None and instrument_id is not None:
        fail("give either an ID or --file, not both")
    try:
        inst = load_instrument(file) if file is not None else get_instrument(instrument_id)
        inst = translated(inst, check_language(lang, "--lang"))
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json(instrument_to_data(inst))
        return
    _print_instrument(inst)


@app.command("check")
def check(file: Annotated[Path, typer.Argument(help="The instrument YAML file to check.")]) -> None:
    """Validate an instrument file, or a translation (ID.LANG.yaml, checked against ID.yaml
    beside it); every problem is listed with file, line and field.

    Example: bifocals instrument check my-instruments/team_pulse.yaml
    """
    try:
        if is_translation_name(file.name):
            base_id = file.name.split(".")[0]
            sibling = file.with_name(f"{base_id}{file.suffix}")
            base = load_instrument(sibling) if sibling.is_file() else get_instrument(base_id)
            inst = load_translation(file, base)
        else:
            inst = load_instrument(file)
    except BifocalsError as exc:
        fail(exc)
    console.print(
        f"{file}: ok: {inst.id} v{inst.version}, {len(inst.items)} items, "
        f"{len(inst.open_questions)} open questions",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    """Add `bifocals instrument` to the root command."""
    root.add_typer(app, name="instrument")
