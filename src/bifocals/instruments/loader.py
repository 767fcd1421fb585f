"""Load and validate instrument YAML files; every problem names file, line, field and value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bifocals.errors import Problem, ValidationError
from bifocals.framework import SIDES, Framework, Side, default_framework
from bifocals.instruments.model import Instrument, Item, OpenQuestion, RatingScale
from bifocals.yamlsource import Located, load_located, load_located_file

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
ITEM_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
# Ids written as CODE-L1 / CODE-M1 must carry the letter of their side.
SIDE_LETTER_RE = re.compile(r"^[A-Za-z0-9]+-([LM])\d+$")
VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}$")
MAX_TEXT = 200
TOP_KEYS = (
    "id",
    "version",
    "name",
    "license",
    "framework",
    "description",
    "instructions",
    "scale",
    "items",
    "open_questions",
)
SCALE_KEYS = ("min", "max", "labels", "not_observed")
ITEM_KEYS = ("id", "dimension", "side", "text", "reverse")
QUESTION_KEYS = ("id", "text")

Path_ = tuple[str | int, ...]


class Check:
    """Collects problems for one document while its parts are validated."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: Path_, value: object, message: str) -> None:
        self.problems.append(self.doc.problem(path, value, message))

    def keys(self, obj: dict[str, Any], path: Path_, known: tuple[str, ...]) -> None:
        for key in obj:
            if key not in known:
                self.add((*path, key), obj[key], f"unknown field; known fields: {', '.join(known)}")

    def entries(
        self, raw: list[Any], key: str, known: tuple[str, ...], not_mapping: str
    ) -> Iterator[tuple[Path_, dict[str, Any]]]:
        """The entries of the list under `key` that are mappings, each with its path, after
        their unknown fields are reported; any other entry is the problem `not_mapping`."""
        for i, entry in enumerate(raw):
            path: Path_ = (key, i)
            if isinstance(entry, dict):
                self.keys(entry, path, known)
                yield path, entry
            else:
                self.add(path, entry, not_mapping)

    def value_text(self, value: Any, path: Path_, limit: int | None = None) -> str:
        """A non-empty text with its white space folded (a problem when it is none, or
        longer than `limit`)."""
        if not isinstance(value, str) or not value.strip():
            self.add(path, value, "required: a non-empty text")
            return ""
        if limit is not None and len(value.strip()) > limit:
            self.add(path, value, f"too long: keep it under {limit} characters")
        return " ".join(value.split())

    def text(self, obj: dict[str, Any], path: Path_, key: str, required: bool = True) -> str:
        """value_text of obj[key]; an item's `text` is kept under MAX_TEXT."""
        value = obj.get(key)
        if not required and (value is None or value == ""):
            return ""
        return self.value_text(value, (*path, key), MAX_TEXT if key == "text" else None)


def _scale(c: Check, raw: Any) -> RatingScale:
    path: Path_ = ("scale",)
    if not isinstance(raw, dict):
        c.add(path, raw, "required: a mapping with min, max, labels, not_observed")
        return RatingScale(1, 5, (), "")
    c.keys(raw, path, SCALE_KEYS)
    lo, hi = raw.get("min"), raw.get("max")
    points: int | None = None
    for key, value in (("min", lo), ("max", hi)):
        if not isinstance(value, int) or isinstance(value, bool):
            c.add((*path, key), value, "required: a whole number")
    if isinstance(lo, int) and isinstance(hi, int):
        if 3 <= hi - lo + 1 <= 11:
            points = hi - lo + 1
        else:
            c.add((*path, "max"), hi, "the scale must have 3 to 11 points (max - min + 1)")
    labels_raw = raw.get("labels")
    labels: list[str] = []
    if not isinstance(labels_raw, list):
        c.add((*path, "labels"), labels_raw, "required: a list with one label per scale point")
    else:
        for i, label in enumerate(labels_raw):
            if not isinstance(label, str) or not label.strip():
                c.add((*path, "labels", i), label, "must be a non-empty text")
            else:
                labels.append(label.strip())
        if points is not None and len(labels_raw) != points:
            c.add(
                (*path, "labels"),
                labels_raw,
                f"needs exactly {points} labels, one per point from min to max",
            )
        if len({x.lower() for x in labels}) != len(labels):
            c.add((*path, "labels"), labels_raw, "labels must differ from one another")
    not_observed = c.text(raw, path, "not_observed")
    if not_observed.lower() in {x.lower() for x in labels}:
        c.add((*path, "not_observed"), not_observed, "must differ from every scale label")
    return RatingScale(
        lo if isinstance(lo, int) else 1,
        hi if isinstance(hi, int) else 5,
        tuple(labels),
        not_observed,
    )


def _item_id(c: Check, raw: Any, path: Path_, seen: dict[str, Path_]) -> str:
    if not isinstance(raw, str) or not ITEM_ID_RE.match(raw):
        c.add(path, raw, "required: an id of letters, digits, '-', '_' or '.' (at most 32)")
        return ""
    if raw in seen:
        first = c.doc.line(seen[raw])
        c.add(path, raw, f"duplicate id (first used on line {first}); ids must be unique")
    else:
        seen[raw] = path
    return raw


