"""Load YAML while remembering the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bifocals.errors import Problem, ValidationError


@dataclass
class Located:
    """Plain data from a YAML document plus a map from path (tuple of keys) to line number."""

    data: Any
    source: str
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the value at path, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: tuple[str | int, ...], value: object, message: str) -> Problem:
        """Build a Problem pointing at path, with a dotted field name."""
        name = ".".join(str(p) for p in path) or "(document)"
        return Problem(self.source, self.line(path), name, value, message)


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node, by YAML's safe rules (an empty value is None)."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _convert(
    node: yaml.Node,
    path: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    doubles: list[tuple[tuple[str | int, ...], int, int]],
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node))
            line = key_node.start_mark.line + 1
            if key in out:  # YAML would silently keep the last one
                doubles.append(((*path, key), lines[(*path, key)], line))
                continue
            out[key] = _convert(value_node, (*path, key), lines, doubles)
            lines[(*path, key)] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), lines, doubles) for i, child in enumerate(node.value)]
    return _scalar(node)


def load_located(text: str, source: str) -> Located:
    """Parse YAML text; a syntax error becomes a ValidationError with its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ValidationError(
            [
                Problem(
                    source,
                    line,
                    "(syntax)",
                    None,
                    f"not valid YAML: {getattr(exc, 'problem', exc)}",
                )
            ],
            f"cannot read {source}",
        ) from None
    if node is None:
        raise ValidationError(
            [Problem(source, 1, "(document)", None, "the file is empty")], f"cannot read {source}"
        )
    lines: dict[tuple[str | int, ...], int] = {}
    doubles: list[tuple[tuple[str | int, ...], int, int]] = []
    data = _convert(node, (), lines, doubles)
    if doubles:
        raise ValidationError(
            [
                Problem(
                    source,
                    again,
                    ".".join(str(p) for p in where),
                    where[-1],
                    f"this key is given twice in the same place (first on line {first}); "
                    "keep one of them",
                )
                for where, first, again in doubles
            ],
            f"cannot read {source}",
        )
    return Located(data, source, lines)


def load_located_file(path: str | Path) -> Located:
    """Read and parse a YAML file; unreadable or non-UTF-8 files get a clear error."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(
            [Problem(str(p), None, "(file)", str(p), "file not found")], f"cannot read {p}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            [
                Problem(
                    str(p),
                    None,
                    "(file)",
                    str(p),
                    f"not UTF-8 text ({exc.reason}); save it as UTF-8",
                )
            ],
            f"cannot read {p}",
        ) from None
    return load_located(text, str(p))
