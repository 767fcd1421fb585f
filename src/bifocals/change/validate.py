"""Small typed readers for initiative documents that collect problems instead of stopping.

Every reader takes a path into the document so that a problem names file, line and field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterator
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


def did_you_mean(value: object, options: Collection[str]) -> str:
    """ "did you mean 'x'? " for the option closest to value, or "" when none is close."""
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def one_of(value: object, options: Collection[str], what: str = "use one of") -> str:
    """The end of a message for a value that is not among options: a suggestion and the list."""
    return f"{did_you_mean(value, options)}{what}: {', '.join(options)}"


@dataclass(frozen=True)
class _Dangling:
    """References to a section that defines no ids (missing or invalid), reported once."""

    path: Path
    value: object
    what: str


@dataclass
class Reader:
    """Reads typed values out of a Located document, recording every problem found.

    strict: an unknown key in a mapping is a problem (a typo must not be silently dropped).
    Documents stored by an earlier version were validated without that rule, so rereading a
    stored document is not strict.
    """

    doc: Located
    problems: list[Problem] = field(default_factory=list)
    strict: bool = True
    _dangling: dict[str, list[_Dangling]] = field(default_factory=dict)
    _unknown_sections: list[str] = field(default_factory=list)

    def add(self, path: Path, value: object, message: str) -> None:
        """Record one problem at path."""
        self.problems.append(self.doc.problem(path, value, message))

    def get(self, obj: dict[str, Any], key: str) -> Any:
        """A value of a mapping (None when absent)."""
        return obj.get(key)

    def keys(self, obj: dict[str, Any], path: Path, allowed: tuple[str, ...]) -> None:
        """A problem for every key of obj that is not allowed (a typo, most likely)."""
        if not self.strict:
            return
        dotted = ".".join(str(p) for p in path if not isinstance(p, int))
        if not path:
            where, kind = "the sections are", "section"
        elif isinstance(path[-1], int):
            where, kind = f"allowed in each `{dotted}` entry", "key"
        else:
            where, kind = f"allowed in `{dotted}`", "key"
        for key in obj:
            if key not in allowed:
                self.add((*path, key), key, f"unknown {kind}; {one_of(key, allowed, where)}")
                if not path:
                    self._unknown_sections.append(str(key))

    def misspelt(self, section: str) -> str | None:
        """The unknown top-level key that looks like a misspelling of section, if any (checked
        by `keys` before)."""
        close = difflib.get_close_matches(section, self._unknown_sections, n=1)
        return close[0] if close else None

    def unknown_ref(
        self, path: Path, value: object, what: str, known: Collection[str], section: str
    ) -> None:
        """A reference to an id that the document does not define.

        When the section that defines these ids is missing or gave no valid id, each reference
        would fail the same way: they are reported once, by `finish`, instead of one by one.
        """
        ids = sorted(k for k in known if k)
        if not ids:
            self._dangling.setdefault(section, []).append(_Dangling(path, value, what))
            return
        self.add(path, value, f"unknown {what}; {one_of(value, ids, 'known')}")

    def finish(self) -> list[Problem]:
        """Every problem, with one problem per section whose references could not be checked."""
        for section, refs in self._dangling.items():
            first = refs[0]
            data = self.doc.data if isinstance(self.doc.data, dict) else {}
            if section in data:
                why = f"the `{section}` section has problems (listed here too) and no valid id"
            else:
                why = f"the file has no `{section}` section"
                typo = self.misspelt(section)
                if typo:
                    why += f" (is `{typo}` meant to be it?)"
            others = len(refs) - 1
            also = (
                f"; {others} more reference{'s' if others > 1 else ''} to {section} "
                "cannot be checked either"
                if others
                else ""
            )
            self.add(
                first.path,
                first.value,
                f"cannot check this {first.what}: {why}{also}. Add the section "
                "(docs/change.md) or fix its problems, then import again",
            )
        self._dangling.clear()
        return self.problems

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
            # A misspelt section has been reported with a suggestion already: once is enough.
            if required and not (not path and self.misspelt(key)):
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

    def entries(
        self,
        obj: dict[str, Any],
        key: str,
        path: Path,
        allowed: tuple[str, ...],
        required: bool = False,
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """items(), each entry's keys checked against `allowed` before it is handed over."""
        for p, entry in self.items(obj, key, path, required):
            self.keys(entry, p, allowed)
            yield p, entry

    def identified(
        self, obj: dict[str, Any], key: str, allowed: tuple[str, ...], required: bool = False
    ) -> Iterator[tuple[Path, dict[str, Any], str]]:
        """entries() of the section `key`, each with its `id` (a problem when it is missing,
        not an id, or already used in the section)."""
        seen: set[str] = set()
        for p, entry in self.entries(obj, key, (), allowed, required):
            yield p, entry, self.ident(entry, "id", p, seen)

    def text(self, obj: dict[str, Any], key: str, path: Path, required: bool = True) -> str:
        """A non-empty text (numbers are accepted and turned into text)."""
        value = obj.get(key)
        if value is None and (not required or (not path and self.misspelt(key))):
            return ""  # optional, or a misspelt section already reported with a suggestion
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
            self.add((*path, key), value, one_of(value, options))
            return default
        return str(value)

    def refs(
        self, value: Any, path: Path, known: set[str], what: str, section: str
    ) -> tuple[str, ...]:
        """A list of ids (or one id) that must all be in known (the ids defined in section)."""
        if value is None:
            return ()
        raw = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
        if not isinstance(raw, list):
            self.add(path, value, f"must be a list of {what} ids")
            return ()
        out: list[str] = []
        for i, v in enumerate(raw):
            sv = str(v) if isinstance(v, str | int) and not isinstance(v, bool) else None
            p = (*path, i) if isinstance(value, list) else path
            if sv is None:
                self.add(p, v, f"must be a {what} id")
            elif sv not in known:
                self.unknown_ref(p, v, what, known, section)
            elif sv not in out:
                out.append(sv)
        return tuple(out)
