"""Scale out on Ray Data: read CSV/Parquet -> map_batches over an actor pool -> write Parquet.

Each actor loads the model once. Ray is imported lazily, so the default install never needs it
(`pip install bifocals[ray]`). With RAY_ADDRESS set, the job runs on that cluster.
"""

from __future__ import annotations

import os
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
    for f in files:
        if not Path(f).is_file():
            raise BifocalsError(f"{f}: no such file")
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
    coded = ds.map_batches(
        _Classify,
        fn_constructor_kwargs={"column": column, "fast": fast, "lines": lines},
        batch_size=batch_size,
        batch_format="numpy",
        concurrency=workers,
        num_cpus=1,
    )
    coded.write_parquet(str(out))
    import pyarrow.parquet as pq

    return int(pq.read_table(str(out)).num_rows)
