"""`bifocals user`: create and list web accounts."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli.common import DEFAULT_DB, DbOption, JsonOption, console, opened, print_json

app = typer.Typer(help="Web accounts: admins, facilitators, participants.", no_args_is_help=True)


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The account's e-mail address (its login).")],
    role: Annotated[
        str, typer.Option(help="admin, facilitator or participant.", show_default=False)
    ],
    campaign: Annotated[
        str | None, typer.Option(help="Participant accounts: the campaign's name.")
    ] = None,
    participant: Annotated[
        str | None, typer.Option(help="Participant accounts: the participant's code.")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Create an account. Without --password-stdin a random password is made and printed once.

    Example: bifocals user create ana@example.org --role admin --password-stdin < pw.txt
    """
    from bifocals.services.accounts import create_user

    generated = not password_stdin
    password = secrets.token_urlsafe(12) if generated else sys.stdin.readline().rstrip("\r\n")
    with opened(db, listing=False) as store:
        create_user(store, email, role, password, campaign=campaign, participant=participant)
    console.print(f"created {role} {email.strip().lower()}", highlight=False)
    if generated:
        console.print(f"password (shown once): {password}", highlight=False, markup=False)


@app.command("list")
def list_(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List the accounts.

    Example: bifocals user list --json
    """
    from bifocals.services.accounts import list_users

    with opened(db, listing=False) as store:
        found = list_users(store)
    if as_json:
        print_json([u.to_dict() for u in found])
        return
    table = Table(title="Accounts")
    for col in ("E-mail", "Role", "Participant", "Created"):
        table.add_column(col)
    for u in found:
        who = f"{u.campaign} · {u.participant}" if u.participant else ""
        role = u.role + (" (disabled)" if u.disabled else "")
        table.add_row(u.email, role, who, u.created_at.strftime("%Y-%m-%d"))
    console.print(table)


@app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="An admin or facilitator account.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. hr-sync.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Issue a bearer token for the JSON API (/api/v1); it is printed once and stored hashed.

    Example: bifocals user token coach@example.org --name hr-sync
    """
    from bifocals.services.api_tokens import issue_token

    with opened(db, listing=False) as store:
        raw = issue_token(store, email, name)
    typer.echo(raw)
    typer.echo(
        "Keep it safe: it is shown only now. Send it as 'Authorization: Bearer <token>'.", err=True
    )


def register(root: typer.Typer) -> None:
    """Add the `user` group to the root command."""
    root.add_typer(app, name="user")
