"""The trained text model: accurate-tier heads, fast-tier tables and reference behaviours.

Saved as one .npz (data/head/head.npz) written by `bifocals text train`; loading it needs no
network and no training data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from bifocals.errors import BifocalsError
from bifocals.text.corpus import data_dir
from bifocals.text.fast import TableHead
from bifocals.text.heads import Blend, LinearHead

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class References:
    """Framework side descriptions and behaviours with their embeddings (evidence, zero-shot)."""

    texts: tuple[str, ...]
    dimensions: tuple[str, ...]
    sides: tuple[str, ...]
    vectors: FloatArray


@dataclass(frozen=True)
class TextModel:
    """Everything the analyzer needs at run time.

    The accurate tier scores with function_blend (dimension_blend): the embedding head's logits
    blended with the fast table's logits; the fast tier uses the tables alone.
    """

    function: LinearHead
    dimension: LinearHead
    fast_function: TableHead
    fast_dimension: TableHead
    references: References
    function_blend: Blend
    dimension_blend: Blend
    meta: dict[str, Any] = field(default_factory=dict)


def default_head_path() -> Path:
    """Where the shipped head lives."""
    return data_dir() / "head" / "head.npz"


# Where each kind of head keeps its weight matrix: the attribute, and the key in the file after
# the head's prefix (the intercept and temperature keys are the same for both).
_WEIGHTS: dict[type[LinearHead | TableHead], str] = {LinearHead: "coef", TableHead: "table"}
Head = TypeVar("Head", LinearHead, TableHead)


def _arrays(prefix: str, h: LinearHead | TableHead) -> dict[str, Any]:
    weights = _WEIGHTS[type(h)]
    return {
        f"{prefix}_{weights}": getattr(h, weights),
        f"{prefix}_intercept": h.intercept,
        f"{prefix}_temperature": np.float64(h.temperature),
    }


def save_model(model: TextModel, path: Path) -> None:
    """Write the model as a compressed .npz."""
    meta = dict(model.meta)
    meta["function_classes"] = list(model.function.classes)
    meta["dimension_classes"] = list(model.dimension.classes)
    meta["references"] = {
        "texts": list(model.references.texts),
        "dimensions": list(model.references.dimensions),
        "sides": list(model.references.sides),
    }
    arrays: dict[str, Any] = {
        **_arrays("function", model.function),
        **_arrays("dimension", model.dimension),
        **_arrays("fast_function", model.fast_function),
        **_arrays("fast_dimension", model.fast_dimension),
        "function_blend": np.array(
            [model.function_blend.weight, model.function_blend.temperature], dtype=np.float64
        ),
        "dimension_blend": np.array(
            [model.dimension_blend.weight, model.dimension_blend.temperature], dtype=np.float64
        ),
        "reference_vectors": model.references.vectors,
        "meta": np.array(json.dumps(meta, sort_keys=True)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)


def _rebuild_hint(path: Path) -> str:
    """How to (re)build a head at `path`."""
    if path == default_head_path():
        return "rebuild it with: bifocals text train --replace-shipped"
    return f"write one with: bifocals text train --out {path}"


def load_model(path: Path | None = None) -> TextModel:
    """Load a head file; a missing or damaged file says how to rebuild it."""
    p = path or default_head_path()
    if not p.is_file():
        raise BifocalsError(f"text model head not found at {p}; {_rebuild_hint(p)}")
    try:
        with np.load(p, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise BifocalsError(
            f"{p}: cannot read the text model head ({exc}); {_rebuild_hint(p)}"
        ) from exc
    meta: dict[str, Any] = json.loads(str(a["meta"]))
    fc = tuple(meta["function_classes"])
    dc = tuple(meta["dimension_classes"])

    def head(kind: type[Head], prefix: str, classes: tuple[str, ...]) -> Head:
        return kind(
            classes,
            a[f"{prefix}_{_WEIGHTS[kind]}"].astype(np.float32),
            a[f"{prefix}_intercept"].astype(np.float32),
            float(a[f"{prefix}_temperature"]),
        )

    def blend(key: str, head: LinearHead) -> Blend:
        if key not in a:  # heads written before the blend: the embedding head alone
            return Blend(1.0, head.temperature)
        w, t = (float(v) for v in a[key])
        return Blend(w, t)

    function, dimension = head(LinearHead, "function", fc), head(LinearHead, "dimension", dc)
    refs = meta["references"]
    return TextModel(
        function=function,
        dimension=dimension,
        fast_function=head(TableHead, "fast_function", fc),
        fast_dimension=head(TableHead, "fast_dimension", dc),
        references=References(
            tuple(refs["texts"]),
            tuple(refs["dimensions"]),
            tuple(refs["sides"]),
            a["reference_vectors"].astype(np.float32),
        ),
        function_blend=blend("function_blend", function),
        dimension_blend=blend("dimension_blend", dimension),
        meta={k: v for k, v in meta.items() if k not in ("references",)},
    )