def _items(c: Check, raw: Any, fw: Framework, seen: dict[str, Path_]) -> list[Item]:
    if not isinstance(raw, list) or not raw:
        c.add(("items",), raw, "required: a list of rating items")
        return []
    out: list[Item] = []
    mapping = "each item must be a mapping with id, dimension, side, text"
    for path, it in c.entries(raw, "items", ITEM_KEYS, mapping):
        iid = _item_id(c, it.get("id"), (*path, "id"), seen)
        dim = it.get("dimension")
        if dim not in fw.dimension_ids:
            c.add(
                (*path, "dimension"),
                dim,
                f"not a dimension of framework {fw.id!r}; use one of {', '.join(fw.dimension_ids)}",
            )
        side = it.get("side")
        if side not in SIDES:
            c.add((*path, "side"), side, f"must be one of {', '.join(SIDES)}")
        else:
            m = SIDE_LETTER_RE.match(iid)
            if m and m.group(1) != side[0].upper():
                c.add(
                    (*path, "id"),
                    iid,
                    f"the id's side letter says {m.group(1)} but side is {side}; fix one of them",
                )
        reverse = it.get("reverse", False)
        if not isinstance(reverse, bool):
            c.add((*path, "reverse"), reverse, "must be true or false")
            reverse = False
        text = c.text(it, path, "text")
        side_ok: Side = side if side in SIDES else "leadership"
        out.append(Item(iid, str(dim), side_ok, text, reverse))
    return out


def _questions(c: Check, raw: Any, seen: dict[str, Path_]) -> list[OpenQuestion]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.add(("open_questions",), raw, "must be a list of open questions (id, text)")
        return []
    mapping = "each open question must be a mapping with id and text"
    return [
        OpenQuestion(_item_id(c, q.get("id"), (*path, "id"), seen), c.text(q, path, "text"))
        for path, q in c.entries(raw, "open_questions", QUESTION_KEYS, mapping)
    ]


def _coverage(c: Check, items: list[Item], fw: Framework) -> None:
    present = {(i.dimension, i.side) for i in items}
    missing = [f"{d}/{s}" for d in fw.dimension_ids for s in SIDES if (d, s) not in present]
    if items and missing:
        c.add(
            ("items",),
            ", ".join(missing),
            "every dimension needs at least one item on each side (two separate scales); "
            "add items for the scales listed",
        )


def instrument_from_located(doc: Located, framework: Framework | None = None) -> Instrument:
    """Validate a parsed document against the schema and a framework, or raise every problem."""
    fw = framework or default_framework()
    data = doc.mapping("instrument")
    c = Check(doc)
    c.keys(data, (), TOP_KEYS)
    iid = data.get("id")
    if not isinstance(iid, str) or not ID_RE.match(iid):
        c.add(("id",), iid, "required: lower-case id (letters, digits, _), 2 to 40 characters")
    version = data.get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        hint = " (quote it: '1.0')" if isinstance(version, int | float) else ""
        c.add(("version",), version, f"required: a version text such as '1.0'{hint}")
    fw_id = data.get("framework", fw.id)
    if fw_id != fw.id:
        c.add(
            ("framework",),
            fw_id,
            f"this instrument is written for another framework; the framework in use is {fw.id!r}",
        )
    name = c.text(data, (), "name")
    license_ = c.text(data, (), "license")
    scale = _scale(c, data.get("scale"))
    seen: dict[str, Path_] = {}
    items = _items(c, data.get("items"), fw, seen)
    questions = _questions(c, data.get("open_questions"), seen)
    _coverage(c, items, fw)
    description = c.text(data, (), "description", required=False)
    instructions = c.text(data, (), "instructions", required=False)
    if c.problems:
        raise ValidationError(c.problems, f"invalid instrument {doc.source}")
    return Instrument(
        id=str(iid),
        version=str(version),
        name=name,
        license=license_,
        framework_id=fw.id,
        scale=scale,
        items=tuple(items),
        open_questions=tuple(questions),
        description=description,
        instructions=instructions,
    )


def load_instrument(path: str | Path, framework: Framework | None = None) -> Instrument:
    """Load a user's instrument file (validated against `framework`, default: the built-in)."""
    return instrument_from_located(load_located_file(path), framework)


def load_instrument_text(
    text: str, source: str = "<text>", framework: Framework | None = None
) -> Instrument:
    """Load an instrument from YAML or JSON text (a stored snapshot, a test, a notebook)."""
    return instrument_from_located(load_located(text, source), framework)


def instrument_to_data(inst: Instrument) -> dict[str, Any]:
    """The instrument in its file schema (JSON-ready); load_instrument_text reads it back."""
    return {
        "id": inst.id,
        "version": inst.version,
        "name": inst.name,
        "license": inst.license,
        "framework": inst.framework_id,
        "description": inst.description,
        "instructions": inst.instructions,
        "scale": {
            "min": inst.scale.min,
            "max": inst.scale.max,
            "labels": list(inst.scale.labels),
            "not_observed": inst.scale.not_observed_label,
        },
        "items": [
            {
                "id": i.id,
                "dimension": i.dimension,
                "side": i.side,
                "reverse": i.reverse,
                "text": i.text,
            }
            for i in inst.items
        ],
        "open_questions": [{"id": q.id, "text": q.text} for q in inst.open_questions],
    }
