"""Questionnaires: items tied to a framework dimension and side, a rating scale, open questions."""

from bifocals.instruments.catalogue import (
    DEFAULT_INSTRUMENT,
    PATH_ENV,
    Entry,
    catalogue,
    get_instrument,
    list_instruments,
)
from bifocals.instruments.loader import (
    instrument_from_located,
    instrument_to_data,
    load_instrument,
    load_instrument_text,
)
from bifocals.instruments.model import Instrument, Item, OpenQuestion, RatingScale
from bifocals.instruments.translation import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    load_translation,
    translated,
    translation_languages,
)

__all__ = [
    "DEFAULT_INSTRUMENT",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "PATH_ENV",
    "Entry",
    "Instrument",
    "Item",
    "OpenQuestion",
    "RatingScale",
    "catalogue",
    "get_instrument",
    "instrument_from_located",
    "instrument_to_data",
    "list_instruments",
    "load_instrument",
    "load_instrument_text",
    "load_translation",
    "translated",
    "translation_languages",
]
