"""The participant's report in German, French and Spanish: texts, instrument, numbers and dates
in the language; English exactly as before; comments in another language are never coded and
the report says how many there are (the analyzer reads English only)."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import pytest

from bifocals.framework import Framework
from bifocals.instruments import Instrument, translated
from bifocals.reports.comments import CommentCode
from bifocals.reports.individual import individual_report_html
from bifocals.scoring import CampaignScores
from bifocals.scoring.model import ReportedComment
from support.reports import scored_demo

Demo = tuple[CampaignScores, Framework, Instrument]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return scored_demo(tmp_path_factory.mktemp("demo"))


def words(html: str) -> str:
    html = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_english_is_unchanged_by_the_language_option(demo: Demo) -> None:
    scores, fw, inst = demo
    ps = scores.participants[0]
    plain = individual_report_html(scores, ps, fw, inst, generated="2026-12-04")
    assert plain == individual_report_html(
        scores, ps, fw, inst, generated="2026-12-04", language="en"
    )
    assert '<html lang="en">' in plain and "Report date</dt><dd>2026-12-04" in plain


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        (
            "fr",
            ("Comment lire ce rapport", "4 décembre 2026", "Date du rapport", "Prise de risque"),
        ),
        (
            "de",
            ("So lesen Sie diesen Bericht", "4. Dezember 2026", "Berichtsdatum", "Zeithorizont"),
        ),
        (
            "es",
            (
                "Cómo leer este informe",
                "4 de diciembre de 2026",
                "Fecha del informe",
                "Horizonte temporal",
            ),
        ),
    ],
)
def test_report_in_the_participants_language(
    demo: Demo,
    lang: str,
    phrases: tuple[str, ...],
) -> None:
    scores, fw, inst = demo
    html = individual_report_html(
        scores, scores.participants[0], fw, inst, generated="2026-12-04", language=lang
    )
    text = words(html)
    assert f'<html lang="{lang}">' in html
    for phrase in phrases:
        assert phrase in text, phrase
    tr = translated(inst, lang)
    assert ", ".join(tr.scale.labels) in text  # "What was measured" names the scale
    # decimal commas, no English sentence of the report's own
    assert re.search(r"\b\d,\d\b", text)
    for english in ("How to read this report", "At a glance", "Your own rating", "95% interval"):
        assert english not in text, english


def test_comments_in_another_language_stay_uncoded_and_are_counted(
    demo: Demo,
) -> None:
    scores, fw, inst = demo
    ps = scores.participants[0]
    french = "Elle donne une vision claire de l'équipe et nous laisse décider de la manière."
    german = "Sie hört zu und gibt uns die Freiheit, die Arbeit selbst zu planen."
    english = "Sets a clear direction and checks in with the team every week."
    comments = (
        ReportedComment("Peers", "Q1", french),
        ReportedComment("Peers", "Q1", german),
        ReportedComment("Peers", "Q1", english),
    )
    ps = dataclasses.replace(ps, comments=comments)
    # an analyzer result claiming every comment: the two foreign ones must not be filed
    codes = {c.text: CommentCode("leadership", "focus_goals", 0.99) for c in comments}
    html = individual_report_html(scores, ps, fw, inst, comment_codes=codes, language="fr")
    text = words(html)
    assert "2 commentaires ne sont pas rédigés en anglais" in text
    en_html = individual_report_html(scores, ps, fw, inst, comment_codes=codes)
    assert "2 comments are not written in English" in words(en_html)
    # the English comment is filed under its dimension, the others by question
    section = words(en_html).split("In their own words", 1)[1]
    assert section.index(english) < section.index(french)
    assert section.index(english) < section.index(german)
