"""`bifocals norms`: norm groups that turn scale scores into percentiles (services.norms)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli.common import (
    DbOption,
    JsonOption,
    YesOption,
    confirm,
    console,
    opened,
    print_json,
)
from bifocals.scoring.norms import NORM_MINIMUM
from bifocals.services.norms import (
    NORM_COLUMNS,
    NormGroup,
    define_history_norm,
    delete_norm_group,
    import_external_norm,
    list_norm_groups,
    load_norm,
    norm_group,
    scale_key,
)

app = typer.Typer(
    help=f"Norm groups: percentiles against the organisation's own history (at least "
    f"{NORM_MINIMUM} participants per scale) or an external table.",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help="The norm group's name.")]
InstrumentOption = Annotated[
    str,
    typer.Option("--instrument", help="The instrument whose scales the norm covers."),
]


def _group_dict(g: NormGroup) -> dict[str, object]:
    return {
        "name": g.name,
        "instrument": g.instrument_id,
        "kind": g.kind,
        "campaigns": list(g.campaigns),
        "source": g.source,
        "scales": g.scales,
        "description": g.describe(),
    }


@app.command("define")
def define(
    name: NameArg,
    instrument: InstrumentOption = "bifocals_open_360",
    campaign: Annotated[
        list[str] | None,
        typer.Option(
            "--campaign",
            help="A campaign of the norm (repeat it); none: every closed or released campaign "
            "on the instrument, whenever the norm is used.",
        ),
    ] = None,
    db: DbOption = "./bifocals.db",
) -> None:
    """Define a norm group from the organisation's own history (shown cells of others' view).

    Example: bifocals norms define "All cohorts" --instrument bifocals_open_360
    """
    with opened(db) as store:
        group = define_history_norm(store, name, instrument, campaign or [], None)
    console.print(f"Norm group [bold]{group.name}[/]: {group.describe()}.")


@app.command("import")
def import_(
    name: NameArg,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or .xlsx with the columns " + ",".join(NORM_COLUMNS) + "; scale is "
            "dimension.side (focus_goals.leadership).",
            exists=True,
            dir_okay=False,
        ),
    ],
    instrument: InstrumentOption = "bifocals_open_360",
    db: DbOption = "./bifocals.db",
) -> None:
    """Import an external norm table (mean, sd and n per scale); a file with any problem
    changes nothing, and each problem names its line and field.

    Example: bifocals norms import "Sector 2026" norms.csv
    """
    with opened(db) as store:
        group = import_external_norm(store, name, instrument, file.read_bytes(), str(file), None)
    console.print(f"Norm group [bold]{group.name}[/]: {group.describe()}.")


@app.command("list")
def list_(db: DbOption = "./bifocals.db", as_json: JsonOption = False) -> None:
    """List the norm groups.

    Example: bifocals norms list --json
    """
    with opened(db) as store:
        groups = list_norm_groups(store)
    if as_json:
        print_json([_group_dict(g) for g in groups])
        return
    if not groups:
        console.print(
            "No norm groups yet: see `bifocals norms define` and `bifocals norms import`."
        )
        return
    table = Table(title="Norm groups")
    for col in ("Name", "Instrument", "Made of"):
        table.add_column(col, overflow="fold")
    for g in groups:
        table.add_row(g.name, g.instrument_id, g.describe())
    console.print(table)


@app.command("show")
def show(
    name: NameArg,
    db: DbOption = "./bifocals.db",
    as_json: JsonOption = False,
    as_csv: Annotated[
        bool,
        typer.Option("--csv", help="Print the table in the form `norms import` reads."),
    ] = False,
) -> None:
    """Each scale's norm size, mean and sd (history norms read their campaigns' results:
    audited, and marked seen).

    Example: bifocals norms show "All cohorts" --csv > all-cohorts.csv
    """
    with opened(db) as store:
        group = norm_group(store, name)
        table = load_norm(store, name, None, group.instrument_id)
    if as_json:
        print_json({**table.to_dict(), "instrument": group.instrument_id})
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(NORM_COLUMNS)
        for s in table.scales.values():
            origin = s.source or f"bifocals norm group {group.name}"
            writer.writerow(
                [scale_key(s.dimension, s.side), round(s.mean, 4), round(s.sd, 4), s.n, origin]
            )
        return
    if not table.scales:
        console.print(
            f"Norm group [bold]{group.name}[/] ({group.describe()}) has no scores yet: no "
            "campaign in it is closed or released with a shown others' view."
        )
        return
    out = Table(title=f"Norm group {group.name}: {group.describe()}")
    out.add_column("Scale", no_wrap=True)
    for col in ("n", "Mean", "SD"):
        out.add_column(col, justify="right")
    for s in table.scales.values():
        few = " (too few for percentiles)" if s.n < NORM_MINIMUM else ""
        out.add_row(scale_key(s.dimension, s.side), f"{s.n}{few}", f"{s.mean:.2f}", f"{s.sd:.2f}")
    console.print(out)


@app.command("delete")
def delete(name: NameArg, db: DbOption = "./bifocals.db", yes: YesOption = False) -> None:
    """Delete a norm group (no campaign or answer is touched).

    Example: bifocals norms delete "Sector 2026" --yes
    """
    confirm(f"Delete the norm group {name!r}?", yes)
    with opened(db) as store:
        delete_norm_group(store, name, None)
    console.print(f"Deleted the norm group [bold]{name}[/].")


def register(root: typer.Typer) -> None:
    """Add `bifocals norms` to the root command."""
    root.add_typer(app, name="norms")
