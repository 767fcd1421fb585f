"""`bifocals serve`: run the web app with uvicorn."""

from __future__ import annotations

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
) -> None:
    """Serve the web app (campaigns, surveys, reports) on http://HOST:PORT.

    Mail settings come from BIFOCALS_SMTP_HOST, _PORT, _FROM, _STARTTLS, _USER, _PASSWORD;
    BIFOCALS_BASE_URL sets the address put in e-mailed links.

    Example: bifocals serve --db bifocals.db --host 127.0.0.1 --port 8000
    """
    import dataclasses

    import uvicorn

    from bifocals.web import WebSettings, create_app

    settings = WebSettings.from_env()
    if secure_cookies:
        settings = dataclasses.replace(settings, secure_cookies=True)
    try:
        app = create_app(db_url(db), settings=settings)
    except BifocalsError as exc:
        fail(exc)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"bifocals is serving http://{shown}:{port}/  (database {db}; Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def register(root: typer.Typer) -> None:
    """Add `serve` to the root command."""
    root.command("serve")(serve)
