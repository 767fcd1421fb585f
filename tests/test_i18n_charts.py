"""The report's charts in the participant's language: titles, axis words, legends, the
descriptions read aloud and their numbers; English exactly as before. The French gap sentence
says "point" below 2 and "points" from 2."""

from __future__ import annotations

import re
from html import unescape

import pytest

from bifocals.framework import Framework
from bifocals.instruments import Instrument
from bifocals.locale import translated_text
from bifocals.locale.names import COMPARISON_NOTES, NO_RESULTS_NOTE
from bifocals.reports import svg
from bifocals.reports.individual import individual_report_html
from bifocals.reports.wording import explain_gap
from bifocals.scoring import CampaignScores
from bifocals.scoring.model import Gap
from support.reports import scored_demo

Demo = tuple[CampaignScores, Framework, Instrument]
P = svg.Point
ROWS = [
    (P("Selbst", 4.0, None, None, 1, None, True), P("Selbst", 3.0, None, None, 1, None, True)),
    (P("Kolleg:innen", 3.2, 2.5, 4.1, 3, "low"), P("Kolleg:innen", None, None, None, 0, None)),
    (
        P("Alle außer Ihnen", 3.4, 0.4, 3.9, 7, "high", is_total=True),
        P("Alle außer Ihnen", 2.9, 2.4, 3.3, 7, "moderate", is_total=True),
    ),
]
GAPS = [
    svg.GapRow("Fokus und Ziele: Gibt Richtung vor", "leadership", 1.3, 0.9, 2.7, True),
    svg.GapRow("Rollen: Organisiert", "management", -0.2, -0.6, 0.2, False),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return scored_demo(tmp_path_factory.mktemp("demo"))


def _svg_words(html: str) -> str:
    """The text of every chart: <text>, <title>, <desc> and aria-labels."""
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    labels = " ".join(a for c in charts for a in re.findall(r'aria-label="([^"]*)"', c))
    inner = " ".join(re.sub(r"<[^>]+>", " ", c) for c in charts)
    return re.sub(r"\s+", " ", unescape(f"{labels} {inner}"))


def test_english_charts_are_unchanged_by_the_language_option() -> None:
    assert svg.dimension_chart("Focus", ("A", "B"), ROWS, (1, 5)) == svg.dimension_chart(
        "Focus", ("A", "B"), ROWS, (1, 5), language="en"
    )
    assert svg.gap_chart(GAPS) == svg.gap_chart(GAPS, language="en")
    plain = svg.lm_map([svg.MapPoint("You", 40, 60)], "Map")
    assert plain == svg.lm_map([svg.MapPoint("You", 40, 60)], "Map", language="en")
    assert "Leads and manages" in plain and "Management index" in plain


def test_dimension_chart_in_german() -> None:
    chart = svg.dimension_chart(
        "Fokus und Ziele", ("Gibt Richtung vor", "Plant"), ROWS, (1, 5), language="de"
    )
    text = _svg_words(chart)
    assert "Fokus und Ziele: Gibt Richtung vor (Führen) und Plant (Managen)" in text
    assert "Führen: Gibt Richtung vor" in text and "Managen: Plant" in text
    assert "Mittelwert" in text and "n · Übereinstimmung" in text and "7 · hoch" in text
    assert "3 · gering" in text and "7 · mittel" in text and "nicht gezeigt" in text
    assert "Skala 1 bis 5." in text and "(95-%-Intervall 2,5 bis 4,1), n=3" in text
    assert "Das 95-%-Intervall reicht über die Achse hinaus, nach unten bis 0,4" in text
    for english in ("mean", "agreement", "not shown", "leadership", "interval", "Scale"):
        assert english not in text, english


def test_gap_and_change_charts_in_french() -> None:
    text = _svg_words(svg.gap_chart(GAPS, language="fr"))
    assert "Auto-évaluation moins évaluation des autres par échelle" in text
    assert "vous vous évaluez plus bas" in text and "vous vous évaluez plus haut" in text
    assert "Points à droite de zéro : vous vous évaluez plus haut que les autres." in text
    assert "Fokus und Ziele: Gibt Richtung vor (leadership) : 1,3, intervalle de 0,9 à 2,7" in text
    assert ", signalé" in text and "vers le haut jusqu'à 2,7 (l'axe s'arrête à 2,0)" in text
    change = _svg_words(svg.gap_chart(GAPS, words=svg.CHANGE_WORDS, language="fr"))
    assert "Évolution depuis la dernière campagne par échelle" in change
    assert "plus bas que la dernière fois" in change
    assert "les autres vous évaluent plus haut que la dernière fois" in change


def test_map_in_spanish() -> None:
    points = [svg.MapPoint("Usted (autoevaluación)", 40, 60, hollow=True)]
    text = _svg_words(svg.lm_map(points, "Dónde se sitúa", language="es"))
    assert "Índice de liderazgo" in text and "Índice de gestión" in text
    assert "Lidera y gestiona" in text and "Gestiona más de lo que lidera" in text
    assert "Índices de 0 a 100, cuadrantes divididos en 50." in text
    assert "Usted (autoevaluación): liderazgo 40, gestión 60" in text


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
def test_no_english_chart_words_in_a_translated_report(demo: Demo, lang: str) -> None:
    scores, fw, inst = demo
    html = individual_report_html(scores, scores.participants[0], fw, inst, language=lang)
    text = _svg_words(html)
    for english in (
        "n · agreement",
        "mean",
        "Self minus others",
        "you rate yourself",
        "Leadership index",
        "Leads and manages",
        "not shown",
        "interval",
        "Scale 1",
    ):
        assert not re.search(rf"\b{english}\b", text), (lang, english)
    assert re.search(r"\d,\d", text)


def _gap(size: float) -> Gap:
    return Gap("focus_goals", "leadership", 3.0 + size, 3.0, size, None, None, None)


@pytest.mark.parametrize(
    ("lang", "size", "words"),
    [
        ("fr", 0.6, "0,6 point au-dessus"),
        ("fr", 1.9, "1,9 point au-dessus"),
        ("fr", 2.0, "2,0 points au-dessus"),
        ("fr", -2.3, "2,3 points en dessous"),
        ("de", 1.5, "1,5 Punkte über"),
        ("es", 1.0, "1,0 puntos por encima"),
        ("en", 1.0, "1.0 points above"),
        ("en", 0.6, "0.6 points above"),
    ],
)
def test_the_gap_sentence_says_point_or_points(lang: str, size: float, words: str) -> None:
    assert words in explain_gap(_gap(size), 2, lang).sentence


def test_a_missing_comparison_is_noted_in_the_reports_language(demo: Demo) -> None:
    note = NO_RESULTS_NOTE.format(campaign="Kohorte {2025}")
    assert translated_text(note, COMPARISON_NOTES, "en") == note
    assert translated_text("something else", COMPARISON_NOTES, "de") == "something else"
    scores, fw, inst = demo
    ps = scores.participants[0]
    html = individual_report_html(scores, ps, fw, inst, language="de", notes=(note,))
    assert "Kohorte {2025} hat noch keine Ergebnisse, daher wird keine Veränderung gezeigt" in html
    assert note in individual_report_html(scores, ps, fw, inst, notes=(note,))
