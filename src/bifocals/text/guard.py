"""Cheap checks on input text: is it English, is it too long, is a file text at all.

English detection counts common English function words against common function words of six
other European languages and looks at the share of ASCII letters; it needs no model and decides
in microseconds. Short units with no function word at all count as English (job-ad bullets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 2000  # far beyond the model's 256 tokens; longer units are cut here (with a note)

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "you",
        "they",
        "he",
        "she",
        "i",
        "our",
        "your",
        "their",
        "his",
        "her",
        "my",
        "me",
        "us",
        "them",
        "not",
        "no",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "must",
        "may",
        "might",
        "shall",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "why",
        "how",
        "if",
        "than",
        "then",
        "there",
        "here",
        "so",
        "very",
        "more",
        "most",
        "all",
        "any",
        "each",
        "every",
        "some",
        "about",
        "into",
        "over",
    ]
)
FOREIGN = frozenset(
    [
        "und",
        "der",
        "das",
        "ist",
        "nicht",
        "mit",
        "ein",
        "eine",
        "sich",
        "auch",
        "wir",
        "werden",
        "für",
        "auf",
        "dem",
        "den",
        "zu",
        "von",
        "im",
        "ich",
        "sie",
        "les",
        "des",
        "est",
        "et",
        "une",
        "pour",
        "dans",
        "nous",
        "pas",
        "avec",
        "sur",
        "qui",
        "du",
        "au",
        "aux",
        "ces",
        "cette",
        "sont",
        "être",
        "très",
        "el",
        "los",
        "las",
        "y",
        "una",
        "para",
        "por",
        "con",
        "del",
        "lo",
        "está",
        "como",
        "pero",
        "más",
        "sus",
        "también",
        "es",
        "muy",
        "het",
        "een",
        "niet",
        "wij",
        "zijn",
        "voor",
        "maar",
        "ook",
        "naar",
        "bij",
        "deze",
        "worden",
        "il",
        "della",
        "che",
        "non",
        "sono",
        "gli",
        "delle",
        "questo",
        "anche",
        "alla",
        "nel",
        "não",
        "uma",
        "com",
        "os",
        "são",
        "pelo",
        "pela",
        "mais",
        "também",
        "está",
    ]
)


@dataclass(frozen=True)
class LanguageCheck:
    """Why a unit was judged not English (or None when it is)."""

    english: bool
    reason: str


def check_english(text: str) -> LanguageCheck:
    """Decide cheaply whether a unit is English text the model can read."""
    if text.isascii():
        if not any(c.isalpha() for c in text):
            return LanguageCheck(False, "no letters")
    else:
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return LanguageCheck(False, "no letters")
        ascii_share = sum(1 for c in letters if c.isascii()) / len(letters)
        if ascii_share < 0.7:
            return LanguageCheck(False, f"only {ascii_share:.0%} Latin letters")
    words = _WORD_RE.findall(text.lower())
    foreign = sum(1 for w in words if w in FOREIGN and w not in ENGLISH)
    if foreign < 2:
        return LanguageCheck(True, "")
    en = sum(1 for w in words if w in ENGLISH)
    if foreign > en:
        return LanguageCheck(False, f"{foreign} non-English function words, {en} English")
    return LanguageCheck(True, "")


def truncate(text: str, limit: int = MAX_CHARS) -> tuple[str, bool]:
    """Cut a unit to `limit` characters at a word boundary; True when it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit], True


def looks_binary(head: bytes) -> bool:
    """A NUL byte in the first block means a binary file (UTF-8 text never holds one)."""
    return b"\x00" in head
