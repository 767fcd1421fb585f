"""Load YAML while remembering the line of every value, so errors can point at it.

Every document is read under limits, so a hostile file is refused before it can cost much:
at most MAX_BYTES bytes, MAX_DEPTH levels of nesting and MAX_VALUES values once its aliases
(`*name`) are expanded (a few lines of nested aliases, the "billion laughs", would otherwise
expand to billions), and only YAML's plain tags (`!!str`, `!!int`, ..., `!!seq`, `!!map`) on
any value. The limits are checked while the document is composed, before anything is expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bifocals.errors import Problem, ValidationError

MAX_BYTES = 1_000_000  # 60 times the largest shipped document (16 kB)
MAX_DEPTH = 50  # levels of lists and mappings, counted after aliases are expanded
MAX_VALUES = 50_000  # scalars, lists and mappings, aliases expanded (the demo holds 1,000)

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_ALLOWED_TAGS: dict[type[yaml.Event], frozenset[str]] = {
    yaml.ScalarEvent: _SCALAR_TAGS,
    yaml.SequenceStartEvent: frozenset({_CORE + "seq"}),
    yaml.MappingStartEvent: frozenset({_CORE + "map"}),
}
_KIND = {
    yaml.ScalarEvent: "value",
    yaml.SequenceStartEvent: "list",
    yaml.MappingStartEvent: "mapping",
}

Step = str | int


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

    def mapping(self, what: str) -> dict[str, Any]:
        """The document's top level, which must be a mapping; else a ValidationError that
        calls the document an invalid `what` ("invalid framework leadership.yaml")."""
        if not isinstance(self.data, dict):
            raise ValidationError(
                [self.problem((), type(self.data).__name__, "the top level must be a mapping")],
                f"invalid {what} {self.source}",
            )
        return self.data


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe composer, refusing a document as soon as it breaks one of the limits.

    For every finished node it remembers how many values it stands for and how deep it goes
    once expanded, so an alias is charged its full expanded size when it is met, while the
    node graph (where an alias is only a reference) is still small.
    """

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self.source = source
        self.values = 0  # values so far, aliases expanded
        self.path: list[Step] = []
        self.measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth)

    def refuse(self, event: yaml.Event, value: object, message: str) -> ValidationError:
        steps = [str(p) for p in self.path]
        if len(steps) > 8:  # a deep path: its start, and how deep it goes
            steps = [*steps[:4], f"(... {len(steps) - 4} levels more)"]
        name = ".".join(steps) or "(document)"
        mark = event.start_mark
        line = mark.line + 1 if mark is not None else None
        problem = Problem(self.source, line, name, value, message)
        return ValidationError([problem], f"cannot read {self.source}")

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if parent is not None:
            if index is None:
                step: Step = "(key)"
            elif isinstance(index, int):
                step = index
            else:
                step = str(index.value) if isinstance(index, yaml.ScalarNode) else "(key)"
            self.path.append(step)
        try:
            return self._compose_checked(parent, index)
        finally:
            if parent is not None:
                self.path.pop()

    def _compose_checked(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        depth = len(self.path) + 1
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is None:  # PyYAML's own error: found undefined alias
                return super().compose_node(parent, index)
            measured = self.measured.get(id(target))
            if measured is None:
                raise self.refuse(
                    event,
                    f"*{event.anchor}",
                    f"the alias *{event.anchor} stands inside the value it names, so it would "
                    "repeat forever; write the value out instead of the alias",
                )
            values, deep = measured
            if depth - 1 + deep > MAX_DEPTH:
                raise self.refuse(
                    event,
                    f"*{event.anchor}",
                    f"the alias *{event.anchor} nests the document more than {MAX_DEPTH} levels "
                    "deep once expanded; bifocals files need only a few levels: write the "
                    "values out, or use fewer aliases inside aliases",
                )
            self.values += values
            if self.values > MAX_VALUES:
                raise self.refuse(
                    event,
                    f"*{event.anchor}",
                    f"the alias *{event.anchor} repeats {values:,} values and takes the document "
                    f"past the limit of {MAX_VALUES:,} values once aliases are expanded (the "
                    "shape of an 'alias bomb'); write the values out, or use fewer aliases",
                )
            return super().compose_node(parent, index)
        if depth > MAX_DEPTH:
            raise self.refuse(
                event,
                None,
                f"nested more than {MAX_DEPTH} levels deep; bifocals files need only a few "
                "levels: look for brackets that are opened and never closed",
            )
        tag = getattr(event, "tag", None)
        kind = type(event)
        if tag not in (None, "!") and tag not in _ALLOWED_TAGS.get(kind, frozenset()):
            shown = _shown_tag(str(tag))
            raise self.refuse(
                event,
                shown,
                f"the YAML tag {shown} on this {_KIND.get(kind, 'value')} is not allowed: "
                "bifocals reads plain data only (text, numbers, true/false, dates, lists, "
                "mappings); remove the tag, or put the value in quotes if it is text",
            )
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.refuse(
                event,
                None,
                f"the document holds more than {MAX_VALUES:,} values; split it into smaller files",
            )
        node = super().compose_node(parent, index)
        if node is not None:
            self.measured[id(node)] = self._measure(node)
        return node

    def _measure(self, node: yaml.Node) -> tuple[int, int]:
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            return 1, 1
        sizes = [self.measured[id(c)] for c in children]
        return 1 + sum(v for v, _ in sizes), 1 + max((d for _, d in sizes), default=0)


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node, by YAML's safe rules (an empty value is None)."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _built(node: yaml.Node, path: tuple[str | int, ...], source: str) -> Any:
    """_scalar, with a value YAML cannot build (a date such as 2026-13-45) as a clear error."""
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        if isinstance(exc, ValueError):
            message = (
                f"looks like a date but is not one ({exc}); write a real date as YYYY-MM-DD, "
                "or put the text in quotes"
            )
        else:
            said = getattr(exc, "problem", None) or exc
            message = f"YAML cannot build this value ({said}); put it in quotes if it is text"
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        name = ".".join(str(p) for p in path) or "(document)"
        problem = Problem(source, node.start_mark.line + 1, name, value, message)
        raise ValidationError([problem], f"cannot read {source}") from None


def _convert(
    node: yaml.Node,
    path: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    doubles: list[tuple[tuple[str | int, ...], int, int]],
    source: str,
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_built(key_node, path, source))
            line = key_node.start_mark.line + 1
            if key in out:  # YAML would silently keep the last one
                doubles.append(((*path, key), lines[(*path, key)], line))
                continue
            out[key] = _convert(value_node, (*path, key), lines, doubles, source)
            lines[(*path, key)] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(child, (*path, i), lines, doubles, source)
            for i, child in enumerate(node.value)
        ]
    return _built(node, path, source)


