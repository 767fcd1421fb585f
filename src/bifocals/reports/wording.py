"""Plain-language wording of the numbers a report shows: agreement, gaps, reliability, indices.

Pure functions from numbers to short English sentences, so the HTML, the PDF and the web pages
say the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bifocals.scoring.model import Gap

# rwg bands. 0.70 is the usual "agreement is high enough to trust the mean" line in the
# literature; below 0.50 raters disagree about as much as half-random answers would.
RWG_HIGH = 0.70
RWG_MODERATE = 0.50
# A gap of this size is worth a sentence even when it is not flagged (the scoring threshold).
LARGE_GAP = 0.5

Verdict = Literal["blind_spot", "hidden_strength", "not_enough_evidence", "in_line"]


def fmt(x: float | None, digits: int = 1) -> str:
    """A number for reading: fixed digits, a true minus sign, an en dash for missing."""
    if x is None:
        return "–"
    text = f"{x:.{digits}f}"
    if text.startswith("-"):
        # -0.0 reads as zero; any other negative gets a typographic minus.
        return text[1:] if float(text) == 0 else "−" + text[1:]
    return text


def agreement_word(rwg: float | None) -> str | None:
    """high / moderate / low agreement for an rwg value, None when it cannot be computed."""
    if rwg is None:
        return None
    if rwg >= RWG_HIGH:
        return "high"
    if rwg >= RWG_MODERATE:
        return "moderate"
    return "low"


def agreement_sentence(word: str | None, n: int) -> str:
    """What the agreement among n raters of a cell means for reading its mean."""
    if word is None:
        return "one rater: agreement cannot be measured"
    if word == "high":
        return f"high agreement among the {n} raters: the average describes them well"
    if word == "moderate":
        return f"moderate agreement among the {n} raters: read the average with some care"
    return f"low agreement among the {n} raters: they see you quite differently"


def verdict(g: Gap) -> Verdict:
    """How a report classifies a self-vs-others gap (the flag comes from scoring)."""
    if g.flag is not None:
        return g.flag
    if abs(g.gap) >= LARGE_GAP:
        return "not_enough_evidence"
    return "in_line"


VERDICT_LABELS: dict[Verdict, str] = {
    "blind_spot": "Blind spot",
    "hidden_strength": "Hidden strength",
    "not_enough_evidence": "Not enough evidence",
    "in_line": "In line",
}


@dataclass(frozen=True)
class GapText:
    """A gap explained: a heading verdict and one or two sentences."""

    verdict: Verdict
    label: str
    sentence: str


def _interval(g: Gap) -> str:
    return f"{fmt(g.ci_low)} to {fmt(g.ci_high)}"


def explain_gap(g: Gap, n_others: int) -> GapText:
    """Explain a self-vs-others gap in plain words, naming the rater count and the interval."""
    v = verdict(g)
    size = fmt(abs(g.gap))
    direction = "above" if g.gap > 0 else "below"
    raters = f"{n_others} rater{'s' if n_others != 1 else ''}"
    head = f"Your own rating is {size} points {direction} others'"
    if abs(g.gap) < 0.05:
        head = "Your own rating matches others' almost exactly"
    if v in ("blind_spot", "hidden_strength"):
        text = (
            f"{head}; with {raters} the 95% interval is {_interval(g)}, so this is unlikely "
            "to be chance."
        )
    elif g.ci_low is None or g.ci_high is None:
        text = f"{head}, but with only {raters} no interval can be computed: " + (
            "not enough evidence to call it a difference." if v != "in_line" else "in line."
        )
    elif v == "not_enough_evidence":
        text = (
            f"{head}, but with {raters} the 95% interval runs from {_interval(g)} and "
            "includes zero: not enough evidence to call this a real difference."
        )
    else:
        text = f"{head}; with {raters} the 95% interval is {_interval(g)}: in line."
    return GapText(verdict=v, label=VERDICT_LABELS[v], sentence=text)


def reliability_word(value: float | None) -> str:
    """Conventional reading of alpha or omega."""
    if value is None:
        return "not computed"
    if value >= 0.9:
        return "excellent"
    if value >= 0.8:
        return "good"
    if value >= 0.7:
        return "acceptable"
    if value >= 0.6:
        return "questionable"
    return "poor"


def reliability_sentence(alpha: float | None, omega: float | None, n_cases: int) -> str:
    """One line on whether a scale's items hang together well enough to trust its score."""
    if alpha is None and omega is None:
        return (
            f"Not computed: {n_cases} complete answer sets; at least 10 are needed before "
            "these numbers mean anything."
        )
    worst = min(x for x in (alpha, omega) if x is not None)
    word = reliability_word(worst)
    if worst >= 0.7:
        return f"{word.capitalize()}: the items measure one thing consistently."
    return (
        f"{word.capitalize()}: the items do not hang together well; read this scale's scores "
        "with care and look at the items."
    )


# Who a reported group is, as the object of a sentence ("rated by ...").
GROUP_PHRASES: dict[str, str] = {
    "manager": "your manager",
    "peer": "your peers",
    "direct_report": "your direct reports",
    "other": "the raters in the group 'others'",
}


def group_phrase(key: str, pooled_from: Sequence[str] = ()) -> str:
    """A reported group in running text: "your manager", "your peers and direct reports
    (combined)"; an unknown key is printed as it is."""
    if pooled_from:
        names = [GROUP_PHRASES.get(k, k).removeprefix("your ") for k in pooled_from]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"your {joined} (combined)"
    return GROUP_PHRASES.get(key, key)


def others_are(shown: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """Who "others" are when that is not obvious: the one group besides self that is shown
    (as "your manager only"), or None when two or more are shown or none is.

    shown holds (group key, collected groups it pools) of every group besides self.
    """
    if len(shown) != 1:
        return None
    key, pooled_from = shown[0]
    return f"{group_phrase(key, pooled_from)} only"


def index_sentence(lead: float | None, manage: float | None, others: str | None = None) -> str:
    """The two indices in one sentence, never as two ends of one axis.

    others (from others_are) names who "others" are when only one group besides self is shown.
    """
    if lead is None or manage is None:
        return "Not enough ratings from others to compute both indices."
    who = "Others" if others is None else f"Others (here: {others})"
    return (
        f"{who} rate your leadership at {lead:.0f} and your management at {manage:.0f} "
        "out of 100 (0 = never, 100 = almost always, on every dimension)."
    )
