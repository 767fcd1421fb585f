"""Find instruments by id: the built-in ones plus users' files on BIFOCALS_INSTRUMENT_PATH.

A user's own instrument is found by its id everywhere an instrument id is accepted, once its
YAML file sits in a folder named by BIFOCALS_INSTRUMENT_PATH (folders separated like PATH).
A path to a .yaml/.yml file is accepted wherever an id is, too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import yaml

from bifocals.errors import Problem, ValidationError
from bifocals.instruments.loader import (
    instrument_from_located,
    instrument_to_data,
    load_instrument,
    load_instrument_text,
)
from bifocals.instruments.model import Instrument
from bifocals.instruments.translation import is_translation_name
from bifocals.yamlsource import load_located

DEFAULT_INSTRUMENT = "bifocals_open_360"
PATH_ENV = "BIFOCALS_INSTRUMENT_PATH"


def _builtin_names() -> tuple[str, ...]:
    data = resources.files("bifocals.instruments").joinpath("data")
    return tuple(
        sorted(
            p.name[:-5]
            for p in data.iterdir()
            if p.name.endswith(".yaml") and not is_translation_name(p.name)
        )
    )


# Built-in instruments: one file per instrument under instruments/data/, named by its id.
BUILTIN = _builtin_names()


@dataclass(frozen=True)
class Entry:
    """An instrument and where it was read from (a file path, or bifocals:... if built in)."""

    instrument: Instrument
    source: str


@cache
def _builtin(name: str) -> Instrument:
    """A built-in instrument, parsed once per process (instruments are immutable)."""
    ref = resources.files("bifocals.instruments").joinpath(f"data/{name}.yaml")
    text = ref.read_text(encoding="utf-8")
    return instrument_from_located(load_located(text, f"bifocals:instruments/data/{name}.yaml"))


def _user_files() -> list[Path]:
    files: list[Path] = []
    for folder in os.environ.get(PATH_ENV, "").split(os.pathsep):
        if folder.strip():
            base = Path(folder)
            files += sorted(
                p
                for p in base.glob("*.y*ml")
                if p.suffix in (".yaml", ".yml") and not is_translation_name(p.name)
            )
    return files


def catalogue() -> list[Entry]:
    """Every instrument that can be used by id: built-in first, then the user's folders."""
    entries = [Entry(_builtin(n), f"bifocals:instruments/data/{n}.yaml") for n in BUILTIN]
    seen = {e.instrument.id: e.source for e in entries}
    for path in _user_files():
        inst = load_instrument(path)
        if inst.id in seen:
            raise ValidationError(
                [
                    Problem(
                        str(path),
                        None,
                        "id",
                        inst.id,
                        f"the id is already used by {seen[inst.id]}; give this instrument "
                        "its own id",
                    )
                ],
                f"two instruments share the id {inst.id!r}",
            )
        seen[inst.id] = str(path)
        entries.append(Entry(inst, str(path)))
    return entries


def list_instruments() -> list[Instrument]:
    """The built-in instruments and those in the folders on BIFOCALS_INSTRUMENT_PATH."""
    return [e.instrument for e in catalogue()]


def get_instrument(id: str | None = None) -> Instrument:
    """An instrument by id (default: the bifocals open 360), or by the path of its YAML file."""
    key = id or DEFAULT_INSTRUMENT
    if key in BUILTIN:
        return _builtin(key)
    if key.endswith((".yaml", ".yml")) and Path(key).is_file():
        return load_instrument(key)
    entries = catalogue()
    for e in entries:
        if e.instrument.id == key:
            return e.instrument
    known = ", ".join(e.instrument.id for e in entries)
    raise ValidationError(
        [
            Problem(
                "instrument id",
                None,
                "instrument",
                key,
                f"unknown instrument; known: {known}. To use your own, put its YAML file in a "
                f"folder named by {PATH_ENV} or give the file's path",
            )
        ],
        "unknown instrument",
    )


def instrument_snapshot(inst: Instrument) -> str | None:
    """The YAML a campaign keeps of an instrument that is not built in (None for built-in ones).

    With it the campaign stays usable after the instrument's file moves or the folders named by
    BIFOCALS_INSTRUMENT_PATH change.
    """
    if inst.id in BUILTIN and _builtin(inst.id) == inst:
        return None
    return yaml.safe_dump(instrument_to_data(inst), sort_keys=False, allow_unicode=True)


def campaign_instrument(instrument_id: str, snapshot: str | None) -> Instrument:
    """A campaign's instrument: its stored copy when it has one, else the instrument by id."""
    if snapshot is None:
        return get_instrument(instrument_id)
    return _from_snapshot(instrument_id, snapshot)


@lru_cache(maxsize=64)
def _from_snapshot(instrument_id: str, snapshot: str) -> Instrument:
    source = f"the copy of instrument {instrument_id!r} stored with the campaign"
    return load_instrument_text(snapshot, source)
