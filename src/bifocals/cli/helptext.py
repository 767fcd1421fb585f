"""Help texts as people read them: the lines of a docstring paragraph joined into one.

Typer's rich help keeps every line break of a docstring, and then wraps each line again to the
terminal's width, so a sentence broken at 95 columns in the source came out as a long line and
a one-word line ("open" / "questions take text"). Here every command's help is reflowed once,
at start-up: paragraphs (separated by blank lines) become single lines that the terminal wraps;
list items ("- ", "* ", "1. ") keep a line each, with their continuation lines joined; an
"Example:" line stays as written.
"""

from __future__ import annotations

import inspect
import re

import typer

_ITEM = re.compile(r"^(?:[-*] |\d+\. )")


def reflow(doc: str) -> str:
    """The docstring with each paragraph, and each list item, on one line."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", inspect.cleandoc(doc)):
        lines: list[str] = []
        for raw in para.splitlines():
            line = raw.strip()
            starts_item = bool(_ITEM.match(line)) or line.startswith("Example")
            if lines and not starts_item and not lines[-1].startswith("Example"):
                lines[-1] += " " + line
            else:
                lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def reflow_all(app: typer.Typer) -> None:
    """Reflow the help of every command and group under `app` (in place)."""
    for command in app.registered_commands:
        doc = command.help or (command.callback.__doc__ if command.callback else None)
        if doc:
            command.help = reflow(doc)
    for group in app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            info = sub.info
            if isinstance(info.help, str):
                info.help = reflow(info.help)
            reflow_all(sub)
