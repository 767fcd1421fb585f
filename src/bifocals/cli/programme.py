"""`bifocals campaign create|roster|open|links|check|schedule|tick|close|release`: run a 360
programme from scripts.

Each command is a thin door to the services the web uses (services.campaigns, .roster,
.link_sheet), so the rules and the audit log are the same whichever door is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bifocals.cli.common import (
    DEFAULT_DB,
    CampaignArg,
    DbOption,
    DryRunOption,
    JsonOption,
    YesOption,
    confirm,
    console,
    fail,
    opened,
    print_json,
)
from bifocals.scoring.model import Thresholds
from bifocals.services.campaigns import (
    campaign_id_by_name,
    change_status,
    create_campaign,
    parse_deadline,
)


def create_cmd(
    name: CampaignArg,
    deadline: Annotated[
        str, typer.Option("--deadline", help="Last day for answers, YYYY-MM-DD (UTC).")
    ] = "",
    instrument: Annotated[
        str, typer.Option("--instrument", "-i", help="Instrument id.")
    ] = "bifocals_open_360",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Create an empty draft campaign, ready for its roster.

    Thresholds start at the defaults (manager 1, every other group 3); change them with
    `bifocals campaign thresholds`.

    Example: bifocals campaign create "Cohort 2027" --deadline 2027-03-31
    """
    with opened(db) as store:
        cid = create_campaign(
            store, None, name, instrument, Thresholds(), parse_deadline(deadline), ""
        )
        info = store.get_campaign(name.strip())
    if as_json:
        print_json({"id": cid, **info.to_dict()})
        return
    when = f", deadline {deadline}" if deadline else ""
    console.print(f"Created draft campaign [bold]{info.name}[/] ({info.instrument_id}{when}).")
    console.print(f'Next: bifocals campaign roster "{info.name}" roster.csv', highlight=False)


