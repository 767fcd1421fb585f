"""Linear classifier heads with temperature-scaled (calibrated) probabilities.

Multinomial logistic regression (scikit-learn, lbfgs, fixed seed) fitted on all training
sentences; the temperature is fitted on out-of-fold logits from a grouped 5-fold split, so the
probabilities are calibrated on sentences the head did not see (paraphrases of one hand-written
phrase stay in one fold).

The accurate tier blends two heads: weight * (embedding head logits) + (1 - weight) * (word-piece
table logits), with the weight chosen on the same out-of-fold logits and a temperature of its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

FloatArray = npt.NDArray[np.float32]
Features = Any  # dense ndarray or scipy sparse matrix


@dataclass(frozen=True)
class LinearHead:
    """Scores = X @ coef.T + intercept; probabilities = softmax(scores / temperature)."""

    classes: tuple[str, ...]
    coef: FloatArray
    intercept: FloatArray
    temperature: float

    def logits(self, x: Features) -> FloatArray:
        """Raw class scores."""
        return np.asarray(x @ self.coef.T + self.intercept, dtype=np.float32)

    def proba(self, x: Features) -> FloatArray:
        """Calibrated class probabilities."""
        return probabilities(self.logits(x), self.temperature)


def probabilities(logits: FloatArray, temperature: float) -> FloatArray:
    """Softmax of temperature-scaled scores."""
    return np.asarray(softmax(logits / temperature, axis=1), dtype=np.float32)


@dataclass(frozen=True)
class FitResult:
    """A fitted head and its out-of-fold scores (a dev estimate, never the test set)."""

    head: LinearHead
    oof_pred: npt.NDArray[np.int64]
    oof: FloatArray  # out-of-fold logits, one row per training sentence


# Candidate weights of the embedding head in the accurate tier's blend (1.0: embedding only).
BLEND_GRID = (1.0, 0.75, 0.6, 0.5, 0.4, 0.25)


@dataclass(frozen=True)
class Blend:
    """Scores = weight * linear logits + (1 - weight) * table logits; softmax(scores / T)."""

    weight: float
    temperature: float

    def logits(self, linear: FloatArray, table: FloatArray) -> FloatArray:
        """Blended class scores."""
        w = np.float32(self.weight)
        return np.asarray(w * linear + (np.float32(1.0) - w) * table, dtype=np.float32)

    def proba(self, linear: FloatArray, table: FloatArray) -> FloatArray:
        """Calibrated class probabilities of the blend."""
        return probabilities(self.logits(linear, table), self.temperature)


def fit_blend(
    linear_oof: FloatArray,
    table_oof: FloatArray,
    y: npt.NDArray[np.int64],
    score: Callable[[npt.NDArray[np.int64]], float],
    grid: tuple[float, ...] = BLEND_GRID,
) -> tuple[Blend, npt.NDArray[np.int64]]:
    """The grid weight whose blended out-of-fold predictions score best (first wins a tie),
    with a temperature fitted on the blended out-of-fold logits."""
    best: tuple[float, float, FloatArray] | None = None
    for w in grid:
        blended = Blend(w, 1.0).logits(linear_oof, table_oof)
        s = score(np.asarray(blended.argmax(axis=1), dtype=np.int64))
        if best is None or s > best[0] + 1e-9:
            best = (s, w, blended)
    assert best is not None
    _, weight, blended = best
    return Blend(weight, fit_temperature(blended, y)), np.asarray(
        blended.argmax(axis=1), dtype=np.int64
    )


class _LR:
    """LogisticRegression with a fixed iteration budget; hitting it is expected, not an error."""

    def __init__(self, c: float, seed: int, max_iter: int) -> None:
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression(
            C=c, max_iter=max_iter, tol=1e-6, class_weight="balanced", random_state=seed
        )

    def fit(self, x: Features, y: npt.NDArray[np.int64]) -> Any:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self.model.fit(x, y)


def _lr(c: float, seed: int, max_iter: int) -> _LR:
    return _LR(c, seed, max_iter)


def fit_temperature(logits: FloatArray, y: npt.NDArray[np.int64]) -> float:
    """The temperature that minimises the negative log-likelihood of held-out logits."""

    def nll(log_t: float) -> float:
        lp = log_softmax(logits / np.exp(log_t), axis=1)
        return float(-lp[np.arange(len(y)), y].mean())

    res = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(res.x))


def fit_head(
    x: Features,
    y: npt.NDArray[np.int64],
    classes: tuple[str, ...],
    groups: npt.NDArray[np.int64],
    c: float,
    seed: int,
    folds: int = 5,
    max_iter: int = 1000,
) -> FitResult:
    """Fit the head on everything; calibrate its temperature on grouped out-of-fold scores."""
    from sklearn.model_selection import GroupKFold

    oof = np.zeros((len(y), len(classes)), dtype=np.float32)
    for tr, te in GroupKFold(n_splits=folds).split(x, y, groups):
        model = _lr(c, seed, max_iter).fit(x[tr], y[tr])
        scores = np.zeros((len(te), len(classes)), dtype=np.float32)
        scores[:, model.classes_] = model.decision_function(x[te])
        missing = np.setdiff1d(np.arange(len(classes)), model.classes_)
        scores[:, missing] = -1e3
        oof[te] = scores
    full = _lr(c, seed, max_iter).fit(x, y)
    coef = np.zeros((len(classes), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(classes), dtype=np.float32)
    coef[full.classes_] = full.coef_
    intercept[full.classes_] = full.intercept_
    temperature = fit_temperature(oof, y)
    head = LinearHead(classes, coef, intercept, temperature)
    return FitResult(head, np.asarray(oof.argmax(axis=1), dtype=np.int64), oof)
