"""The bifocals command line: one command group per feature, each a thin layer over the library.

Each feature module in this package exposes `register(app)`; the modules listed in FEATURES are
registered in that order when they are present, so features can land independently.
"""

from __future__ import annotations

import importlib
import importlib.util

import typer

from bifocals import __version__

app = typer.Typer(
    name="bifocals",
    help="bifocals: leadership (far sight) and management (near sight), measured side by side.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Feature modules under bifocals.cli, in the order their commands appear in --help.
FEATURES: tuple[str, ...] = (
    "framework",
    "instrument",
    "campaign",
    "score",
    "report",
    "analyze",
    "text",
    "change",
    "user",
    "serve",
    "demo",
)


def _register_features() -> None:
    for name in FEATURES:
        module_name = f"bifocals.cli.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
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


def main() -> None:
    """Console-script entry point."""
    app()
