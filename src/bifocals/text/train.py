"""Train both tiers from the labelled corpus, reproducibly (fixed seed, deterministic solvers).

Regularisation strength is chosen by grouped cross-validation on the training data only; the
blind sets and the held-out split are never read here. The accurate tier blends the embedding
head with the fast tier's word-piece table; the blend weight is chosen on the same out-of-fold
scores. Choices are scored on the out-of-fold predictions of the sentences written one by one
in the registers users bring (the `v4_*` files), not on the frame-built ones, whose paraphrases
make cross-validation promise more than new text gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bifocals.framework import Framework
from bifocals.text.corpus import FUNCTIONS, Example, corpus_digest
from bifocals.text.embed import MODEL_SHA256, TOKENIZER_SHA256, Embedder
from bifocals.text.fast import TableHead, bag, fold_table, static_vectors, token_features
from bifocals.text.heads import FitResult, LinearHead, fit_blend, fit_head
from bifocals.text.metrics import macro_f1
from bifocals.text.model import References, TextModel

SEED = 20261123
# Chosen by grouped 5-fold CV on the training data over (0.5, 2, 8) and (128, 512, 2048), scored
# on the register files; `bifocals text train --search` repeats that search.
C_GRID = (0.5, 2.0, 8.0)
FAST_C_GRID = (128.0, 512.0, 2048.0)
ACCURATE_C = 2.0
FAST_C = 128.0
# Training files whose sentences score the choices (see the module docstring).
SCORED_PREFIX = "v4_"


@dataclass(frozen=True)
class TrainReport:
    """What training chose and how it did in cross-validation (training data only)."""

    n_sentences: int
    accurate_c: float
    fast_c: float
    function_blend_weight: float
    dimension_blend_weight: float
    cv_function_f1: float
    cv_fast_function_f1: float
    cv_embedding_head_function_f1: float
    cv_dimension_accuracy: float
    cv_fast_dimension_accuracy: float
    # the same on the register files' sentences only (the rows that scored the choices)
    scored_sentences: int
    cv_scored_function_f1: float
    cv_scored_fast_function_f1: float
    cv_scored_dimension_accuracy: float
    cv_scored_fast_dimension_accuracy: float


def references(fw: Framework) -> tuple[list[str], list[str], list[str]]:
    """Each side's description and behaviours, as reference sentences."""
    texts: list[str] = []
    dims: list[str] = []
    sides: list[str] = []
    for d in fw.dimensions:
        for side in ("leadership", "management"):
            spec = d.side(side)
            for t in (spec.description, *spec.behaviours):
                texts.append(" ".join(t.split()))
                dims.append(d.id)
                sides.append(side)
    return texts, dims, sides


