"""The questionnaire part of the survey page, rendered once per instrument and reused.

The page of the open 360 holds 56 items of 6 radio buttons each: rendering them with Jinja on
every request was most of the survey's CPU time under load (about 20 ms of a 30 ms page). An
item's HTML depends only on the instrument and on which answer is checked, so each item is
rendered once per possible answer (the scale's points, "not observed" and none) when an
instrument is first shown, and the page joins the cached pieces. Only an item carrying an error
message (after a refused submit) is rendered anew.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from bifocals.framework import default_framework
from bifocals.instruments.model import Instrument, Item
from bifocals.locale.names import framework_name
from bifocals.services.survey_answers import FIELD_PREFIX, NOT_OBSERVED
from bifocals.web.deps import templates

ITEM_TEMPLATE = "survey/item.html"
_BUILDING = threading.Lock()


@dataclass(frozen=True)
class CachedItem:
    """One item's fieldset for every answer: key None is the item with nothing checked."""

    item: Item
    variants: Mapping[str | None, Markup]

    def html(self, chosen: str | None) -> Markup:
        """The fieldset with `chosen` checked (nothing checked for a value it does not know)."""
        return self.variants.get(chosen, self.variants[None])


@dataclass(frozen=True)
class CachedSection:
    """A run of items of one dimension, under the dimension's name."""

    title: str
    items: tuple[CachedItem, ...]


@lru_cache(maxsize=8)
def _dimension_names(framework_id: str) -> dict[str, str]:
    framework = default_framework()  # parsed from YAML once per process
    if framework.id != framework_id:
        return {}
    return {d.id: d.name for d in framework.dimensions}


def _points(instrument: Instrument) -> list[tuple[int, str]]:
    scale = instrument.scale
    return list(zip(range(scale.min, scale.max + 1), scale.labels, strict=True))


def item_html(instrument: Instrument, item: Item, chosen: str | None, err: str | None) -> Markup:
    """One item's fieldset, rendered now."""
    html = templates.env.get_template(ITEM_TEMPLATE).render(
        item=item,
        chosen=chosen,
        err=err,
        points=_points(instrument),
        na=NOT_OBSERVED,
        na_label=instrument.scale.not_observed_label,
        prefix=FIELD_PREFIX,
    )
    # The template environment autoescapes: every value in it is escaped already.
    return Markup(html)


@lru_cache(maxsize=32)
def _build(instrument: Instrument, language: str) -> tuple[CachedSection, ...]:
    names = _dimension_names(instrument.framework_id)
    choices: list[str | None] = [None, NOT_OBSERVED]
    choices += [str(v) for v in range(instrument.scale.min, instrument.scale.max + 1)]
    sections: list[tuple[str, list[CachedItem]]] = []
    for item in instrument.items:
        title = names.get(item.dimension, item.dimension.replace("_", " ").capitalize())
        title = framework_name(title, language)
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        variants = {c: item_html(instrument, item, c, None) for c in choices}
        sections[-1][1].append(CachedItem(item, variants))
    return tuple(CachedSection(title, tuple(items)) for title, items in sections)


def cached_sections(instrument: Instrument, language: str = "en") -> tuple[CachedSection, ...]:
    """The instrument's items by section, rendered (the first caller renders, others wait);
    `instrument` is already in `language`, which names the sections."""
    with _BUILDING:
        return _build(instrument, language)


def questionnaire(
    instrument: Instrument,
    answers: Mapping[str, str],
    errors: Mapping[str, str],
    language: str = "en",
) -> list[tuple[str, Markup]]:
    """(section title, the section's items as HTML) with the rater's answers checked."""
    out = []
    for section in cached_sections(instrument, language):
        parts = []
        for cached in section.items:
            item_id = cached.item.id
            err = errors.get(item_id)
            if err:
                parts.append(item_html(instrument, cached.item, answers.get(item_id), err))
            else:
                parts.append(cached.html(answers.get(item_id)))
        out.append((section.title, Markup("\n").join(parts)))
    return out
