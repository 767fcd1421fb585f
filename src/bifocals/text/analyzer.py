"""The analyzer: classify units of text as leadership, management or neither, per dimension.

`Analyzer(fast=False)` runs MiniLM embeddings and the accurate heads, blended with the
word-piece tables; `Analyzer(fast=True)` runs the static-token tables only. Both return one
Classification per input text, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bifocals.profile import Profile
from bifocals.text.abstain import CONTENT_FREE_RULE, content_free, is_unsure
from bifocals.text.embed import Embedder, load_tokenizer
from bifocals.text.fast import bag, ragged
from bifocals.text.guard import check_english, truncate
from bifocals.text.model import TextModel, load_model
from bifocals.text.tally import Tally


@dataclass(frozen=True)
class Classification:
    """One unit's result. dimension is None for 'neither'; confidence is calibrated.

    skipped names why a unit was not classified (e.g. not English); such units are reported as
    'neither' with confidence 0.0 so that callers can zip results with their inputs. A
    content-free answer ("ok", "n/a", "see above") is 'neither' by rule, with confidence 1.0.
    unsure marks a coding whose calibrated confidence is too low to file it under a label
    (see bifocals.text.abstain); reports leave such units uncoded.
    """

    text: str
    function: str
    dimension: str | None
    confidence: float
    evidence: str
    dimension_confidence: float | None = None
    truncated: bool = False
    skipped: str | None = None
    unsure: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        dconf = self.dimension_confidence
        return {  # built by hand: dataclasses.asdict deep-copies, a third of analyze's time
            "text": self.text,
            "function": self.function,
            "dimension": self.dimension,
            "confidence": round(self.confidence, 4),
            "evidence": self.evidence,
            "dimension_confidence": None if dconf is None else round(dconf, 4),
            "truncated": self.truncated,
            "skipped": self.skipped,
            "unsure": self.unsure,
        }


class Analyzer:
    """Classifies sentences offline; load once, call classify many times."""

    def __init__(
        self,
        fast: bool = False,
        model: TextModel | None = None,
        head: Path | None = None,
        threads: int | None = None,
    ) -> None:
        self.fast = fast
        self.model = model or load_model(head)
        self.embedder: Embedder | None = None if fast else Embedder(threads=threads)
        self.tokenizer = load_tokenizer()
        self.tier = "fast" if fast else "accurate"
        self._vocab: list[str] | None = None
        refs = self.model.references
        cells: dict[tuple[str, str], list[int]] = {}
        for k, key in enumerate(zip(refs.dimensions, refs.sides, strict=True)):
            cells.setdefault(key, []).append(k)
        self._cells = {key: np.asarray(v, dtype=np.int64) for key, v in cells.items()}

    def _scores(self, texts: list[str]) -> tuple[Any, Any, Any]:
        m = self.model
        if self.embedder is None:
            ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
            b = bag(ids, m.fast_function.table.shape[0])
            return m.fast_function.proba(b), m.fast_dimension.proba(b), ragged(ids)
        ids = self.embedder.token_ids(texts)
        x = self.embedder.embed_ids(ids)
        b = bag(ids, m.fast_function.table.shape[0])
        pf = m.function_blend.proba(m.function.logits(x), m.fast_function.logits(b))
        pd = m.dimension_blend.proba(m.dimension.logits(x), m.fast_dimension.logits(b))
        return pf, pd, x

    def _fast_evidence(self, aux: Any, pred: npt.NDArray[np.int64], coded: Any) -> list[str]:
        """Up to three word pieces per unit that pushed hardest towards its function."""
        flat, rows = aux
        n = len(pred)
        w = self.model.fast_function.table[flat, pred[rows]]
        order = np.lexsort((-w, rows))
        f, r, ww = flat[order], rows[order], w[order]
        starts = np.searchsorted(r, np.arange(n))
        ends = np.searchsorted(r, np.arange(n), side="right")
        if self._vocab is None:
            vocab = self.tokenizer.get_vocab()
            names = [""] * self.tokenizer.get_vocab_size()
            for tok, idx in vocab.items():
                names[idx] = tok
            self._vocab = names
        out: list[str] = []
        for i in range(n):
            words: list[str] = []
            if coded[i]:
                for j in range(int(starts[i]), min(int(ends[i]), int(starts[i]) + 8)):
                    if ww[j] <= 0 or len(words) == 3:
                        break
                    tok = self._vocab[int(f[j])]
                    if tok not in words:
                        words.append(tok)
            out.append("words: " + ", ".join(words) if words else "")
        return out

    def _accurate_evidence(self, x: Any, i: int, func: str, dim: str | None) -> str:
        """The nearest framework behaviour or description within the predicted cell; for
        `neither`, the nearest one overall, said to be not close enough to count."""
        refs = self.model.references
        sims = refs.vectors @ x[i]
        cell = self._cells.get((dim or "", func))
        j = int(np.argmax(sims)) if cell is None else int(cell[np.argmax(sims[cell])])
        found = f"{refs.texts[j]} (cosine {sims[j]:.2f})"
        return f"no framework behaviour close; nearest: {found}" if func == "neither" else found

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        """One Classification per text, in input order; non-English units are marked skipped."""
        prepared: list[tuple[str, bool]] = [truncate(" ".join(t.split())) for t in texts]
        skipped: dict[int, str] = {}
        for i, (t, _) in enumerate(prepared):
            check = check_english(t) if t else None
            if check is None:
                skipped[i] = "empty"
            elif check.skip is not None:
                skipped[i] = check.skip  # "no words" or "not English (...)"
        out: list[Classification | None] = [None] * len(prepared)
        for i, why in skipped.items():
            out[i] = Classification(prepared[i][0], "neither", None, 0.0, "", None, False, why)
        keep: list[int] = []
        for i, (t, cut) in enumerate(prepared):
            if i in skipped:
                continue
            if content_free(t):
                out[i] = Classification(t, "neither", None, 1.0, CONTENT_FREE_RULE, None, cut)
            else:
                keep.append(i)
        if keep:
            pf, pd, aux = self._scores([prepared[i][0] for i in keep])
            fc, dc = self.model.function.classes, self.model.dimension.classes
            pred = np.asarray(pf.argmax(axis=1), dtype=np.int64)
            neither = fc.index("neither")
            fast_ev = self._fast_evidence(aux, pred, pred != neither) if self.fast else None
            for row, i in enumerate(keep):
                k = int(pred[row])
                func = fc[k]
                dim = None if func == "neither" else dc[int(np.argmax(pd[row]))]
                ev = (
                    fast_ev[row]
                    if fast_ev is not None
                    else self._accurate_evidence(aux, row, func, dim)
                )
                dconf = None if dim is None else float(pd[row].max())
                conf = float(pf[row, k])
                text, cut = prepared[i]
                out[i] = Classification(
                    text, func, dim, conf, ev, dconf, cut, None, is_unsure(func, conf, dconf)
                )
        return [c for c in out if c is not None]

    def profile(self, classifications: Sequence[Classification], subject: str) -> Profile:
        """Document profile: per dimension and side, the share of classified units coded there.

        Stat.mean is that share (0..1), n the number of units coded there, and the 95% interval
        a Wilson interval over all classified units; skipped units are left out.
        """
        tally = Tally()
        tally.add(classifications)
        return tally.profile(self.model.dimension.classes, f"text:{self.tier}:share", subject)


def mean_confidence(
    classifications: Sequence[Classification],
) -> dict[tuple[str, str], float]:
    """Mean confidence of the units coded to each (dimension, side)."""
    tally = Tally()
    tally.add(classifications)
    return tally.mean_confidence()
