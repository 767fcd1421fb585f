"""Options and helpers shared by every CLI command group."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from bifocals.errors import BifocalsError

DEFAULT_DB = "./bifocals.db"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="BIFOCALS_DB",
        help="SQLite file path or database URL (postgresql+psycopg://...). Env: BIFOCALS_DB.",
        show_default=True,
    ),
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

console = Console()
err_console = Console(stderr=True)


def db_url(db: str) -> str:
    """Turn a --db value into an SQLAlchemy URL: URLs pass through, paths become sqlite URLs."""
    if "://" in db:
        return db
    return f"sqlite:///{db}"


def print_json(data: Any, *, compact: bool = False) -> None:
    """Write JSON to stdout (no rich markup, stable key order).

    compact=True writes one line with the C encoder, which is about ten times faster on large
    outputs (an indented dump goes through the pure-Python encoder).
    """
    if compact:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False)
    sys.stdout.write(text + "\n")


def fail(exc: BifocalsError | str, code: int = 1) -> NoReturn:
    """Print a user-facing error on stderr and exit non-zero, without a traceback."""
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)
