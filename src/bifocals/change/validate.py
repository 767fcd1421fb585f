"""Small typed readers for initiative documents that collect problems instead of stopping.

Every reader takes a path into the document so that a problem names file, line and field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bifocals.errors import Problem
from bifocals.yamlsource import Located

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
Path = tuple[str | int, ...]


def jsonable(value: Any) -> Any:
    """The document with dates turned into ISO text, so it can be stored as JSON."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@dataclass
class Reader:
    """Reads typed values out of a Located document, recording every problem found."""

    doc: Located
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, value: object, message: str) -> None:
        """Record one problem at path."""
        self.problems.append(self.doc.problem(path, value, message))

    def get(self, obj: dict[str, Any], key: str) -> Any:
        """A value of a mapping (None when absent)."""
        return obj.get(key)

    def mapping(self, value: Any, path: Path, what: str) -> dict[str, Any] | None:
        """value when it is a mapping, else a problem and None."""
        if isinstance(value, dict):
            return value
        self.add(path, value, f"must be a mapping with {what}")
        return None

    def items(
        self, obj: dict[str, Any], key: str, path: Path, required: bool = False
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """(path, mapping) for each entry of a list under key; problems for non-mappings."""
        raw = obj.get(key)
        if raw is None:
            if required:
                self.add((*path, key), raw, "required: a non-empty list")
            return
        if not isinstance(raw, list) or (required and not raw):
            self.add(
                (*path, key),
                raw,
                "must be a list" + (" with at least one entry" if required else ""),
            )
            return
        for i, entry in enumerate(raw):
            p = (*path, key, i)
            if isinstance(entry, dict):
                yield p, entry
            else:
                self.add(p, entry, "each entry must be a mapping")

    def text(self, obj: dict[str, Any], key: str, path: Path, required: bool = True) -> str:
        """A non-empty text (numbers are accepted and turned into text)."""
        value = obj.get(key)
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            self.add((*path, key), value, "required: a text" if required else "must be a text")
            return ""
        out = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if required and not out:
            self.add((*path, key), value, "required: a non-empty text")
        return out

    def ident(self, obj: dict[str, Any], key: str, path: Path, seen: set[str] | None = None) -> str:
        """An id (letters, digits, _ . -), unique within `seen` when given."""
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not ID_RE.match(value):
            self.add(
                (*path, key), value, "required: an id of letters, digits, '_', '.' or '-' (max 64)"
            )
            return ""
        if seen is not None:
            if value in seen:
                self.add((*path, key), value, "duplicate id; ids must be unique in this list")
            seen.add(value)
        return value

    def number(
        self,
        value: Any,
        path: Path,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
    ) -> float | None:
        """A number within [low, high] (or (low, high] with low_open); None after a problem."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, value, "must be a number")
            return None
        x = float(value)
        if (
            x != x
            or (low is not None and (x <= low if low_open else x < low))
            or (high is not None and x > high)
        ):
            lo = "" if low is None else (f"> {low:g}" if low_open else f">= {low:g}")
            hi = "" if high is None else f"<= {high:g}"
            self.add(path, value, f"must be a number {' and '.join(s for s in (lo, hi) if s)}")
            return None
        return x

    def integer(self, value: Any, path: Path, low: int, high: int | None = None) -> int | None:
        """A whole number within [low, high]; None after a problem."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < low
            or (high is not None and value > high)
        ):
            rng = f"from {low} to {high}" if high is not None else f">= {low}"
            self.add(path, value, f"must be a whole number {rng}")
            return None
        return value

    def choice(
        self, obj: dict[str, Any], key: str, path: Path, options: tuple[str, ...], default: str
    ) -> str:
        """One of options (default when absent)."""
        value = obj.get(key, default)
        if value not in options:
            self.add((*path, key), value, f"must be one of {', '.join(options)}")
            return default
        return str(value)

    def refs(self, value: Any, path: Path, known: set[str], what: str) -> tuple[str, ...]:
        """A list of ids (or one id) that must all be in known."""
        if value is None:
            return ()
        raw = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
        if not isinstance(raw, list):
            self.add(path, value, f"must be a list of {what} ids")
            return ()
        out: list[str] = []
        for i, v in enumerate(raw):
            sv = str(v) if isinstance(v, str | int) and not isinstance(v, bool) else None
            if sv is None or sv not in known:
                p = (*path, i) if isinstance(value, list) else path
                self.add(p, v, f"unknown {what} id; known: {', '.join(sorted(known)) or '(none)'}")
            elif sv not in out:
                out.append(sv)
        return tuple(out)
