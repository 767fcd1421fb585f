"""Two independent labellings of one set of texts: agreement, and the rows both agree on.

An evaluation set is only as good as its labels. Each blind set is written by one person, who
labels it, and labelled again by another who sees only the texts. This module reads the texts
and the two label files, measures the agreement (Cohen's kappa for the function, and for the
dimension over the texts both call leadership or management alike), and keeps the texts on
which both agree on function and dimension; disagreements are dropped, not arbitrated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bifocals.errors import BifocalsError, Problem, ValidationError
from bifocals.text.corpus import FUNCTIONS
from bifocals.text.metrics import cohen_kappa


@dataclass(frozen=True)
class Label:
    """One labeller's label of one text."""

    function: str
    dimension: str


@dataclass(frozen=True)
class Agreement:
    """How far two labellings agree, and the rows kept."""

    written: int
    kept: int
    function_agreement: float
    kappa_function: float
    dimension_agreement: float
    kappa_dimension: float
    rows: list[dict[str, str]]

    def summary(self) -> dict[str, float]:
        """The figures without the rows (what agreement.json holds per register)."""
        return {
            "written": self.written,
            "kept": self.kept,
            "function_agreement": round(self.function_agreement, 4),
            "kappa_function": round(self.kappa_function, 4),
            "dimension_agreement": round(self.dimension_agreement, 4),
            "kappa_dimension": round(self.kappa_dimension, 4),
        }


def _rows(path: Path, need: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise BifocalsError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(need) - set(reader.fieldnames or ())
        if missing:
            raise BifocalsError(
                f"{path}:1: missing column(s) {', '.join(sorted(missing))}; "
                f"expected {','.join(need)}"
            )
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader]


def _labels(path: Path, dimensions: tuple[str, ...]) -> dict[str, Label]:
    problems: list[Problem] = []
    out: dict[str, Label] = {}
    for line, row in _rows(path, ("id", "function", "dimension")):
        func, dim = row["function"], row["dimension"]
        if func not in FUNCTIONS:
            problems.append(Problem(str(path), line, "function", func, "leadership, "
                                    "management or neither"))  # fmt: skip
        elif (func == "neither") != (dim == "") or (dim and dim not in dimensions):
            problems.append(Problem(str(path), line, "dimension", dim, "a dimension id for "
                                    "leadership and management, empty for neither"))  # fmt: skip
        if row["id"] in out:
            problems.append(Problem(str(path), line, "id", row["id"], "appears twice"))
        out[row["id"]] = Label(func, dim)
    if problems:
        raise ValidationError(problems, f"invalid label file {path}")
    return out


def agree(texts: Path, labels_a: Path, labels_b: Path, dimensions: tuple[str, ...]) -> Agreement:
    """Compare two label files over texts.csv (columns id, text); keep the rows they agree on.

    Kept rows have id, text, function, dimension and every other column of labels_a (genre).
    """
    items = _rows(texts, ("id", "text"))
    a, b = _labels(labels_a, dimensions), _labels(labels_b, dimensions)
    missing = [
        Problem(str(p), 0, "id", i, "has no label for this text")
        for p, labels in ((labels_a, a), (labels_b, b))
        for _, row in items
        if (i := row["id"]) not in labels
    ]
    if missing:
        raise ValidationError(missing, "a label file does not cover every text")
    extra = {row["id"]: row for _, row in _rows(labels_a, ("id",))}
    first = next(iter(extra.values()), {})
    extra_cols = [c for c in first if c not in ("id", "function", "dimension")]
    ids = [row["id"] for _, row in items]
    fa = np.array([FUNCTIONS.index(a[i].function) for i in ids], dtype=np.int64)
    fb = np.array([FUNCTIONS.index(b[i].function) for i in ids], dtype=np.int64)
    both = [i for i in ids if a[i].function == b[i].function and a[i].function != "neither"]
    da = np.array([dimensions.index(a[i].dimension) for i in both], dtype=np.int64)
    db = np.array([dimensions.index(b[i].dimension) for i in both], dtype=np.int64)
    kept = [
        {
            "id": row["id"],
            "text": row["text"],
            "function": a[row["id"]].function,
            "dimension": a[row["id"]].dimension,
            **{c: extra[row["id"]].get(c, "") for c in extra_cols},
        }
        for _, row in items
        if a[row["id"]] == b[row["id"]]
    ]
    n = len(ids)
    return Agreement(
        written=n,
        kept=len(kept),
        function_agreement=float((fa == fb).mean()) if n else 0.0,
        kappa_function=cohen_kappa(fa, fb, 3),
        dimension_agreement=float((da == db).mean()) if both else 0.0,
        kappa_dimension=cohen_kappa(da, db, len(dimensions)) if both else 0.0,
        rows=kept,
    )


def write_rows(rows: list[dict[str, str]], path: Path) -> None:
    """The kept rows as a labelled CSV (id, text, function, dimension, genre...)."""
    if not rows:
        raise BifocalsError(f"{path}: no rows to write (the two labellings agree on nothing)")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
