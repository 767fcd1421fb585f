"""`bifocals campaign baseline`: what a campaign's reports compare with (services.baselines)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bifocals.cli.common import CampaignArg, DbOption, JsonOption, console, opened, print_json
from bifocals.services.baselines import get_baseline, set_baseline
from bifocals.services.campaigns import campaign_id_by_name
from bifocals.services.retest import read_code_mapping


def baseline(
    name: CampaignArg,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="The earlier campaign of the same people: reports get 'Since last time'.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="With --previous: CSV new_code,old_code for participants whose code changed.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    norms: Annotated[
        str | None,
        typer.Option(
            "--norms", help="A norm group (`bifocals norms list`): reports get percentiles."
        ),
    ] = None,
    no_previous: Annotated[
        bool, typer.Option("--no-previous", help="Stop comparing with an earlier campaign.")
    ] = False,
    no_norms: Annotated[bool, typer.Option("--no-norms", help="Stop showing percentiles.")] = False,
    db: DbOption = "./bifocals.db",
    as_json: JsonOption = False,
) -> None:
    """Show or set what the campaign's reports compare with: an earlier campaign and a norm
    group. Without options, shows them; each option changes only what it names (audited).

    Example: bifocals campaign baseline "Cohort 2027" --previous "Cohort 2026" --norms "All cohorts"
    """
    if mapping is not None and previous is None:
        raise typer.BadParameter("--map needs --previous", param_hint="--map")
    with opened(db) as store:
        codes = read_code_mapping(mapping.read_bytes(), str(mapping)) if mapping else None
        current = get_baseline(store, campaign_id_by_name(store, name))
        if previous or norms or no_previous or no_norms:
            keep_prev = None if no_previous else (previous or current.previous)
            keep_map = codes if previous else (current.code_map if keep_prev else None)
            current = set_baseline(
                store,
                name,
                None,
                previous=keep_prev,
                code_map=keep_map,
                norms=None if no_norms else (norms or current.norms),
            )
    if as_json:
        print_json({"campaign": name, **current.to_dict()})
        return
    prev = current.previous or "nothing (no 'Since last time' section)"
    extra = f", {len(current.code_map)} changed codes" if current.code_map else ""
    console.print(f"[bold]{name}[/] compares with {prev}{extra}.")
    console.print(f"Percentiles: {current.norms or 'none (no norm group chosen)'}.")


def register(root: typer.Typer) -> None:
    """Add `bifocals campaign baseline` to the campaign command group."""
    from bifocals.cli.campaign import app as campaign_app

    del root
    campaign_app.command("baseline")(baseline)
