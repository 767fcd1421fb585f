"""Content-free answers are `neither` by rule in both tiers; unsure codings stay uncoded."""

from __future__ import annotations

import pytest

from bifocals.text import Analyzer
from bifocals.text.abstain import (
    CONTENT_FREE_RULE,
    UNSURE_DIMENSION,
    UNSURE_FUNCTION,
    content_free,
    is_unsure,
)

CONTENT_FREE = [
    "ok", "OK.", "okay", "n/a", "N/A", "NA", "-", "--", ".", "thanks", "Thank you!", "thx",
    "yes", "Yes.", "no", "No!", "nope", "none", "None.", "nothing", "Nothing to add.",
    "see above", "See above.", "as above", "No comment", "no comments at this time",
    "ok, thanks", "No, nothing further. Thanks!", "idk", "I don't know", "N/A - see above",
    "Good.", "Fine", "keep up the good work!", "Not applicable", "no idea", "ditto",
    "Development areas: none that I can think of", "Strengths: n/a", "Budget holder: No",
    "Line management responsibility: none", "Comments: -", "Areas to improve:  nothing really.",
]  # fmt: skip

NOT_CONTENT_FREE = [
    "Inspires.",
    "Very organised.",
    "Delegates well",
    "No vision.",
    "Yes, she explains why the change matters.",
    "Good at planning the budget.",
    "Thanks for always giving us room to decide.",
    "He never explains why we do this.",
    "Strengths: technical depth, curiosity, work ethic.",
    "Start: telling us the why behind the restructure.",
    "Stop: nothing. Start: planning the rota further ahead.",
    "Her advice to the whole leadership team, all twelve of us, was clear: no.",
]


@pytest.mark.parametrize("text", CONTENT_FREE)
def test_content_free_answers_are_recognised(text: str) -> None:
    assert content_free(text)


@pytest.mark.parametrize("text", NOT_CONTENT_FREE)
def test_answers_with_content_are_not(text: str) -> None:
    assert not content_free(text)


@pytest.mark.parametrize("fast", [False, True], ids=["accurate", "fast"])
def test_no_tier_codes_a_content_free_answer(fast: bool) -> None:
    an = Analyzer(fast=fast)
    results = an.classify(CONTENT_FREE)
    assert [r.function for r in results] == ["neither"] * len(CONTENT_FREE)
    for r in results:
        assert r.dimension is None and not r.unsure
        # either skipped for having no words ("-", ".") or neither by the rule
        assert r.skipped == "no words" or r.evidence == CONTENT_FREE_RULE
    # units with content still go to the model
    coded = an.classify(NOT_CONTENT_FREE)
    assert all(r.evidence != CONTENT_FREE_RULE for r in coded)


def test_unsure_thresholds() -> None:
    assert is_unsure("leadership", UNSURE_FUNCTION - 0.01, 0.9)
    assert is_unsure("management", 0.95, UNSURE_DIMENSION - 0.01)
    assert not is_unsure("management", 0.95, UNSURE_DIMENSION + 0.01)
    assert not is_unsure("neither", 0.9, None)
    assert is_unsure("neither", UNSURE_FUNCTION - 0.01, None)


def test_unsure_is_in_every_record() -> None:
    [r] = Analyzer(fast=True).classify(["Budget."])
    d = r.to_dict()
    assert d["unsure"] is r.unsure
    assert d["unsure"] == is_unsure(r.function, r.confidence, r.dimension_confidence)