def _round(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    # Embeddings are rounded to 1e-5 before fitting so that last-bit differences between CPUs
    # cannot move the fitted coefficients.
    return np.round(x, 5).astype(np.float32)


def scored_rows(examples: list[Example]) -> npt.NDArray[np.bool_]:
    """The rows whose out-of-fold predictions choose C and the blend (all rows when no
    register file is present)."""
    rows = np.array([e.source.startswith(SCORED_PREFIX) for e in examples], dtype=bool)
    return rows if rows.any() else np.ones(len(examples), dtype=bool)


def _best(
    fit: Callable[[float], FitResult],
    grid: tuple[float, ...],
    y: npt.NDArray[np.int64],
    k: int,
    rows: npt.NDArray[np.bool_],
) -> tuple[float, FitResult]:
    best: tuple[float, float, FitResult] | None = None
    for c in grid:
        res = fit(c)
        score = macro_f1(y[rows], res.oof_pred[rows], k)
        if best is None or score > best[0] + 1e-9:
            best = (score, c, res)
    assert best is not None
    return best[1], best[2]


def train(
    fw: Framework,
    examples: list[Example],
    progress: Callable[[str], None] | None = None,
    search: bool = False,
) -> tuple[TextModel, TrainReport]:
    """Embed the corpus, fit accurate and fast heads for function and dimension."""
    say = progress or (lambda _msg: None)
    embedder = Embedder()
    texts = [e.text for e in examples]
    y_func = np.array([FUNCTIONS.index(e.function) for e in examples], dtype=np.int64)
    groups_map: dict[str, int] = {}
    groups = np.array([groups_map.setdefault(e.group, len(groups_map)) for e in examples])
    dim_ids = fw.dimension_ids
    has_dim = np.array([e.dimension is not None for e in examples])
    y_dim = np.array([dim_ids.index(e.dimension) if e.dimension else -1 for e in examples])

    say(f"embedding {len(texts)} training sentences")
    ids = embedder.token_ids(texts)
    x = _round(embedder.embed_ids(ids))
    say("distilling static token vectors (one MiniLM pass per vocabulary entry)")
    vectors = _round(static_vectors(embedder))
    xf = token_features(ids, vectors)

    def acc(
        c: float, feats: Any, y: npt.NDArray[np.int64], cls: tuple[str, ...], m: Any
    ) -> FitResult:
        return fit_head(feats[m], y[m], cls, groups[m], c, SEED)

    all_rows = np.ones(len(examples), dtype=bool)
    scored = scored_rows(examples)
    say("fitting accurate heads")
    grid = C_GRID if search else (ACCURATE_C,)
    c_acc, f_res = _best(lambda c: acc(c, x, y_func, FUNCTIONS, all_rows), grid, y_func, 3, scored)
    d_res = acc(c_acc, x, y_dim, dim_ids, has_dim)
    say("fitting fast heads")
    fgrid = FAST_C_GRID if search else (FAST_C,)
    c_fast, ff_res = _best(
        lambda c: acc(c, xf, y_func, FUNCTIONS, all_rows), fgrid, y_func, 3, scored
    )
    fd_res = acc(c_fast, xf, y_dim, dim_ids, has_dim)

    say("choosing the accurate tier's blend of embedding head and word-piece table")
    yd = y_dim[has_dim]
    sd = scored[has_dim]
    f_blend, fb_pred = fit_blend(
        f_res.oof, ff_res.oof, y_func, lambda p: macro_f1(y_func[scored], p[scored], 3)
    )
    d_blend, db_pred = fit_blend(
        d_res.oof, fd_res.oof, yd, lambda p: float((p[sd] == yd[sd]).mean())
    )

    def fold(h: LinearHead) -> TableHead:
        return TableHead(h.classes, fold_table(h.coef, vectors), h.intercept, h.temperature)

    ref_texts, ref_dims, ref_sides = references(fw)
    model = TextModel(
        function=f_res.head,
        dimension=d_res.head,
        fast_function=fold(ff_res.head),
        fast_dimension=fold(fd_res.head),
        references=References(
            tuple(ref_texts), tuple(ref_dims), tuple(ref_sides), _round(embedder.embed(ref_texts))
        ),
        function_blend=f_blend,
        dimension_blend=d_blend,
        meta={
            "framework": f"{fw.id} v{fw.version}",
            "seed": SEED,
            "accurate_c": c_acc,
            "fast_c": c_fast,
            "function_blend_weight": f_blend.weight,
            "dimension_blend_weight": d_blend.weight,
            "n_sentences": len(examples),
            "corpus_sha256": corpus_digest(examples),
            "model_sha256": MODEL_SHA256,
            "tokenizer_sha256": TOKENIZER_SHA256,
        },
    )
    # sanity: the folded fast table reproduces the unfolded head's scores
    bow = bag(ids, vectors.shape[0])
    assert np.allclose(model.fast_function.logits(bow), ff_res.head.logits(xf), atol=1e-3)
    report = TrainReport(
        n_sentences=len(examples),
        accurate_c=c_acc,
        fast_c=c_fast,
        function_blend_weight=f_blend.weight,
        dimension_blend_weight=d_blend.weight,
        cv_function_f1=macro_f1(y_func, fb_pred, 3),
        cv_fast_function_f1=macro_f1(y_func, ff_res.oof_pred, 3),
        cv_embedding_head_function_f1=macro_f1(y_func, f_res.oof_pred, 3),
        cv_dimension_accuracy=float((db_pred == yd).mean()),
        cv_fast_dimension_accuracy=float((fd_res.oof_pred == yd).mean()),
        scored_sentences=int(scored.sum()),
        cv_scored_function_f1=macro_f1(y_func[scored], fb_pred[scored], 3),
        cv_scored_fast_function_f1=macro_f1(y_func[scored], ff_res.oof_pred[scored], 3),
        cv_scored_dimension_accuracy=float((db_pred[sd] == yd[sd]).mean()),
        cv_scored_fast_dimension_accuracy=float((fd_res.oof_pred[sd] == yd[sd]).mean()),
    )
    return model, report
