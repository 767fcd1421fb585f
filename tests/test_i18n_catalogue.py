"""Every UI text of the translated templates and modules is in the German, French and Spanish
catalogues, with the same placeholders; the catalogues compile from a fresh clone."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

from bifocals.framework import default_framework
from bifocals.locale import LOCALE_DIR, gettext_for, translations
from bifocals.locale.extract import SOURCES, extract_catalog, missing, read_catalog, source_files
from bifocals.locale.names import (
    DIMENSION_NAMES,
    FRAMEWORK_TEXTS,
    GROUP_NAMES,
    QUADRANT_NAMES,
    RATER_GROUP_LABELS,
    READINESS_SCALE,
    READINESS_TEXTS,
    framework_texts,
)
from bifocals.scoring.model import (
    DEVELOPING_BOTH,
    GROUP_LABELS,
    LEADS_AND_MANAGES,
    LEADS_MORE,
    MANAGES_MORE,
)
from bifocals.services import people, readiness_links

LANGS = ("de", "fr", "es")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract_catalog()


def test_the_sources_exist_and_hold_texts(template: Catalog) -> None:
    found = {str(p.relative_to(LOCALE_DIR.parent)) for p, _ in source_files()}
    for pattern, _method in SOURCES:
        assert any(re.fullmatch(pattern.replace("*", "[^/]*"), f) for f in found), pattern
    assert len([m for m in template if m.id]) > 150


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_is_translated(template: Catalog, lang: str) -> None:
    gaps = missing(template, lang)
    assert not gaps, f"{lang}: untranslated (run python -m bifocals.locale.extract): {gaps}"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for msg in read_catalog(lang):
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, (lang, ids[0], s)
            # a literal % of a template text is written %% on both sides
            assert ids[0].count("%%") == 0 or "%%" in s, (lang, ids[0], s)


def test_a_new_text_without_translations_is_caught(template: Catalog) -> None:
    extended = extract_catalog()
    extended.add("A sentence added to a template today", locations=[("web/x.html", 1)])
    for lang in LANGS:
        assert missing(extended, lang) == ["A sentence added to a template today"]


def test_names_listed_for_the_catalogue_are_the_frameworks() -> None:
    assert tuple(d.name for d in default_framework().dimensions) == DIMENSION_NAMES
    assert set(GROUP_LABELS.values()) == set(GROUP_NAMES)
    assert {LEADS_AND_MANAGES, LEADS_MORE, MANAGES_MORE, DEVELOPING_BOTH} == set(QUADRANT_NAMES)
    assert framework_texts(default_framework()) == FRAMEWORK_TEXTS


def test_texts_listed_for_the_catalogue_are_the_services() -> None:
    assert tuple(people.GROUP_LABELS.values()) == RATER_GROUP_LABELS
    questions = readiness_links.QUESTIONS
    assert tuple(t for _, topic, statement in questions for t in (topic, statement)) == (
        READINESS_TEXTS
    )
    assert tuple(label for _, label in readiness_links.SCALE) == READINESS_SCALE


def test_catalogues_compile_from_po_without_a_build_step() -> None:
    for lang in LANGS:
        mo = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo"
        po = mo.with_suffix(".po")
        assert po.is_file()
        if not mo.is_file():  # a fresh clone: compiled in memory from the .po
            assert translations(lang).gettext("Send my answers") != "Send my answers"
    assert gettext_for("de")("Send my answers") == "Meine Antworten senden"
    assert gettext_for("en")("Send my answers") == "Send my answers"
    assert gettext_for("xx")("Send my answers") == "Send my answers"
