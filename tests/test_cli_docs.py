"""The CLI reference in docs/cli.md is generated from --help and must be current; every
command documents an example."""

from __future__ import annotations

from pathlib import Path

from bifocals.clidoc import command_paths, help_text, render

ROOT = Path(__file__).resolve().parents[1]


def test_docs_cli_md_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render(), "docs/cli.md is out of date: run `make docs`"


def test_every_command_has_an_example() -> None:
    missing = []
    for path in command_paths():
        text = help_text(path)
        is_group = "Commands" in text
        if path and not is_group and "Example" not in text:
            missing.append(" ".join(path))
    assert not missing, f"commands without an Example in --help: {missing}"


def test_every_command_is_in_the_reference() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path in command_paths():
        assert f"## `{' '.join(['bifocals', *path])}`" in reference
