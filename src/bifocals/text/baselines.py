"""Two baselines for `bifocals text evaluate`: a keyword lexicon and zero-shot cosine.

The lexicon is this project's own word-stem lists per dimension and side; a sentence goes to
the side with most stem hits, 'neither' when nothing matches. Zero-shot embeds the sentence and
takes the most similar framework description or behaviour; below a cosine threshold chosen on
the training data it says 'neither'.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from bifocals.text.model import References

LEXICON: dict[tuple[str, str], tuple[str, ...]] = {
    ("focus_goals", "leadership"): ("vision", "purpose", "why", "mission", "direction", "meaning"),
    ("focus_goals", "management"): ("budget", "plan", "milestone", "target", "cost", "schedul",
                                    "forecast", "spend"),
    ("roles_responsibilities", "leadership"): ("culture", "align", "together", "unite", "belong",
                                               "coalition", "collaborat"),
    ("roles_responsibilities", "management"): ("role", "assign", "procedure", "coordinat", "staff",
                                               "shift", "owner", "raci", "organiz", "organis"),
    ("decision_making", "leadership"): ("uncertain", "ambigu", "strateg", "judgement", "bet",
                                        "reframe", "bold call"),
    ("decision_making", "management"): ("data", "criteria", "policy", "rule", "analys", "analyz",
                                        "root cause", "checklist"),
    ("relationship_people", "leadership"): ("coach", "mentor", "empower", "grow", "develop",
                                            "trust", "motivat", "inspir", "encourag"),
    ("relationship_people", "management"): ("instruct", "appraisal", "review", "performance",
                                            "conflict", "supervis", "monitor", "standard"),
    ("risk_taking", "leadership"): ("experiment", "pilot", "innovat", "challeng", "status quo",
                                    "fail", "bold", "new idea"),
    ("risk_taking", "management"): ("risk", "control", "stable", "stabil", "compliance", "audit",
                                    "rollback", "backup", "check"),
    ("time_horizon", "leadership"): ("future", "years", "decade", "long-term", "long term",
                                     "trend", "horizon", "sustainab"),
    ("time_horizon", "management"): ("deadline", "quarter", "weekly", "week", "today", "sprint",
                                     "on time", "overdue", "short-term"),
    ("source_of_influence", "leadership"): ("persua", "example", "credib", "influenc", "follow",
                                            "respect", "convinc"),
    ("source_of_influence", "management"): ("approv", "sign off", "sign-off", "authority",
                                            "accountab", "escalat", "hierarch", "chain of command"),
}  # fmt: skip


def lexicon_predict(
    texts: list[str], dimensions: tuple[str, ...]
) -> tuple[list[str], list[str | None]]:
    """(function, dimension) per sentence from stem hits."""
    funcs: list[str] = []
    dims: list[str | None] = []
    for t in texts:
        low = " " + re.sub(r"\s+", " ", t.lower())
        hits = {k: sum(low.count(" " + s) for s in stems) for k, stems in LEXICON.items()}
        lead = sum(v for (_, s), v in hits.items() if s == "leadership")
        mgmt = sum(v for (_, s), v in hits.items() if s == "management")
        if lead == 0 and mgmt == 0:
            funcs.append("neither")
            dims.append(None)
            continue
        side = "leadership" if lead > mgmt else "management"
        best = max(dimensions, key=lambda d: (hits.get((d, side), 0), -dimensions.index(d)))
        funcs.append(side)
        dims.append(best)
    return funcs, dims


def zero_shot_scores(x: npt.NDArray[np.float32], refs: References) -> npt.NDArray[np.float32]:
    """Cosine of each sentence to each reference sentence (both unit vectors)."""
    return np.asarray(x @ refs.vectors.T, dtype=np.float32)


def zero_shot_predict(
    x: npt.NDArray[np.float32], refs: References, threshold: float
) -> tuple[list[str], list[str | None]]:
    """Nearest reference's side and dimension; 'neither' below the cosine threshold."""
    sims = zero_shot_scores(x, refs)
    best = sims.argmax(axis=1)
    funcs: list[str] = []
    dims: list[str | None] = []
    for i, j in enumerate(best):
        if sims[i, j] < threshold:
            funcs.append("neither")
            dims.append(None)
        else:
            funcs.append(refs.sides[j])
            dims.append(refs.dimensions[j])
    return funcs, dims


def fit_threshold(x: npt.NDArray[np.float32], refs: References, is_neither: list[bool]) -> float:
    """The cosine threshold that best separates 'neither' on the training sentences."""
    top = zero_shot_scores(x, refs).max(axis=1)
    truth = np.array(is_neither)
    best_t, best_acc = 0.3, -1.0
    for t in np.round(np.arange(0.05, 0.8, 0.01), 2):
        acc = float(((top < t) == truth).mean())
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    return best_t
