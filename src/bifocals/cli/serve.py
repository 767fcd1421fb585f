"""`bifocals serve`: run the web app with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

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
) -> None:
    """Serve the web app (campaigns, surveys, reports) on http://HOST:PORT.

    Mail settings come from BIFOCALS_SMTP_HOST, _PORT, _FROM, _STARTTLS, _USER, _PASSWORD;
    BIFOCALS_BASE_URL sets the address put in e-mailed links.

    Example: bifocals serve --db bifocals.db --host 127.0.0.1 --port 8000 --workers 2
    """
    import dataclasses

    import uvicorn

    from bifocals.web import WebSettings, create_app

    if not 1 <= workers <= 64:
        fail(BifocalsError(f"--workers: {workers} is not a usable count; give 1 to 64"))
    settings = WebSettings.from_env()
    if secure_cookies:
        settings = dataclasses.replace(settings, secure_cookies=True)
    try:
        app = create_app(db_url(db), settings=settings)
    except BifocalsError as exc:
        fail(exc)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"bifocals is serving http://{shown}:{port}/  (database {db}; Ctrl+C stops it)")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
        return
    # The app above has migrated the schema once; each worker process builds its own app.
    app.state.store.close()
    from bifocals.web.app import SERVE_DB_ENV

    os.environ[SERVE_DB_ENV] = db_url(db)
    if secure_cookies:
        os.environ["BIFOCALS_SECURE_COOKIES"] = "1"
    uvicorn.run(
        "bifocals.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=False,
    )


def register(root: typer.Typer) -> None:
    """Add `serve` to the root command."""
    root.command("serve")(serve)
