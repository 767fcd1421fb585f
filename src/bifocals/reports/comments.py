"""Comments in a report: grouped by dimension and side when the text analyzer coded them,
otherwise by open question. Only comments already in ParticipantScores (anonymity applied).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bifocals.framework.model import SIDES, Framework
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import GROUP_LABELS, ReportedComment

# Below this confidence a coded comment is shown under its question instead of a dimension; the
# analyzer's own `unsure` mark (calibrated thresholds in bifocals.text.abstain) also keeps a
# comment out of the dimension lists.
MIN_CONFIDENCE = 0.5
FUNCTIONS = ("leadership", "management", "neither")


@dataclass(frozen=True)
class CommentCode:
    """What the text analyzer says a comment is about: function, dimension and confidence.

    function is "leadership", "management" or "neither"; dimension a framework dimension id
    (None for neither); confidence a calibrated probability in [0, 1]; unsure is the
    analyzer's mark for a coding too uncertain to file under a dimension.
    """

    function: str
    dimension: str | None
    confidence: float
    unsure: bool = False


def comment_codes_from(
    classifications: Iterable[Any], texts: Sequence[str] | None = None
) -> dict[str, CommentCode]:
    """Comment text -> CommentCode from objects with text, function, dimension, confidence.

    Accepts bifocals.text Classification objects (or anything shaped like them) without
    importing the text package, so reports do not load a model unless asked to. texts, when
    given, are the inputs the classifications answer in order (the analyzer may normalize
    whitespace in its own .text); they become the keys.
    """
    found = list(classifications)
    keys = [str(c.text) for c in found] if texts is None else list(texts)
    if len(keys) != len(found):
        raise ValueError(f"{len(keys)} texts but {len(found)} classifications")
    return {
        k: CommentCode(
            function=str(c.function),
            dimension=None if c.dimension is None else str(c.dimension),
            confidence=float(c.confidence),
            unsure=bool(getattr(c, "unsure", False)),
        )
        for k, c in zip(keys, found, strict=True)
    }


def _code(codes: Mapping[str, CommentCode], text: str) -> CommentCode | None:
    """The code of a comment, by its exact text or with whitespace collapsed."""
    found = codes.get(text)
    return found if found is not None else codes.get(" ".join(text.split()))


@dataclass(frozen=True)
class ShownComment:
    """A comment as printed: its text, the reported group it came from, and its question."""

    text: str
    group: str
    question: str


@dataclass(frozen=True)
class CommentSection:
    """A heading with comments, optionally split into leadership and management lists."""

    heading: str
    note: str
    parts: tuple[tuple[str, tuple[ShownComment, ...]], ...]


def _shown(c: ReportedComment) -> ShownComment:
    return ShownComment(text=c.text, group=GROUP_LABELS.get(c.group, c.group), question=c.question)


def _by_question(
    comments: Sequence[ReportedComment], instrument: Instrument, heading_prefix: str = ""
) -> list[CommentSection]:
    out: list[CommentSection] = []
    texts = {q.id: q.text for q in instrument.open_questions}
    order = [q.id for q in instrument.open_questions]
    order += sorted({c.question for c in comments} - set(order))
    for q in order:
        items = tuple(_shown(c) for c in comments if c.question == q)
        if items:
            out.append(
                CommentSection(
                    heading=f"{heading_prefix}{texts.get(q, q)}", note="", parts=(("", items),)
                )
            )
    return out


def comment_sections(
    comments: Sequence[ReportedComment],
    framework: Framework,
    instrument: Instrument,
    codes: Mapping[str, CommentCode] | None,
) -> list[CommentSection]:
    """Sections of comments, in the order scoring gave them within each section.

    Without codes: one section per open question. With codes: one section per dimension
    (leadership and management lists), then the comments that are about neither, uncoded,
    coded with low confidence or marked unsure by the analyzer, by question.
    """
    if codes is None:
        return _by_question(comments, instrument)
    dims = set(framework.dimension_ids)
    coded: dict[tuple[str, str], list[ShownComment]] = {}
    rest: list[ReportedComment] = []
    for c in comments:
        code = _code(codes, c.text)
        if (
            code is None
            or code.function not in SIDES
            or code.dimension not in dims
            or code.confidence < MIN_CONFIDENCE
            or code.unsure
        ):
            rest.append(c)
            continue
        coded.setdefault((str(code.dimension), code.function), []).append(_shown(c))
    out: list[CommentSection] = []
    for d in framework.dimensions:
        parts = tuple(
            (f"{side.capitalize()}: {d.side(side).label}", tuple(coded[(d.id, side)]))
            for side in SIDES
            if coded.get((d.id, side))
        )
        if parts:
            out.append(CommentSection(heading=d.name, note=d.summary, parts=parts))
    return out + _by_question(rest, instrument, "Other comments: ")
