"""Scale out on Ray Data: read CSV/Parquet -> map_batches over an actor pool -> write Parquet.

Each actor loads the model once. Ray is imported lazily, so the default install never needs it
(`pip install bifocals[ray]`). With RAY_ADDRESS set, the job runs on that cluster.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from bifocals.errors import BifocalsError
from bifocals.text.sources import _missing_column, units_from_text


class _Classify:
    """The per-actor callable: segments each row's text and classifies the units."""

    def __init__(self, column: str, fast: bool, lines: bool) -> None:
        from bifocals.text.analyzer import Analyzer

        self.column, self.lines = column, lines
        self.analyzer = Analyzer(fast=fast, threads=1)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from bifocals.text.sinks import COLUMNS

        texts: list[str] = []
        sources: list[str] = []
        for cell, path in zip(batch[self.column], batch["path"], strict=True):
            cell_text = "" if cell is None else str(cell)
            for u in units_from_text(cell_text, str(path), self.lines):
                texts.append(u.text)
                sources.append(str(path))
        results = self.analyzer.classify(texts)
        out: dict[str, list[Any]] = {k: [] for k in COLUMNS}
        for src, c in zip(sources, results, strict=True):
            if c.skipped:
                continue
            d = c.to_dict()
            d["source"], d["line"] = os.path.basename(src), None
            for k in COLUMNS:
                out[k].append(d.get(k))
        return {k: np.asarray(v, dtype=object) for k, v in out.items()}


def run_ray(
    files: list[str],
    column: str,
    out: Path,
    fast: bool = False,
    lines: bool = False,
    workers: int = 2,
    batch_size: int = 256,
) -> int:
    """Classify a column of CSV or Parquet files on Ray; returns the number of units written."""
    try:
        import ray
    except ImportError as exc:
        raise BifocalsError("--engine ray needs Ray Data: pip install 'bifocals[ray]'") from exc
    suffixes = {Path(f).suffix.lower() for f in files}
    if not suffixes <= {".csv", ".parquet", ".pq"} or len(suffixes) != 1:
        raise BifocalsError("--engine ray reads CSV files or Parquet files (one kind per run)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BifocalsError(f"{out}: already exists; Ray writes a new folder, give a fresh path")
    for f in files:
        if not Path(f).is_file():
            raise BifocalsError(f"{f}: no such file")
    # Ray Data emits its own deprecation warnings while it sets itself up; they are not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return _run(ray, files, suffixes, column, out, fast, lines, workers, batch_size)


def _run(
    ray: Any,
    files: list[str],
    suffixes: set[str],
    column: str,
    out: Path,
    fast: bool,
    lines: bool,
    workers: int,
    batch_size: int,
) -> int:
    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS"), ignore_reinit_error=True)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    if suffixes == {".csv"}:
        ds = ray.data.read_csv(files, include_paths=True)
    else:
        ds = ray.data.read_parquet(files, include_paths=True)
    names = ds.columns() or []
    if column not in names:
        raise _missing_column(", ".join(files), column, [n for n in names if n != "path"])
    ds = ds.select_columns([column, "path"])
    # Leave one CPU for the read and write tasks, or a small cluster deadlocks on the actors.
    total = float(ray.cluster_resources().get("CPU", 1.0))
    per_actor = min(1.0, max(0.1, (total - 1.0) / workers))
    coded = ds.map_batches(
        _Classify,
        fn_constructor_kwargs={"column": column, "fast": fast, "lines": lines},
        batch_size=batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=per_actor,
    )
    coded.write_parquet(str(out))
    import pyarrow.parquet as pq

    return int(pq.read_table(str(out)).num_rows)
