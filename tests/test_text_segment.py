"""Segmentation and the cheap input checks (no model needed)."""

from __future__ import annotations

from bifocals.text.guard import check_english, looks_binary, truncate
from bifocals.text.segment import segment, sentences
from bifocals.text.sources import units_from_text


def test_abbreviations_numbers_and_initials_do_not_split() -> None:
    text = "Mr. Smith met Dr. Lee on Jan. 5 about the 2.5 million budget. J. R. Ewing agreed."
    assert sentences(text) == [
        "Mr. Smith met Dr. Lee on Jan. 5 about the 2.5 million budget.",
        "J. R. Ewing agreed.",
    ]


def test_bullets_line_breaks_and_wraps() -> None:
    text = (
        "Duties:\n- Own the budget\n* Coordinate vendors\n2) Set the vision\n"
        "This wraps\nonto two lines. Next one!\n\nNew paragraph"
    )
    assert sentences(text) == [
        "Duties:",
        "Own the budget",
        "Coordinate vendors",
        "Set the vision",
        "This wraps onto two lines.",
        "Next one!",
        "New paragraph",
    ]


def test_offsets_point_at_the_sentence() -> None:
    text = "First one. Second one.\n- third item"
    for span in segment(text):
        assert text[span.start : span.start + 5] == span.text[:5]


def test_units_carry_line_numbers() -> None:
    units = list(units_from_text("A first line.\n\nThird line here. And more.", "f.txt", False))
    assert [(u.line, u.text) for u in units] == [
        (1, "A first line."),
        (3, "Third line here."),
        (3, "And more."),
    ]
    assert [u.line for u in units_from_text("a\n\nb\n", "f", True)] == [1, 3]


def test_english_detection() -> None:
    assert check_english("Own the quarterly budget").english
    assert check_english("Budget approved.").english
    assert not check_english(
        "Wir werden die Kosten im nächsten Quartal mit dem Team senken."
    ).english
    assert not check_english(
        "Nous allons réduire les coûts avec une équipe pour le client."
    ).english
    assert not check_english("这是一个关于预算的句子").english
    assert not check_english("12345 !!!").english


def test_truncate_and_binary() -> None:
    text, cut = truncate("word " * 1000, 100)
    assert cut and len(text) <= 100
    assert truncate("short", 100) == ("short", False)
    assert looks_binary(b"\x89PNG\x00\x00") and not looks_binary(b"plain text")
