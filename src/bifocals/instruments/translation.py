"""Instrument translations: a YAML file beside the instrument, `<id>.<lang>.yaml`, that gives
every item, open question and scale label in another language.

A translation only replaces texts; ids, dimensions, sides and reverse keys stay those of the
instrument, so answers given in any language score alike. It must be complete: an item or open
question of the instrument that the file lacks, or an id the instrument does not have, is an
error naming the id and the file. An instrument without a file for a language is shown in
English (the language of its own file).
"""

from __future__ import annotations

import dataclasses
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from bifocals.errors import Problem, ValidationError
from bifocals.instruments.loader import MAX_TEXT, Check
from bifocals.instruments.model import Instrument, Item, OpenQuestion, RatingScale
from bifocals.yamlsource import Located, load_located, load_located_file

# The languages bifocals ships texts for; English is the language instruments are written in.
LANGUAGES = ("en", "de", "fr", "es")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
TOP_KEYS = (
    "instrument",
    "language",
    "name",
    "description",
    "instructions",
    "scale",
    "items",
    "open_questions",
)
SCALE_KEYS = ("labels", "not_observed")


def is_translation_name(filename: str) -> bool:
    """Whether a file name is that of a translation (`<id>.<lang>.yaml`), not an instrument."""
    parts = filename.split(".")
    return len(parts) == 3 and parts[2] in ("yaml", "yml") and parts[1] in LANGUAGES


def check_language(value: object, source: str = "language", line: int | None = None) -> str:
    """A supported language code, or a ValidationError naming the value and the choices."""
    if isinstance(value, str) and value.strip().lower() in LANGUAGES:
        return value.strip().lower()
    raise ValidationError(
        [
            Problem(
                source,
                line,
                "language",
                value,
                f"unknown language; use one of {', '.join(LANGUAGES)}",
            )
        ],
        "unknown language",
    )


class _Check(Check):
    """Check, with the id -> text mappings of a translation."""

    def texts(self, raw: Any, key: str, wanted: tuple[str, ...], kind: str) -> dict[str, str]:
        """The mapping id -> text under `key`: every id in `wanted`, no other."""
        if not isinstance(raw, dict):
            self.add((key,), raw, f"required: a mapping from each {kind} id to its text")
            return {}
        out: dict[str, str] = {}
        for iid, text in raw.items():
            if iid not in wanted:
                self.add(
                    (key, iid),
                    iid,
                    f"the instrument has no {kind} {iid!r}; remove it or fix the id",
                )
                continue
            out[iid] = self.value_text(text, (key, iid), MAX_TEXT)
        for iid in wanted:
            if iid not in raw:
                self.add(
                    (key,),
                    iid,
                    f"{kind} {iid} is not translated; add '{iid}: <text>' under {key}",
                )
        return out


def translation_from_located(doc: Located, base: Instrument, language: str) -> Instrument:
    """The instrument `base` with the texts of the translation `doc`, or every problem raised."""
    data = doc.mapping("translation")
    c = _Check(doc)
    c.keys(data, (), TOP_KEYS)
    if data.get("instrument") != base.id:
        c.add(("instrument",), data.get("instrument"), f"must be the instrument id {base.id!r}")
    if data.get("language") != language:
        c.add(("language",), data.get("language"), f"must be {language!r}, as in the file name")
    name = c.text(data, (), "name")
    description = c.text(data, (), "description") if base.description else ""
    instructions = c.text(data, (), "instructions") if base.instructions else ""
    scale_raw = data.get("scale")
    labels: list[str] = []
    not_observed = ""
    if not isinstance(scale_raw, dict):
        c.add(("scale",), scale_raw, "required: a mapping with labels and not_observed")
    else:
        for key in scale_raw:
            if key not in SCALE_KEYS:
                c.add(("scale", key), scale_raw[key], "unknown field; known: labels, not_observed")
        raw_labels = scale_raw.get("labels")
        points = len(base.scale.labels)
        if not isinstance(raw_labels, list) or len(raw_labels) != points:
            c.add(
                ("scale", "labels"), raw_labels, f"needs exactly {points} labels, as the instrument"
            )
        else:
            labels = [c.value_text(x, ("scale", "labels", i)) for i, x in enumerate(raw_labels)]
        not_observed = c.text(scale_raw, ("scale",), "not_observed")
    items = c.texts(data.get("items"), "items", base.item_ids, "item")
    questions = c.texts(
        data.get("open_questions"), "open_questions", base.question_ids, "open question"
    )
    if c.problems:
        raise ValidationError(c.problems, f"invalid translation {doc.source}")
    return dataclasses.replace(
        base,
        name=name,
        description=description,
        instructions=instructions,
        scale=RatingScale(base.scale.min, base.scale.max, tuple(labels), not_observed),
        items=tuple(Item(i.id, i.dimension, i.side, items[i.id], i.reverse) for i in base.items),
        open_questions=tuple(OpenQuestion(q.id, questions[q.id]) for q in base.open_questions),
    )


def load_translation(path: str | Path, base: Instrument, language: str | None = None) -> Instrument:
    """Load a translation file of `base`; the language is read from the file name by default."""
    p = Path(path)
    lang = language or p.name.split(".")[-2]
    return translation_from_located(load_located_file(p), base, lang)


@cache
def _builtin_text(instrument_id: str, language: str) -> tuple[str, str] | None:
    ref = resources.files("bifocals.instruments").joinpath(f"data/{instrument_id}.{language}.yaml")
    if not ref.is_file():
        return None
    return ref.read_text(
        encoding="utf-8"
    ), f"bifocals:instruments/data/{instrument_id}.{language}.yaml"


def _user_file(instrument_id: str, language: str) -> Path | None:
    from bifocals.instruments.catalogue import PATH_ENV

    for folder in os.environ.get(PATH_ENV, "").split(os.pathsep):
        if folder.strip():
            for suffix in ("yaml", "yml"):
                p = Path(folder) / f"{instrument_id}.{language}.{suffix}"
                if p.is_file():
                    return p
    return None


@cache
def _builtin_translation(base: Instrument, language: str) -> Instrument | None:
    found = _builtin_text(base.id, language)
    if found is None:
        return None
    text, source = found
    return translation_from_located(load_located(text, source), base, language)


def translation_languages(base: Instrument) -> tuple[str, ...]:
    """The languages `base` can be shown in: English and those with a translation file that
    loads (a file with problems is left out here; `translated` raises them)."""
    out = []
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            out.append(lang)
            continue
        if _builtin_text(base.id, lang) is None and _user_file(base.id, lang) is None:
            continue
        try:
            translated(base, lang)
        except ValidationError:
            continue
        out.append(lang)
    return tuple(out)


def translated(base: Instrument, language: str | None) -> Instrument:
    """`base` in `language` (English, or a language without a translation file: `base` itself).

    Built-in translations are parsed once per process; a user's file (in a folder named by
    BIFOCALS_INSTRUMENT_PATH, beside the instrument) is read each time, so edits show at once.
    """
    if not language or language == DEFAULT_LANGUAGE:
        return base
    lang = check_language(language)
    user = _user_file(base.id, lang)
    if user is not None:
        return load_translation(user, base, lang)
    return _builtin_translation(base, lang) or base
