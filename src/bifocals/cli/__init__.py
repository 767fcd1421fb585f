"""The bifocals command line: one command group per feature, each a thin layer over the library.

Each feature module in this package exposes `register(app)`; `_register_features` imports and
registers them by name, in the order their commands appear in --help.
"""

from __future__ import annotations

import os
import sys

import typer

from bifocals import __version__
from bifocals.cli.helptext import reflow_all
from bifocals.errors import AccessError, BifocalsError

app = typer.Typer(
    name="bifocals",
    help="bifocals: leadership (far sight) and management (near sight), measured side by side.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_features() -> None:
    """Add every command group, in the order their commands appear in --help."""
    from bifocals.cli import (
        analyze,
        baseline,
        campaign,
        change,
        demo,
        framework,
        instrument,
        norms,
        report,
        score,
        serve,
        text,
        user,
    )

    groups = (
        framework,
        instrument,
        campaign,
        baseline,
        score,
        report,
        norms,
        analyze,
        text,
        change,
        user,
        serve,
    )
    for module in (*groups, demo):
        module.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bifocals {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """bifocals: leadership and management, measured side by side."""


_register_features()
reflow_all(app)


def main() -> None:
    """Console-script entry point.

    A reader that stops early (`bifocals campaign export NAME | head`) closes the pipe: stop
    quietly with the status a shell gives a command killed by SIGPIPE (141), with no error
    message and no traceback. A typed error that a command did not print itself is printed
    the same way as the others.
    """
    try:
        app()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(141)
    except (BifocalsError, AccessError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(1)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
