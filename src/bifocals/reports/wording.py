"""Plain-language wording of the numbers a report shows: agreement, gaps, reliability, indices.

Pure functions from numbers to short sentences, so the HTML, the PDF and the web pages say the
same thing in the same words; `lang` picks the catalogue (bifocals.locale; default English) and
the decimal sign.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bifocals.locale import DEFAULT_LANGUAGE, N_, gettext_for, language_or_default, ngettext_for
from bifocals.scoring.model import Gap

# rwg bands. 0.70 is the usual "agreement is high enough to trust the mean" line in the
# literature; below 0.50 raters disagree about as much as half-random answers would.
RWG_HIGH = 0.70
RWG_MODERATE = 0.50
# A gap of this size is worth a sentence even when it is not flagged (the scoring threshold).
LARGE_GAP = 0.5

Verdict = Literal["blind_spot", "hidden_strength", "not_enough_evidence", "in_line"]


def fmt(x: float | None, digits: int = 1, lang: str | None = None) -> str:
    """A number for reading: fixed digits, a true minus sign, an en dash for missing; a
    decimal comma in German, French and Spanish."""
    if x is None:
        return "–"
    text = f"{x:.{digits}f}"
    if text.startswith("-"):
        # -0.0 reads as zero; any other negative gets a typographic minus.
        text = text[1:] if float(text) == 0 else "−" + text[1:]
    if language_or_default(lang) != DEFAULT_LANGUAGE:
        text = text.replace(".", ",")
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


def agreement_sentence(word: str | None, n: int, lang: str | None = None) -> str:
    """What the agreement among n raters of a cell means for reading its mean."""
    _ = gettext_for(lang)
    if word is None:
        return _("one rater: agreement cannot be measured")
    if word == "high":
        return _("high agreement among the {n} raters: the average describes them well").format(n=n)
    if word == "moderate":
        return _("moderate agreement among the {n} raters: read the average with some care").format(
            n=n
        )
    return _("low agreement among the {n} raters: they see you quite differently").format(n=n)


def verdict(g: Gap) -> Verdict:
    """How a report classifies a self-vs-others gap (the flag comes from scoring)."""
    if g.flag is not None:
        return g.flag
    if abs(g.gap) >= LARGE_GAP:
        return "not_enough_evidence"
    return "in_line"


VERDICT_LABELS: dict[Verdict, str] = {
    "blind_spot": N_("Blind spot"),
    "hidden_strength": N_("Hidden strength"),
    "not_enough_evidence": N_("Not enough evidence"),
    "in_line": N_("In line"),
}


@dataclass(frozen=True)
class GapText:
    """A gap explained: a heading verdict and one or two sentences."""

    verdict: Verdict
    label: str
    sentence: str


def _interval(g: Gap, lang: str | None = None) -> str:
    _ = gettext_for(lang)
    return _("{low} to {high}").format(low=fmt(g.ci_low, lang=lang), high=fmt(g.ci_high, lang=lang))


def explain_gap(g: Gap, n_others: int, lang: str | None = None) -> GapText:
    """Explain a self-vs-others gap in plain words, naming the rater count and the interval."""
    _ = gettext_for(lang)
    v = verdict(g)
    size = fmt(abs(g.gap), lang=lang)
    ngettext = ngettext_for(lang)
    raters = ngettext("{n} rater", "{n} raters", n_others).format(n=n_others)
    # The size is written with one decimal, and English says "points" at any size; the
    # catalogues pick their form by its whole number (French: "point" below 2, "points" from 2).
    whole = int(float(f"{abs(g.gap):.1f}"))
    if g.gap > 0:
        head = ngettext(
            "Your own rating is {size} points above others'",
            "Your own rating is {size} points above others'",
            whole,
        ).format(size=size)
    else:
        head = ngettext(
            "Your own rating is {size} points below others'",
            "Your own rating is {size} points below others'",
            whole,
        ).format(size=size)
    if abs(g.gap) < 0.05:
        head = _("Your own rating matches others' almost exactly")
    values = {"head": head, "raters": raters, "interval": _interval(g, lang)}
    if v in ("blind_spot", "hidden_strength"):
        text = _(
            "{head}; with {raters} the 95% interval is {interval}, so this is unlikely "
            "to be chance."
        ).format(**values)
    elif g.ci_low is None or g.ci_high is None:
        if v != "in_line":
            text = _(
                "{head}, but with only {raters} no interval can be computed: not enough "
                "evidence to call it a difference."
            ).format(**values)
        else:
            text = _("{head}, but with only {raters} no interval can be computed: in line.").format(
                **values
            )
    elif v == "not_enough_evidence":
        text = _(
            "{head}, but with {raters} the 95% interval runs from {interval} and "
            "includes zero: not enough evidence to call this a real difference."
        ).format(**values)
    else:
        text = _("{head}; with {raters} the 95% interval is {interval}: in line.").format(**values)
    return GapText(verdict=v, label=_(VERDICT_LABELS[v]), sentence=text)


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
    "manager": N_("your manager"),
    "peer": N_("your peers"),
    "direct_report": N_("your direct reports"),
    "other": N_("the raters in the group 'others'"),
}
# The same groups inside "your ... (combined)".
GROUP_NOUNS: dict[str, str] = {
    "manager": N_("manager"),
    "peer": N_("peers"),
    "direct_report": N_("direct reports"),
    "other": N_("the raters in the group 'others'"),
}


def group_phrase(key: str, pooled_from: Sequence[str] = (), lang: str | None = None) -> str:
    """A reported group in running text: "your manager", "your peers and direct reports
    (combined)"; an unknown key is printed as it is."""
    _ = gettext_for(lang)
    if pooled_from:
        names = [_(GROUP_NOUNS.get(k, k)) for k in pooled_from]
        joined = (
            names[0]
            if len(names) == 1
            else _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])
        )
        return _("your {groups} (combined)").format(groups=joined)
    return _(GROUP_PHRASES[key]) if key in GROUP_PHRASES else key


def others_are(shown: Sequence[tuple[str, Sequence[str]]], lang: str | None = None) -> str | None:
    """Who "others" are when that is not obvious: the one group besides self that is shown
    (as "your manager only"), or None when two or more are shown or none is.

    shown holds (group key, collected groups it pools) of every group besides self.
    """
    if len(shown) != 1:
        return None
    key, pooled_from = shown[0]
    _ = gettext_for(lang)
    return _("{group} only").format(group=group_phrase(key, pooled_from, lang))


def index_sentence(
    lead: float | None, manage: float | None, others: str | None = None, lang: str | None = None
) -> str:
    """The two indices in one sentence, never as two ends of one axis.

    others (from others_are) names who "others" are when only one group besides self is shown.
    """
    _ = gettext_for(lang)
    if lead is None or manage is None:
        return _("Not enough ratings from others to compute both indices.")
    values = {"others": others, "lead": f"{lead:.0f}", "manage": f"{manage:.0f}"}
    if others is None:
        return _(
            "Others rate your leadership at {lead} and your management at {manage} "
            "out of 100 (0 = never, 100 = almost always, on every dimension)."
        ).format(**values)
    return _(
        "Others (here: {others}) rate your leadership at {lead} and your management at "
        "{manage} out of 100 (0 = never, 100 = almost always, on every dimension)."
    ).format(**values)
