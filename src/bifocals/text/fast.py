"""The fast tier: static token vectors distilled from MiniLM, folded into one table per head.

Training: each WordPiece token is run through MiniLM on its own to get a static vector; a
sentence's features are the mean static vector of its tokens plus the mean one-hot of its tokens
(a bag of word pieces). A linear head on those features is linear in the tokens, so it folds
into one table: score(sentence) = mean over its tokens of table[token] + intercept.
Inference is a tokenizer call and a table lookup; no transformer runs.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bifocals.text.heads import probabilities

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from bifocals.text.embed import Embedder

FloatArray = npt.NDArray[np.float32]
SPECIAL_IDS = (0, 100, 101, 102, 103)  # [PAD] [UNK] [CLS] [SEP] [MASK]
_TOKEN_RE = re.compile(r"(##)?[a-z]+")


def static_vectors(embedder: Embedder, batch: int = 512) -> FloatArray:
    """One unit vector per vocabulary entry (zero for specials, symbols and non-Latin pieces)."""
    vocab = embedder.tokenizer.get_vocab()
    size = embedder.tokenizer.get_vocab_size()
    out = np.zeros((size, 384), dtype=np.float32)
    ids = sorted(i for t, i in vocab.items() if _TOKEN_RE.fullmatch(t) and i not in SPECIAL_IDS)
    old = embedder.batch_size
    embedder.batch_size = batch
    try:
        out[ids] = embedder.embed_ids([[i] for i in ids])
    finally:
        embedder.batch_size = old
    return out


def ragged(ids: list[list[int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Flatten token ids without specials: (flat ids, row of each id)."""
    lens = np.fromiter((len(s) for s in ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(lens.sum()))
    rows = np.repeat(np.arange(len(ids), dtype=np.int64), lens)
    keep = ~np.isin(flat, SPECIAL_IDS)
    return flat[keep], rows[keep]


def bag(ids: list[list[int]], vocab: int) -> csr_matrix:
    """Mean one-hot of each sentence's word pieces (specials left out), as a sparse matrix."""
    from scipy.sparse import csr_matrix

    n = len(ids)
    flat, rows = ragged(ids)
    counts = np.maximum(np.bincount(rows, minlength=n), 1).astype(np.float32)
    weights = 1.0 / counts[rows]
    return csr_matrix((weights, (rows, flat)), shape=(n, vocab), dtype=np.float32)


def token_features(ids: list[list[int]], vectors: FloatArray) -> csr_matrix:
    """Training features: [mean static vector | mean one-hot of word pieces] per sentence."""
    from scipy.sparse import csr_matrix, hstack

    bow = bag(ids, vectors.shape[0])
    dense = np.asarray(bow @ vectors, dtype=np.float32)
    return hstack([csr_matrix(dense), bow], format="csr")


def fold_table(coef: FloatArray, vectors: FloatArray) -> FloatArray:
    """Fold a head over token_features into a (vocab x classes) table."""
    dim = vectors.shape[1]
    return np.asarray(vectors @ coef[:, :dim].T + coef[:, dim:].T, dtype=np.float32)


@dataclass(frozen=True)
class TableHead:
    """A folded fast-tier head: mean of table rows of a sentence's tokens, plus intercept."""

    classes: tuple[str, ...]
    table: FloatArray
    intercept: FloatArray
    temperature: float

    def logits(self, bow: csr_matrix) -> FloatArray:
        """Class scores from bag(ids, vocab)."""
        return np.asarray(bow @ self.table + self.intercept, dtype=np.float32)

    def proba(self, bow: csr_matrix) -> FloatArray:
        """Calibrated probabilities."""
        return probabilities(self.logits(bow), self.temperature)
