"""Honest evaluation on the held-out set: both tiers and two baselines, same sentences.

The held-out sentences were written separately from the training corpus and are never used to
train or tune; the zero-shot threshold is fitted on the training sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bifocals.framework import Framework
from bifocals.text.analyzer import Analyzer
from bifocals.text.baselines import fit_threshold, lexicon_predict, zero_shot_predict
from bifocals.text.corpus import FUNCTIONS, Example
from bifocals.text.metrics import calibration_error, confusion, macro_f1, per_class_f1
from bifocals.text.model import TextModel

GOAL_F1 = 0.85


@dataclass(frozen=True)
class MethodResult:
    """Scores of one method on the held-out set."""

    method: str
    n: int
    function_macro_f1: float
    function_accuracy: float
    dimension_accuracy: float
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    # Expected calibration error of the function confidence (tiers only; baselines give none).
    calibration_error: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "method": self.method,
            "n": self.n,
            "function_macro_f1": round(self.function_macro_f1, 4),
            "function_accuracy": round(self.function_accuracy, 4),
            "dimension_accuracy": round(self.dimension_accuracy, 4),
            "function_calibration_error": (
                None if self.calibration_error is None else round(self.calibration_error, 4)
            ),
            "per_class": self.per_class,
            "confusion": {"labels": list(FUNCTIONS), "rows_true_cols_predicted": self.confusion},
        }


def score(
    method: str,
    gold: list[Example],
    funcs: list[str],
    dims: list[str | None],
    confidence: list[float] | None = None,
) -> MethodResult:
    """Function macro-F1/accuracy; dimension accuracy over sentences that have a dimension;
    with confidences, the expected calibration error of the function.

    Dimension accuracy counts a sentence right when the predicted dimension equals the gold one
    (a sentence predicted 'neither' has no dimension and counts as wrong).
    """
    yt = np.array([FUNCTIONS.index(e.function) for e in gold], dtype=np.int64)
    yp = np.array([FUNCTIONS.index(f) for f in funcs], dtype=np.int64)
    with_dim = [i for i, e in enumerate(gold) if e.dimension is not None]
    dim_acc = (
        sum(1 for i in with_dim if dims[i] == gold[i].dimension) / len(with_dim)
        if with_dim
        else 0.0
    )
    pcs = per_class_f1(yt, yp, 3)
    return MethodResult(
        method=method,
        n=len(gold),
        function_macro_f1=macro_f1(yt, yp, 3),
        function_accuracy=float((yt == yp).mean()) if len(gold) else 0.0,
        dimension_accuracy=dim_acc,
        per_class={
            f: {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}
            for f, (p, r, f1) in zip(FUNCTIONS, pcs, strict=True)
        },
        confusion=confusion(yt, yp, 3).tolist(),
        calibration_error=(
            None
            if confidence is None
            else calibration_error(np.asarray(confidence, dtype=np.float64), yt == yp)
        ),
    )


def evaluate(
    fw: Framework, heldout: list[Example], training: list[Example], model: TextModel
) -> list[MethodResult]:
    """Accurate tier, fast tier, lexicon and zero-shot baselines on the held-out sentences."""
    texts = [e.text for e in heldout]
    accurate = Analyzer(fast=False, model=model)
    fast = Analyzer(fast=True, model=model)
    out: list[MethodResult] = []
    for name, an in (("accurate tier", accurate), ("fast tier", fast)):
        res = an.classify(texts)
        out.append(
            score(
                name,
                heldout,
                [c.function for c in res],
                [c.dimension for c in res],
                [c.confidence for c in res],
            )
        )
    lf, ld = lexicon_predict(texts, fw.dimension_ids)
    out.append(score("baseline: keyword lexicon", heldout, lf, ld))
    assert accurate.embedder is not None
    x_train = accurate.embedder.embed([e.text for e in training])
    threshold = fit_threshold(
        x_train, model.references, [e.function == "neither" for e in training]
    )
    zf, zd = zero_shot_predict(accurate.embedder.embed(texts), model.references, threshold)
    out.append(score(f"baseline: zero-shot cosine (t={threshold:.2f})", heldout, zf, zd))
    return out
