"""Classification metrics in numpy: confusion matrix, per-class and macro F1."""

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