def roster_cmd(
    name: CampaignArg,
    file: Annotated[
        Path,
        typer.Argument(help="The roster, CSV or .xlsx (its columns are listed above)."),
    ],
    sync: Annotated[
        bool,
        typer.Option("--sync", help="Also remove raters and participants absent from the file."),
    ] = False,
    remove_answered: Annotated[
        bool,
        typer.Option(
            "--remove-answered",
            help="With --sync: remove people who answered, and their answers (audited).",
        ),
    ] = False,
    dry_run: DryRunOption = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Add participants and raters from a spreadsheet; importing again edits them in place.

    Columns (header line first): participant, participant_name, participant_email, rater_name,
    rater_email, group (manager, peer, direct_report or other); one line per rater, or a line
    with the rater columns empty for a participant without raters yet.

    A participant is known by its code, a rater by e-mail (or else by name) within their
    participant, so a corrected e-mail, name or group is updated where it is. A changed
    e-mail ends the links sent to the old one. With --sync, people absent from the file are
    removed; someone who has answered is never removed unless --remove-answered is given,
    and never once results were seen. Nothing changes unless the whole file is clean.

    Example: bifocals campaign roster "Cohort 2027" roster.xlsx --sync
    """
    from bifocals.services.roster import import_roster

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}; check the path")
    with opened(db) as store:
        cid = campaign_id_by_name(store, name)
        res = import_roster(
            store,
            None,
            cid,
            data,
            file.name,
            sync=sync,
            remove_answered=remove_answered,
            dry_run=dry_run,
        )
    if as_json:
        print_json({"campaign": name, "dry_run": dry_run, **res.to_dict()})
        return
    for line in res.changes:
        console.print(f"  {line}", highlight=False)
    verb = "Would change" if dry_run else "Roster of"
    console.print(f"{verb} [bold]{name}[/]: {res.summary()}.", highlight=False)


def _status_cmd(action: str, name: str, db: str, as_json: bool) -> None:
    with opened(db) as store:
        status = change_status(store, None, campaign_id_by_name(store, name), action)
    if as_json:
        print_json({"name": name, "status": status})
    else:
        console.print(f"Campaign [bold]{name}[/] is now {status}.")


def open_cmd(name: CampaignArg, db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Open a draft campaign: its survey links start to work.

    Example: bifocals campaign open "Cohort 2027"
    """
    _status_cmd("open", name, db, as_json)


def close_cmd(
    name: CampaignArg,
    yes: YesOption = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Close an open campaign: no more answers; groups below their threshold are pooled or
    left out of the reports. The groups at risk are listed first, and in a terminal you are
    asked to confirm (--yes skips the question).

    Example: bifocals campaign close "Cohort 2027" --yes
    """
    if not as_json:
        _print_risks(db, name, "Groups under their threshold (pooled or left out at close)")
    confirm(f"Close {name!r}? Raters can no longer answer.", yes)
    _status_cmd("close", name, db, as_json)


def release_cmd(
    name: CampaignArg,
    yes: YesOption = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Release a closed campaign's reports: each participant reads their own (final: the
    campaign can never be re-opened). With BIFOCALS_SMTP_* set, each participant account is
    told by e-mail (sent by the server's scheduler or `campaign tick`). The participants whose
    report would show no one's answers but their own (nobody else answered, or every group is
    under its threshold) are listed first (in --json: "no_others_view"). Asks first in a
    terminal (--yes skips the question).

    Example: bifocals campaign release "Cohort 2027" --yes
    """
    from bifocals.services.at_risk import reports_without_others

    with opened(db) as store:
        unseen = reports_without_others(store, campaign_id_by_name(store, name))
    if unseen and not as_json:
        n = len(unseen)
        console.print(
            f"[bold yellow]{n} report{'s' if n != 1 else ''} would show no one's answers but "
            "the participant's own:[/]"
        )
        for u in unseen:
            console.print(f"  {u.sentence()}", highlight=False)
    confirm(f"Release the reports of {name!r}? This cannot be undone.", yes)
    from bifocals.services.participant_accounts import release
    from bifocals.services.settings import WebSettings

    with opened(db) as store:
        queued = release(store, WebSettings.from_env(), None, campaign_id_by_name(store, name))
    if as_json:
        print_json(
            {
                "name": name,
                "status": "released",
                "notices_queued": queued,
                "no_others_view": [
                    {"participant": u.participant, "answered": u.answered} for u in unseen
                ],
            }
        )
        return
    told = f" {queued} participant notice{'s' if queued != 1 else ''} queued." if queued else ""
    console.print(f"Campaign [bold]{name}[/] is now released.{told}", highlight=False)


def _risks(db: str, name: str) -> list[Any]:
    from bifocals.services.at_risk import groups_at_risk

    with opened(db) as store:
        cid = campaign_id_by_name(store, name)
        with store.engine.connect() as conn:
            return list(groups_at_risk(conn, cid))


def _print_risks(db: str, name: str, title: str) -> None:
    risks = _risks(db, name)
    if risks:
        console.print(f"[bold yellow]{title}:[/]")
        for r in risks:
            console.print(f"  {r.sentence()}", highlight=False)


def check_cmd(name: CampaignArg, db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List the rater groups that would not be shown on their own if the campaign closed
    now (pooled with other small groups, or left out), with the answers that would save them.

    Example: bifocals campaign check "Cohort 2027"
    """
    risks = _risks(db, name)
    if as_json:
        print_json(
            [
                {
                    "participant": r.participant,
                    "group": r.group,
                    "counted": r.counted,
                    "invited": r.invited,
                    "threshold": r.threshold,
                    "fate": r.fate,
                    "more_needed": r.more_needed,
                    "reachable": r.reachable,
                }
                for r in risks
            ]
        )
        return
    if not risks:
        console.print(f"Every invited group of [bold]{name}[/] would be shown on its own.")
        return
    _print_risks(db, name, f"{len(risks)} group{'s' if len(risks) != 1 else ''} at risk")


def schedule_cmd(
    name: CampaignArg,
    remind: Annotated[
        str, typer.Option("--remind", help='Days before the deadline, e.g. "7,2" ("" for none).')
    ] = "7,2",
    close: Annotated[
        str,
        typer.Option("--close", help="auto: close at the deadline; manual: an admin closes it."),
    ] = "auto",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Set when reminders go to raters who have not answered, and whether the deadline closes
    the campaign. The schedule runs in `bifocals serve`, or with `bifocals campaign tick`.

    Example: bifocals campaign schedule "Cohort 2027" --remind 7,2 --close auto
    """
    from bifocals.services.schedule import update_schedule

    with opened(db) as store:
        cid = campaign_id_by_name(store, name)
        days, mode = update_schedule(store, None, cid, reminder_days=remind, close_mode=close)
    if as_json:
        print_json({"name": name, "reminder_days": list(days), "close_mode": mode})
        return
    when = ", ".join(f"{d} day{'s' if d != 1 else ''}" for d in days) or "no reminders"
    console.print(
        f"[bold]{name}[/]: reminders {when} before the deadline; close: {mode}.", highlight=False
    )


def tick_cmd(
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Where raters reach the web app, for links in mail (or BIFOCALS_BASE_URL).",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Do the schedule's due work once: reminder rounds, closes at the deadline, queued mail.

    `bifocals serve` does this by itself; run this from cron (every few minutes) when the
    server runs with --no-scheduler. Mail settings come from BIFOCALS_SMTP_*. Safe to run
    while a server ticks too: each event happens once.

    Example: bifocals campaign tick --base-url https://360.example.org
    """
    from bifocals.services.schedule import tick
    from bifocals.services.settings import WebSettings

    settings = WebSettings.from_env()
    with opened(db) as store:
        report = tick(store, settings, base_url)
    if as_json:
        print_json(
            {
                "reminders": [{"campaign": c, "queued": n} for c, n in report.reminders],
                "closed": report.closed,
                "pulses_started": report.pulses,
                "pulses_released": report.released,
                "mail": {
                    "sent": report.mail.sent,
                    "retried": report.mail.retried,
                    "failed": report.mail.failed,
                    "dropped": report.mail.dropped,
                },
            }
        )
        return
    console.print(report.summary().capitalize() + ".", highlight=False)
    if not (base_url or settings.mail_base()) and settings.smtp.enabled:
        console.print(
            "Queued mail was not sent: give --base-url (or BIFOCALS_BASE_URL) for its links."
        )


def links_cmd(
    name: CampaignArg,
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url", help="Where raters reach the web app, e.g. https://360.example.org."
        ),
    ],
    csv_out: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the sheet here (.xlsx: a workbook); default stdout."),
    ] = None,
    reissue: Annotated[
        bool,
        typer.Option(
            "--reissue", help="Replace the live links too (the old ones stop working; audited)."
        ),
    ] = False,
    days: Annotated[int, typer.Option("--days", min=1, max=365, help="Link lifetime.")] = 30,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Issue survey links for a mail merge: every rater without an answer and without a
    live link gets one, as participant,participant_name,rater_name,rater_email,group,url.

    Links already handed out stay valid and are not listed again, so a second run right
    after the first lists nobody; --reissue replaces them all. Only the links' hashes are
    stored: keep the sheet safe and delete it after the mailing.

    Example: bifocals campaign links C27 --base-url https://360.example.org --csv links.csv
    """
    from bifocals.services.link_sheet import issue_link_sheet

    if not base_url.startswith(("http://", "https://")):
        fail(f"--base-url {base_url!r} must start with https:// (or http:// for a local test)")
    if csv_out is not None and csv_out.exists():
        fail(
            f"{csv_out} exists, and may hold links that are shown only once; give another "
            "file name (or move that one away) and run again: nothing was issued"
        )
    with opened(db) as store:
        cid = campaign_id_by_name(store, name)
        sheet = issue_link_sheet(store, None, cid, base_url, days=days, reissue=reissue)
    data = sheet.xlsx() if csv_out is not None and csv_out.suffix == ".xlsx" else sheet.csv()
    if csv_out is not None and not sheet.rows:
        console.print(f"Campaign {name}: {sheet.summary()}. No file written.", highlight=False)
        return
    if csv_out is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        try:
            csv_out.write_bytes(data)
        except OSError as exc:
            fail(f"cannot write {csv_out}: {exc.strerror}; check the folder exists")
    note = console if csv_out is not None else None
    message = f"Campaign {name}: {sheet.summary()}."
    if sheet.status == "draft":
        message += " The campaign is a draft: the links work once it is open."
    if note is not None:
        note.print(message + f" Wrote {csv_out}.", highlight=False)
    else:
        typer.echo(message, err=True)


def register(app: typer.Typer) -> None:
    """Add the programme commands to `bifocals campaign`."""
    app.command("create")(create_cmd)
    app.command("roster")(roster_cmd)
    app.command("open")(open_cmd)
    app.command("close")(close_cmd)
    app.command("release")(release_cmd)
    app.command("links")(links_cmd)
    app.command("check")(check_cmd)
    app.command("schedule")(schedule_cmd)
    app.command("tick")(tick_cmd)
