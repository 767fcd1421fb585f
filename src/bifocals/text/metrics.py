"""Classification metrics in numpy: confusion matrix, per-class and macro F1, calibration."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def confusion(y_true: IntArray, y_pred: IntArray, k: int) -> IntArray:
    """k x k counts; rows are true classes, columns predicted."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def per_class_f1(y_true: IntArray, y_pred: IntArray, k: int) -> list[tuple[float, float, float]]:
    """(precision, recall, F1) per class; 0 where undefined."""
    m = confusion(y_true, y_pred, k)
    out: list[tuple[float, float, float]] = []
    for c in range(k):
        tp = float(m[c, c])
        p = tp / m[:, c].sum() if m[:, c].sum() else 0.0
        r = tp / m[c, :].sum() if m[c, :].sum() else 0.0
        out.append((p, r, 2 * p * r / (p + r) if p + r else 0.0))
    return out


def macro_f1(y_true: IntArray, y_pred: IntArray, k: int) -> float:
    """Unweighted mean of per-class F1 over classes present in y_true."""
    present = set(np.unique(y_true).tolist())
    f1s = [f for c, (_, _, f) in enumerate(per_class_f1(y_true, y_pred, k)) if c in present]
    return float(np.mean(f1s)) if f1s else 0.0


def calibration_error(confidence: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_]) -> float:
    """Expected calibration error of the predicted class's confidence, over 10 equal-width bins.

    The share-weighted mean of |accuracy - mean confidence| per bin: 0 means that among
    predictions made with confidence p, a share p is right.
    """
    if len(confidence) == 0:
        return 0.0
    bins = np.minimum((np.asarray(confidence) * 10).astype(np.int64), 9)
    n = np.bincount(bins, minlength=10).astype(np.float64)
    conf = np.bincount(bins, weights=confidence, minlength=10)
    hits = np.bincount(bins, weights=np.asarray(correct, dtype=np.float64), minlength=10)
    used = n > 0
    return float(np.sum(np.abs(hits[used] - conf[used])) / len(confidence))


def cohen_kappa(a: IntArray, b: IntArray, k: int) -> float:
    """Cohen's kappa of two labellings of the same items over k classes: (p_o - p_e) / (1 - p_e),
    with p_o the share of items labelled alike and p_e the agreement expected by chance from
    each labeller's class shares; 1.0 when both labellings agree on a single class."""
    n = len(a)
    if n == 0:
        return 0.0
    m = confusion(a, b, k).astype(np.float64)
    p_o = float(np.trace(m)) / n
    p_e = float(np.sum(m.sum(axis=1) * m.sum(axis=0))) / (n * n)
    return 1.0 if p_e >= 1.0 else (p_o - p_e) / (1.0 - p_e)
