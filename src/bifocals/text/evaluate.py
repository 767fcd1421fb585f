"""Honest evaluation: both tiers and two baselines on the same sentences.

The figures that count come from the blind sets (data/blind/, one per register), written and
labelled twice by people who never saw the training corpus; the older held-out split
(data/heldout/) is in-distribution and comes second. Neither is used to train or tune; the
zero-shot threshold is fitted on the training sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    # Tiers only: the share of units marked unsure, and function accuracy on the other units.
    unsure_share: float | None = None
    sure_accuracy: float | None = None

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
            "unsure_share": None if self.unsure_share is None else round(self.unsure_share, 4),
            "sure_function_accuracy": (
                None if self.sure_accuracy is None else round(self.sure_accuracy, 4)
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


class Evaluator:
    """Both tiers and the two baselines, loaded once and run on as many sets as asked."""

    def __init__(self, fw: Framework, training: list[Example], model: TextModel) -> None:
        self.fw, self.training, self.model = fw, training, model
        self.accurate = Analyzer(fast=False, model=model)
        self.fast = Analyzer(fast=True, model=model)
        self._threshold: float | None = None

    def threshold(self) -> float:
        """The zero-shot baseline's cosine threshold, fitted on the training sentences."""
        if self._threshold is None:
            assert self.accurate.embedder is not None
            x_train = self.accurate.embedder.embed([e.text for e in self.training])
            self._threshold = fit_threshold(
                x_train, self.model.references, [e.function == "neither" for e in self.training]
            )
        return self._threshold

    def run(self, gold: list[Example], baselines: bool = True) -> list[MethodResult]:
        """Accurate tier, fast tier and (with baselines) lexicon and zero-shot on gold."""
        texts = [e.text for e in gold]
        out: list[MethodResult] = []
        for name, an in (("accurate tier", self.accurate), ("fast tier", self.fast)):
            res = an.classify(texts)
            r = score(
                name,
                gold,
                [c.function for c in res],
                [c.dimension for c in res],
                [c.confidence for c in res],
            )
            sure = [i for i, c in enumerate(res) if not c.unsure]
            right = sum(1 for i in sure if res[i].function == gold[i].function)
            out.append(
                replace(
                    r,
                    unsure_share=1 - len(sure) / len(res) if res else 0.0,
                    sure_accuracy=right / len(sure) if sure else None,
                )
            )
        if not baselines:
            return out
        lf, ld = lexicon_predict(texts, self.fw.dimension_ids)
        out.append(score("baseline: keyword lexicon", gold, lf, ld))
        assert self.accurate.embedder is not None
        t = self.threshold()
        zf, zd = zero_shot_predict(self.accurate.embedder.embed(texts), self.model.references, t)
        out.append(score(f"baseline: zero-shot cosine (t={t:.2f})", gold, zf, zd))
        return out


def evaluate(
    fw: Framework, heldout: list[Example], training: list[Example], model: TextModel
) -> list[MethodResult]:
    """Accurate tier, fast tier, lexicon and zero-shot baselines on one set of sentences."""
    return Evaluator(fw, training, model).run(heldout)