def _too_large(source: str, size: int) -> ValidationError:
    problem = Problem(
        source,
        None,
        "(file)",
        f"{size:,} bytes",
        f"larger than the {MAX_BYTES:,} bytes bifocals reads from one YAML document; split it "
        "into smaller files",
    )
    return ValidationError([problem], f"cannot read {source}")


def _compose(text: str, source: str) -> yaml.Node | None:
    loader = _GuardedLoader(text, source)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def load_located(text: str, source: str) -> Located:
    """Parse YAML text under the limits above; a syntax error becomes a ValidationError with
    its line, and so does a document that breaks a limit or carries a tag that is not plain."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large(source, len(text.encode("utf-8", "surrogatepass")))
    try:
        node = _compose(text, source)
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
    data = _convert(node, (), lines, doubles, source)
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
    """Read and parse a YAML file; a missing, unreadable, too large or non-UTF-8 file gets a
    clear error (a file over MAX_BYTES is refused before it is read)."""
    p = Path(path)

    def cannot(message: str) -> ValidationError:
        return ValidationError(
            [Problem(str(p), None, "(file)", str(p), message)], f"cannot read {p}"
        )

    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise _too_large(str(p), size)
        with p.open(encoding="utf-8") as f:
            text = f.read(MAX_BYTES + 1)  # characters: bounded even if the file grows
    except FileNotFoundError:
        raise cannot("file not found") from None
    except UnicodeDecodeError as exc:
        raise cannot(f"not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except IsADirectoryError:
        raise cannot("is a folder, not a file; give the path of a YAML file") from None
    except OSError as exc:
        raise cannot(
            f"cannot be opened ({exc.strerror}); check the path and its permissions"
        ) from None
    return load_located(text, str(p))
