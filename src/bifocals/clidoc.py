"""Generate the CLI reference (docs/cli.md) from the commands' own --help, so it cannot drift.

Run `python -m bifocals.clidoc > docs/cli.md` (or `make docs`); a test checks the file is current.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from bifocals.cli import app


def _walk(cmd: Any, path: list[str]) -> list[list[str]]:
    # Typer may vendor its own click; duck-type groups instead of importing click's classes.
    out = [path]
    if hasattr(cmd, "list_commands"):
        ctx = type(cmd).context_class(cmd)
        for name in sorted(cmd.list_commands(ctx)):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                out += _walk(sub, [*path, name])
    return out


def command_paths() -> list[list[str]]:
    """Every command path, e.g. [[], ['framework'], ['framework', 'show'], ...]."""
    return _walk(typer.main.get_command(app), [])


def help_text(path: list[str]) -> str:
    """The --help output of one command, rendered without colour at a fixed width."""
    runner = CliRunner()
    res = runner.invoke(
        app,
        [*path, "--help"],
        prog_name="bifocals",
        terminal_width=100,
        env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"},
        color=False,
    )
    lines = [line.rstrip() for line in res.output.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def render() -> str:
    """The whole reference as Markdown."""
    parts = [
        "# Command-line reference\n",
        "Generated from each command's `--help` by `make docs` (`python -m bifocals.clidoc`);",
        "a test fails when this file is out of date.\n",
    ]
    for path in command_paths():
        title = " ".join(["bifocals", *path])
        parts.append(f"## `{title}`\n")
        parts.append("```text")
        parts.append(help_text(path).rstrip())
        parts.append("```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
