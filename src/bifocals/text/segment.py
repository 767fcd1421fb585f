"""Sentence segmentation: a small regex segmenter that knows abbreviations, bullets and wraps.

Rules, in order: a blank line ends a paragraph; a line that starts with a bullet ("-", "*", "•",
"1.", "a)") starts a new unit; a line break followed by a lower-case letter is a wrapped sentence
and is joined; any other line break ends the unit. Inside a line, ".", "!" or "?" followed by
white space and an upper-case letter, digit or quote ends a sentence, unless the word before the
dot is a known abbreviation, a single initial, or the dot sits inside a number.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "cf",
        "approx",
        "no",
        "nos",
        "vol",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "a.m",
        "p.m",
        "am",
        "pm",
        "u.s",
        "u.k",
        "e.u",
        "ca",
        "min",
        "max",
        "resp",
        "incl",
        "excl",
        "ref",
        "al",
        "viz",
    ]
)
BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦‣–—]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)](?=\s))\s+")
END_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Span:
    """A sentence and where it starts in the original text (character offset)."""

    start: int
    text: str


WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
LOOK_BACK = 40  # characters before a dot that can hold an abbreviation; keeps a long line linear


def _is_abbreviation(line: str, dot: int) -> bool:
    m = WORD_BEFORE.search(line, max(0, dot - LOOK_BACK), dot)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if len(word) == 1:  # an initial such as "J. Smith"
        return True
    return word in ABBREVIATIONS


def _split_line(line: str, offset: int) -> Iterator[Span]:
    start = 0
    for m in END_RE.finditer(line):
        if line[m.start()] == "." and _is_abbreviation(line, m.start()):
            continue
        chunk = line[start : m.end()]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            yield Span(offset + start + lead, chunk.strip())
        start = m.end()
    chunk = line[start:]
    if chunk.strip():
        lead = len(chunk) - len(chunk.lstrip())
        yield Span(offset + start + lead, chunk.strip())


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Group lines into blocks: lists of (offset in text, stripped line piece)."""
    block: list[tuple[int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not stripped:
            if block:
                yield block
            block = []
        else:
            bullet = BULLET_RE.match(line)
            if block and not bullet and stripped[0].islower():
                block.append((pos + len(line) - len(line.lstrip()), stripped))
            else:
                if block:
                    yield block
                if bullet:
                    rest = line[bullet.end() :]
                    block = [(pos + bullet.end() + len(rest) - len(rest.lstrip()), rest.strip())]
                else:
                    block = [(pos + len(line) - len(line.lstrip()), stripped)]
        pos += len(raw)
    if block:
        yield block


def segment(text: str) -> list[Span]:
    """Split a document into sentences, each with its start offset in `text`."""
    out: list[Span] = []
    for block in _blocks(text):
        joined = " ".join(piece for _, piece in block)
        starts: list[int] = []
        at = 0
        for _, piece in block:
            starts.append(at)
            at += len(piece) + 1
        for span in _split_line(joined, 0):
            k = bisect.bisect_right(starts, span.start) - 1
            out.append(Span(block[k][0] + span.start - starts[k], span.text))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a document, in order."""
    return [s.text for s in segment(text)]
