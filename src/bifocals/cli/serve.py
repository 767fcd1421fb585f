"""`bifocals serve`: run the web app with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from bifocals.cli.common import DEFAULT_DB, DbOption, db_url, fail
from bifocals.errors import BifocalsError


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark cookies Secure (set it when served behind https).")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (uvicorn). More than one uses more cores; every worker "
            "shares the database, so sessions, rate limits and submissions hold across them.",
        ),
    ] = 1,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="The address raters reach, put in e-mailed links (https://360.example.org)."
        ),
    ] = None,
    smtp_host: Annotated[
        str | None, typer.Option(help="Mail server for invitations and reminders.")
    ] = None,
    smtp_port: Annotated[int | None, typer.Option(help="Mail server port (25).")] = None,
    smtp_from: Annotated[str | None, typer.Option(help="Sender address of the mail.")] = None,
    smtp_starttls: Annotated[
        bool, typer.Option("--smtp-starttls", help="Use STARTTLS with the mail server.")
    ] = False,
    smtp_user: Annotated[
        str | None,
        typer.Option(help="Mail server login (the password: BIFOCALS_SMTP_PASSWORD)."),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Addresses of the load balancers or proxies in front of this server "
            "(comma-separated, e.g. 10.0.0.5): their X-Forwarded-For and X-Forwarded-Proto "
            "headers are trusted, so the sign-in throttle counts each visitor's own address. "
            "Without it those headers are ignored.",
        ),
    ] = None,
    scheduler: Annotated[
        bool,
        typer.Option(
            help="Send scheduled reminders and queued mail and close campaigns at their "
            "deadline from this server (--no-scheduler: leave it to `campaign tick`)."
        ),
    ] = True,
) -> None:
    """Serve the web app (campaigns, surveys, reports) on http://HOST:PORT.

    Mail: the --smtp-* options, or BIFOCALS_SMTP_HOST, _PORT, _FROM, _STARTTLS, _USER,
    _PASSWORD. --base-url (or BIFOCALS_BASE_URL) sets the address put in e-mailed links; without
    it, scheduled mail links to http://HOST:PORT. The scheduler does what fell due while the
    server was not running as soon as it starts.

    Several instances, on several machines, may serve one PostgreSQL database behind a load
    balancer: nothing a request needs is kept in one process (docs/web.md, "Several
    instances").

    Example: bifocals serve --db bifocals.db --host 127.0.0.1 --port 8000 --workers 2
    """
    import uvicorn

    from bifocals.web import WebSettings, create_app

    if not 1 <= workers <= 64:
        fail(BifocalsError(f"--workers: {workers} is not a usable count; give 1 to 64"))
    given = {
        "BIFOCALS_BASE_URL": base_url,
        "BIFOCALS_SMTP_HOST": smtp_host,
        "BIFOCALS_SMTP_PORT": None if smtp_port is None else str(smtp_port),
        "BIFOCALS_SMTP_FROM": smtp_from,
        "BIFOCALS_SMTP_STARTTLS": "1" if smtp_starttls else None,
        "BIFOCALS_SMTP_USER": smtp_user,
        "BIFOCALS_SCHEDULER": None if scheduler else "0",
        "BIFOCALS_SECURE_COOKIES": "1" if secure_cookies else None,
    }
    # Options win over the environment, and workers read the environment: put them there.
    os.environ.update({k: v for k, v in given.items() if v is not None})
    shown = f"[{host}]" if ":" in host else host
    os.environ.setdefault("BIFOCALS_LISTEN_URL", f"http://{shown}:{port}")
    try:
        settings = WebSettings.from_env()
    except ValueError as exc:
        fail(BifocalsError(f"a BIFOCALS_* setting is not usable: {exc}"))
    try:
        app = create_app(db_url(db), settings=settings)
    except BifocalsError as exc:
        fail(exc)
    # Behind a load balancer every connection comes from the balancer: trust its headers only
    # when told which addresses it has.
    proxy: dict[str, Any] = {"proxy_headers": False}
    if forwarded_allow_ips:
        proxy = {"proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}
    typer.echo(f"bifocals is serving http://{shown}:{port}/  (database {db}; Ctrl+C stops it)")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", **proxy)
        return
    # The app above has migrated the schema once; each worker process builds its own app.
    app.state.store.close()
    from bifocals.web.app import SERVE_DB_ENV

    os.environ[SERVE_DB_ENV] = db_url(db)
    uvicorn.run(
        "bifocals.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        **proxy,
    )


def register(root: typer.Typer) -> None:
    """Add `serve` to the root command."""
    root.command("serve")(serve)
