"""`bifocals campaign`: import, export, list and delete campaigns; set anonymity thresholds.

The commands that run a programme (create, roster, open, close, links) are in cli/programme.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli import programme
from bifocals.cli.common import (
    DEFAULT_DB,
    CampaignArg,
    DbOption,
    JsonOption,
    YesOption,
    confirm,
    console,
    fail,
    opened,
    print_json,
)
from bifocals.services.campaigns import (
    campaign_id_by_name,
    change_thresholds,
    mark_answers_exported,
)
from bifocals.services.participant_logins import Moved

app = typer.Typer(
    help="Campaigns: create, roster, open, links, close; import and export answers; thresholds.",
    no_args_is_help=True,
)

ThresholdOption = Annotated[int | None, typer.Option(min=1, help="Minimum raters.")]


@app.command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with header participant,rater,group,item,value; optional "
            "participant_name, participant_email, rater_name, rater_email, each right after "
            "its code (what `campaign export` writes)."
        ),
    ],
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the new campaign.")],
    instrument: Annotated[
        str | None,
        typer.Option("--instrument", "-i", help="Instrument id (default: bifocals_open_360)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a campaign with the same name.")
    ] = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Import answers from a long-format CSV; nothing is stored if any row is wrong.

    Rating items take a whole number on the scale (blank or NA = not observed); open
    questions take text. Every problem is listed as file:line: field=value: message.
    With --replace, participant logins follow their participant code into the new answers;
    a login whose code is no longer in the file is disabled.

    Example: bifocals campaign import answers.csv --name spring-2025
    """
    from bifocals.services.participant_logins import keeping_logins

    with opened(db) as store:
        res, moved = keeping_logins(
            store,
            name,
            lambda: store.import_campaign_csv(file, name, instrument, replace=replace),
            follow=replace,
        )
    if as_json:
        print_json(
            {
                "name": res.name,
                "instrument": res.instrument_id,
                "participants": res.participants,
                "raters": res.raters,
                "rows": res.rows,
                "replaced": res.replaced,
                "participant_logins_kept": moved.kept,
                "participant_logins_disabled": moved.disabled,
            }
        )
        return
    verb = "Replaced" if res.replaced else "Imported"
    console.print(
        f"{verb} campaign [bold]{res.name}[/]: {res.participants} participants, "
        f"{res.raters} raters, {res.rows} answers (instrument {res.instrument_id})."
    )
    _print_moved(moved)


def _print_moved(moved: Moved) -> None:
    """What happened to the participant logins, when the campaign had any."""
    if moved.summary():
        console.print(moved.summary() + ".", highlight=False)


@app.command("export")
def export_cmd(
    name: CampaignArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a campaign's answers in the import CSV format (stdout unless --out).

    The export is audited and counts as results seen: the campaign's thresholds freeze and it
    can no longer be re-opened.

    Example: bifocals campaign export spring-2025 --out spring-2025.csv
    """
    with opened(db) as store:
        mark_answers_exported(store, None, campaign_id_by_name(store, name), "cli answers.csv")
        try:
            n = store.export_campaign_csv(name, out)
        except BrokenPipeError:
            raise  # the reader stopped early (`| head`): main() ends quietly
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror}; check the folder exists and is writable")
    if out is not None:
        console.print(f"Wrote {n} answers of [bold]{name}[/] to {out}.")


@app.command("list")
def list_cmd(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List campaigns with their instrument, status, thresholds and counts.

    Example: bifocals campaign list --json
    """
    with opened(db) as store:
        items = store.list_campaigns()
    if as_json:
        print_json([c.to_dict() for c in items])
        return
    if not items:
        console.print("No campaigns yet. Import one: bifocals campaign import FILE.csv --name NAME")
        return
    table = Table(title="Campaigns")
    for col in ("Name", "Instrument", "Status", "Participants", "Raters", "Thresholds", "Created"):
        table.add_column(col)
    for c in items:
        t = c.thresholds
        table.add_row(
            c.name,
            f"{c.instrument_id} v{c.instrument_version}",
            c.status,
            str(c.participants),
            str(c.raters),
            f"M{t.manager} P{t.peer} DR{t.direct_report} O{t.other} pool{t.pooled}",
            c.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("delete")
def delete_cmd(
    name: CampaignArg,
    yes: YesOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Delete a campaign with all its participants, raters and answers.

    Asks first when run in a terminal; --yes skips the question. Participant logins of the
    campaign are disabled (and signed out); the audit log says so.

    Example: bifocals campaign delete spring-2025 --yes
    """
    confirm(f"Delete campaign {name!r}?", yes)
    from bifocals.services.participant_logins import keeping_logins

    with opened(db) as store:
        _, moved = keeping_logins(store, name, lambda: store.delete_campaign(name))
    console.print(f"Deleted campaign [bold]{name}[/].")
    _print_moved(moved)


@app.command("thresholds")
def thresholds_cmd(
    name: CampaignArg,
    manager: Annotated[int | None, typer.Option("--manager", min=1, help="Managers.")] = None,
    peer: Annotated[int | None, typer.Option("--peer", min=1, help="Peers.")] = None,
    direct_report: Annotated[
        int | None, typer.Option("--direct-report", min=1, help="Direct reports.")
    ] = None,
    other: Annotated[int | None, typer.Option("--other", min=1, help="Others.")] = None,
    pooled: Annotated[
        int | None, typer.Option("--pooled", min=1, help="The pool of small groups.")
    ] = None,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="Why a group other than managers may be shown below 3 raters (audited).",
        ),
    ] = "",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Show or change the minimum raters a group needs to be reported on its own.

    Without options it shows the thresholds in force (defaults: manager 1, others 3).
    Thresholds are frozen once any result of the campaign was seen (scored, reported,
    exported or released, from the web or here): a change would reveal individual answers.
    Below 3 for any group but managers needs --reason, kept in the audit log.

    Example: bifocals campaign thresholds spring-2025 --peer 4 --direct-report 4
    """
    given = {
        "manager": manager,
        "peer": peer,
        "direct_report": direct_report,
        "other": other,
        "pooled": pooled,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    with opened(db) as store:
        if changes:
            cid = campaign_id_by_name(store, name)
            t = change_thresholds(store, None, cid, changes, reason=reason)
        else:
            t = store.set_thresholds(name)
    if as_json:
        print_json({"name": name, "thresholds": t.to_dict()})
        return
    verb = "Thresholds now" if changes else "Thresholds"
    console.print(
        f"{verb} for [bold]{name}[/]: manager {t.manager}, peer {t.peer}, "
        f"direct_report {t.direct_report}, other {t.other}, pooled {t.pooled}."
    )


def register(root: typer.Typer) -> None:
    """Add `bifocals campaign` to the root command."""
    programme.register(app)
    root.add_typer(app, name="campaign")
