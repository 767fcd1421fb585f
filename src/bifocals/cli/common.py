"""Options and helpers shared by every CLI command group."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from bifocals.errors import AccessError, BifocalsError, Problem, UserFacing, ValidationError
from bifocals.store import Store, open_store

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
CampaignArg = Annotated[str, typer.Argument(help="Campaign name.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
]

console = Console()
err_console = Console(stderr=True)


def db_url(db: str) -> str:
    """Turn a --db value into an SQLAlchemy URL: URLs pass through, paths become sqlite URLs."""
    if "://" in db:
        return db
    return f"sqlite:///{db}"


def print_json(data: Any, *, compact: bool = False) -> None:
    """Write JSON to stdout (no rich markup, key order as built).

    orjson encodes in Rust: a 10,000-participant score dump (about 100 MB) takes well under a
    second instead of several with the standard library. compact=True writes one line,
    otherwise the JSON is indented by two spaces.
    """
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    if not compact:
        option |= orjson.OPT_INDENT_2
    sys.stdout.write(orjson.dumps(data, option=option).decode() + "\n")


def problem_line(p: Problem) -> str:
    """One problem as `file:line: field=value: message`."""
    where = p.source if p.line is None else f"{p.source}:{p.line}"
    return f"{where}: {p.field}={p.value!s}: {p.message}"


def fail(exc: BifocalsError | AccessError | str, code: int = 1) -> NoReturn:
    """The error printer: a user-facing error on stderr, then exit non-zero, no traceback."""
    # The message is the user's data as much as ours ("[maria]" from a YAML line, a file name):
    # escaped, so that Rich prints it as written instead of reading it as markup.
    text = escape(str(exc))
    err_console.print(f"[bold red]error:[/] {text}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def fail_listing(exc: BifocalsError | AccessError, code: int = 1) -> NoReturn:
    """As `fail`, with a ValidationError's problems one per line as `file:line: field=value:
    message` (the form the CSV importers promise, easy to grep), after its summary."""
    if not isinstance(exc, ValidationError):
        fail(exc, code)
    summary = str(exc).split(":\n", 1)[0]
    sys.stderr.write(f"error: {summary}\n")
    for p in exc.problems:
        sys.stderr.write(problem_line(p) + "\n")
    raise typer.Exit(code)


def open_db(db: str) -> Store:
    """The store behind a --db value (migrated to the newest schema), or a clean error."""
    try:
        return open_store(db_url(db))
    except BifocalsError as exc:
        fail(exc)


@contextmanager
def errors_printed(*, listing: bool = True) -> Iterator[None]:
    """A user-facing error raised in the block is printed by `fail_listing` (or with
    listing=False by `fail`, a ValidationError's message whole) and exits 1."""
    try:
        yield
    except UserFacing as exc:
        (fail_listing if listing else fail)(exc)


@contextmanager
def opened(db: str, *, listing: bool = True) -> Iterator[Store]:
    """The store behind a --db value for the block, closed after it; a user-facing error
    raised in the block is printed as `errors_printed` prints it."""
    with errors_printed(listing=listing):
        store = open_db(db)
        try:
            yield store
        finally:
            store.close()


def confirm(question: str, yes: bool) -> None:
    """Ask in a terminal (not in a script, or with --yes); no means stop with status 1."""
    if not yes and sys.stdin.isatty() and not typer.confirm(question):
        raise typer.Exit(1)
