"""Load and validate framework YAML files; every problem names file, line and field."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

from bifocals.errors import Problem, ValidationError
from bifocals.framework.model import SIDES, Dimension, Framework, SideSpec, SourceRef
from bifocals.yamlsource import Located, load_located, load_located_file

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
SOURCE_KINDS = ("seed", "kotter", "bennis", "zaleznik", "mintzberg", "bass", "other")


def _text(
    doc: Located,
    obj: dict[str, Any],
    path: tuple[str | int, ...],
    key: str,
    problems: list[Problem],
) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(doc.problem((*path, key), value, "required: a non-empty text"))
        return ""
    return value.strip()


def _side(doc: Located, raw: Any, path: tuple[str | int, ...], problems: list[Problem]) -> SideSpec:
    if not isinstance(raw, dict):
        problems.append(
            doc.problem(path, raw, "required: a mapping with label, description, behaviours")
        )
        return SideSpec("", "", ())
    behaviours = raw.get("behaviours")
    items: list[str] = []
    if not isinstance(behaviours, list) or len(behaviours) < 2:
        problems.append(
            doc.problem(
                (*path, "behaviours"),
                behaviours,
                "required: a list of at least 2 observable behaviours",
            )
        )
    else:
        for i, b in enumerate(behaviours):
            if not isinstance(b, str) or not b.strip():
                problems.append(
                    doc.problem((*path, "behaviours", i), b, "must be a non-empty text")
                )
            else:
                items.append(b.strip())
    return SideSpec(
        _text(doc, raw, path, "label", problems),
        _text(doc, raw, path, "description", problems),
        tuple(items),
    )


def _sources(
    doc: Located, raw: Any, path: tuple[str | int, ...], problems: list[Problem]
) -> tuple[SourceRef, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(
            doc.problem(path, raw, "required: a list of at least one source (kind, ref, note)")
        )
        return ()
    out: list[SourceRef] = []
    for i, s in enumerate(raw):
        p = (*path, i)
        if not isinstance(s, dict):
            problems.append(doc.problem(p, s, "must be a mapping with kind, ref, note"))
            continue
        kind = s.get("kind")
        if kind not in SOURCE_KINDS:
            problems.append(
                doc.problem((*p, "kind"), kind, f"must be one of {', '.join(SOURCE_KINDS)}")
            )
        out.append(
            SourceRef(
                str(kind), _text(doc, s, p, "ref", problems), _text(doc, s, p, "note", problems)
            )
        )
    return tuple(out)


def framework_from_located(doc: Located) -> Framework:
    """Validate a parsed document and build a Framework, or raise with every problem found."""
    problems: list[Problem] = []
    data = doc.mapping("framework")
    fid = data.get("id")
    if not isinstance(fid, str) or not ID_RE.match(fid):
        problems.append(doc.problem(("id",), fid, "required: lower-case id (letters, digits, _)"))
    version = data.get("version")
    if not isinstance(version, str | int | float) or isinstance(version, bool):
        problems.append(doc.problem(("version",), version, "required: a version such as '1.0'"))
    dims_raw = data.get("dimensions")
    dims: list[Dimension] = []
    if not isinstance(dims_raw, list) or not dims_raw:
        problems.append(doc.problem(("dimensions",), dims_raw, "required: a list of dimensions"))
        dims_raw = []
    seen: set[str] = set()
    for i, d in enumerate(dims_raw):
        path: tuple[str | int, ...] = ("dimensions", i)
        if not isinstance(d, dict):
            problems.append(doc.problem(path, d, "each dimension must be a mapping"))
            continue
        did = d.get("id")
        if not isinstance(did, str) or not ID_RE.match(did):
            problems.append(
                doc.problem((*path, "id"), did, "required: lower-case id (letters, digits, _)")
            )
            did = ""
        elif did in seen:
            problems.append(
                doc.problem((*path, "id"), did, "duplicate dimension id; ids must be unique")
            )
        seen.add(did)
        sides = {s: _side(doc, d.get(s), (*path, s), problems) for s in SIDES}
        dims.append(
            Dimension(
                id=did,
                name=_text(doc, d, path, "name", problems),
                summary=_text(doc, d, path, "summary", problems),
                leadership=sides["leadership"],
                management=sides["management"],
                sources=_sources(doc, d.get("sources"), (*path, "sources"), problems),
            )
        )
    name = _text(doc, data, (), "name", problems)
    description = _text(doc, data, (), "description", problems)
    if problems:
        raise ValidationError(problems, f"invalid framework {doc.source}")
    return Framework(str(fid), name, str(version), description, tuple(dims))


def load_framework(path: str | Path) -> Framework:
    """Load a user's framework file."""
    return framework_from_located(load_located_file(path))


def load_framework_text(text: str, source: str = "<text>") -> Framework:
    """Load a framework from YAML text (handy in tests and notebooks)."""
    return framework_from_located(load_located(text, source))


@functools.cache
def default_framework() -> Framework:
    """The framework that ships with bifocals (framework/data/default.yaml), parsed once.

    Framework objects are frozen, so one cached instance is safe to share.
    """
    ref = resources.files("bifocals.framework").joinpath("data/default.yaml")
    return framework_from_located(
        load_located(ref.read_text(encoding="utf-8"), "bifocals:framework/data/default.yaml")
    )
