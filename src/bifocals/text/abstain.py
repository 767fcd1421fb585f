"""Units the analyzer does not let a model decide: content-free answers, and when it is unsure.

Survey boxes collect answers that say nothing: "ok", "n/a", "-", "thanks", "yes", "no", "see
above", "nothing to add". A model trained on sentences has no good answer for them and used to
code some of them as leadership or management with high confidence. They are `neither` by rule,
before any model runs, in both tiers: a unit is content-free when, after lower-casing and
dropping punctuation, it is empty of letters or is one of the phrases below (or a run of them,
"ok thanks", "no, nothing"), alone or after a short label and a colon ("Development areas: none
that I can think of", "Budget holder: no").

`unsure` is the other way of abstaining: a unit whose calibrated function confidence is below
UNSURE_FUNCTION, or whose dimension confidence is below UNSURE_DIMENSION, is still given its
most likely label, marked unsure, and left uncoded by the 360 report (shown under its question,
not filed under a dimension).
"""

from __future__ import annotations

import re

# Calibrated-probability thresholds below which a coding is marked unsure.
UNSURE_FUNCTION = 0.6
UNSURE_DIMENSION = 0.4

CONTENT_FREE_RULE = "content-free answer (rule: neither, no model)"

# Phrases that carry no content on their own; a unit made only of these is content-free.
_PHRASES = [
    "ok",
    "okay",
    "okey",
    "k",
    "kk",
    "fine",
    "good",
    "great",
    "nice",
    "cool",
    "sure",
    "yes",
    "yeah",
    "yep",
    "yup",
    "no",
    "nope",
    "nah",
    "none",
    "nil",
    "nothing",
    "na",
    "n",
    "a",
    "tbd",
    "tbc",
    "idk",
    "dunno",
    "same",
    "ditto",
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
    "noted",
    "agreed",
    "maybe",
    "perhaps",
    "unsure",
]
_MULTI = (
    "n/a",
    "not applicable",
    "not sure",
    "no comment",
    "no comments",
    "no comments at this time",
    "nothing to add",
    "nothing further",
    "nothing more",
    "nothing else",
    "nothing to say",
    "nothing comes to mind",
    "nothing at this time",
    "nothing at the moment",
    "no further comments",
    "no additional comments",
    "none at this time",
    "none that i can think of",
    "not at this time",
    "see above",
    "as above",
    "see previous answer",
    "same as above",
    "see my previous comment",
    "thank you",
    "thanks a lot",
    "many thanks",
    "i don't know",
    "i do not know",
    "don't know",
    "do not know",
    "no idea",
    "no opinion",
    "i have no opinion",
    "prefer not to say",
    "keep it up",
    "keep up the good work",
    "all good",
    "all fine",
    "not really",
    "no thanks",
    "nothing really",
    "can't think of anything",
    "cannot think of anything",
    "not that i know of",
    "no concerns",
    "no issues",
    "fine by me",
    "same as last year",
    "same as before",
    "no change",
    "no changes",
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SINGLE = frozenset(_PHRASES)
_MULTI_SET = frozenset(_MULTI)
_MAX_WORDS = 8


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'").replace("n/a", "na")))


# "Development areas: none that I can think of", "Line management responsibility: none": a
# form's label (a few words before a colon) in front of a content-free answer.
_LABEL = re.compile(r"^\s*[^:\n]{1,40}:\s*(?=\S)")
_MAX_LABEL_WORDS = 5


def content_free(text: str) -> bool:
    """True for a unit that says nothing a coder could label: no letters at all, or only
    filler phrases ("ok", "n/a", "see above", "no, nothing to add, thanks"), also after a
    short label ("Strengths: n/a", "Budget holder: no")."""
    if _filler(text):
        return True
    label = _LABEL.match(text)
    if label is None or len(_WORD.findall(label.group(0).lower())) > _MAX_LABEL_WORDS:
        return False
    return _filler(text[label.end() :])


def _filler(text: str) -> bool:
    norm = _normal(text)
    if not norm:
        return True
    words = norm.split()
    if len(words) > _MAX_WORDS:
        return False
    if norm in _MULTI_SET:
        return True
    # a run of filler words and filler phrases: consume greedily from the left
    i = 0
    while i < len(words):
        for size in (6, 5, 4, 3, 2):
            if " ".join(words[i : i + size]) in _MULTI_SET:
                i += size
                break
        else:
            if words[i] not in _SINGLE:
                return False
            i += 1
    return True


def is_unsure(function: str, confidence: float, dimension_confidence: float | None) -> bool:
    """True when the calibrated confidence is too low to file the unit under a label."""
    if confidence < UNSURE_FUNCTION:
        return True
    return function != "neither" and (
        dimension_confidence is None or dimension_confidence < UNSURE_DIMENSION
    )
