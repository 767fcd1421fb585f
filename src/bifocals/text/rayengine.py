"""Scale out on Ray Data: table rows -> map_batches over an actor pool -> Parquet, in order.

The driver reads the text column (and the --id-column) of each CSV or Parquet file with the
same reader as the local engine and hands the rows to Ray in numbered blocks, so every row
keeps its file and row number (`line`) and both engines see exactly the same cells. Each
actor loads the model once and classifies its batches; the driver takes the results back in
input order (Ray Data's preserve_order, checked and if need be restored by `in_order`),
counts skipped units like the local engine and writes them to numbered Parquet files
(part-00000.parquet, ...) whose name order is the input order.

Ray is imported lazily, so the default install never needs it (`pip install bifocals[ray]`).
With RAY_ADDRESS set, the job runs on that cluster; the output folder is written by the driver.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bifocals.errors import BifocalsError
from bifocals.text.sources import cell_units, check_columns, column_values, is_table

BLOCK_ROWS = 5000
FILE_ROWS = 1_000_000


@dataclass
class RayResult:
    """What a Ray run wrote and what it left out, counted like the local engine does."""

    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    truncated: int = 0
    files: list[Path] = field(default_factory=list)


class _Classify:
    """The per-actor callable: splits each row's cell into units and classifies them."""

    def __init__(self, fast: bool, lines: bool, with_id: bool) -> None:
        from bifocals.text.analyzer import Analyzer

        self.lines, self.with_id = lines, with_id
        self.analyzer = Analyzer(fast=fast, threads=1)

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        from bifocals.text.sinks import record, schema

        rows = batch.to_pydict()
        units: list[Any] = []
        order: list[tuple[int, int]] = []
        for seq, src, line, cell, ident in zip(
            rows["seq"], rows["source"], rows["line"], rows["cell"], rows["id"], strict=True
        ):
            for sub, u in enumerate(cell_units(src, int(line), cell, self.lines, ident)):
                units.append(u)
                order.append((int(seq), sub))
        results = self.analyzer.classify([u.text for u in units])
        out = [
            {**record(u, c, self.with_id), "skipped": c.skipped, "_seq": seq, "_sub": sub}
            for u, c, (seq, sub) in zip(units, results, order, strict=True)
        ]
        return pa.Table.from_pylist(out, schema=_out_schema(schema(self.with_id)))


def _out_schema(base: Any) -> Any:
    import pyarrow as pa

    extra = [("skipped", pa.string()), ("_seq", pa.int64()), ("_sub", pa.int64())]
    for name, kind in extra:
        base = base.append(pa.field(name, kind))
    return base


def in_order(batches: Iterable[Any], rows: int) -> Iterator[Any]:
    """Result batches in input order, whatever order Ray hands them over in.

    Every input row (numbered by `_seq` from 0 across all files) gives at least one unit
    (numbered by `_sub` within the row), so the unit after (seq, sub) is (seq, sub + 1) or
    (seq + 1, 0), and the last one belongs to row `rows - 1`. Batches are held back until the
    one that starts there has arrived; with Ray's preserve_order this buffer stays empty, and
    it is what makes the order (and that nothing was lost) certain.
    """
    pending: dict[tuple[int, int], Any] = {}
    last: tuple[int, int] | None = None
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending[(batch["_seq"][0].as_py(), batch["_sub"][0].as_py())] = batch
        while True:
            nexts = [(0, 0)] if last is None else [(last[0], last[1] + 1), (last[0] + 1, 0)]
            key = next((k for k in nexts if k in pending), None)
            if key is None:
                break
            ready = pending.pop(key)
            last = (ready["_seq"][-1].as_py(), ready["_sub"][-1].as_py())
            yield ready
    if pending or (last[0] if last else -1) != rows - 1:
        raise BifocalsError(
            f"Ray returned results that do not follow on from unit {last}; nothing after it "
            "was written. Run again (a worker may have died)"
        )


def check_ray_inputs(
    files: list[str], column: str, id_column: str | None, out: Path, workers: int, force: bool
) -> None:
    """Everything that can be refused before Ray starts: kinds, columns, workers, the output."""
    if workers < 1:
        raise BifocalsError(f"--workers {workers}: give at least 1 (the Ray actors that classify)")
    for f in files:
        if not Path(f).is_file():
            raise BifocalsError(f"{f}: no such file")
        if not is_table(f):
            raise BifocalsError(f"{f}: --engine ray reads CSV or Parquet files")
        check_columns(Path(f), column, id_column)
    if out.exists():
        if not force:
            raise BifocalsError(f"{out}: already exists; give a fresh path, or --force to replace")
        if out.is_dir() and any(p.suffix != ".parquet" for p in out.iterdir()):
            raise BifocalsError(
                f"{out}: holds files that are not Parquet; not replacing it, give a fresh path"
            )


def _blocks(files: list[str], column: str, id_column: str | None, block_rows: int) -> Iterator[Any]:
    import pyarrow as pa

    types = pa.schema(
        [
            ("seq", pa.int64()),
            ("source", pa.string()),
            ("line", pa.int64()),
            ("cell", pa.string()),
            ("id", pa.string()),
        ]
    )
    seq = 0
    for f in files:
        cols: dict[str, list[Any]] = {k: [] for k in types.names}
        for row, cell, ident in column_values(Path(f), column, id_column):
            cols["seq"].append(seq)
            seq += 1
            cols["source"].append(f)
            cols["line"].append(row)
            cols["cell"].append(cell)
            cols["id"].append(ident)
            if len(cols["line"]) >= block_rows:
                yield pa.Table.from_pydict(cols, schema=types)
                cols = {k: [] for k in cols}
        if cols["line"]:
            yield pa.Table.from_pydict(cols, schema=types)


def _even(tables: list[Any], workers: int) -> list[Any]:
    """At least one block per worker where there are enough rows, so no actor sits idle."""
    if len(tables) >= workers or not tables:
        return tables
    import pyarrow as pa

    whole = pa.concat_tables(tables)
    size = max(1, -(-whole.num_rows // workers))
    return [whole.slice(i, size) for i in range(0, whole.num_rows, size)]


def run_ray(
    files: list[str],
    column: str,
    out: Path,
    fast: bool = False,
    lines: bool = False,
    workers: int = 2,
    batch_size: int = 256,
    id_column: str | None = None,
    force: bool = False,
    block_rows: int = BLOCK_ROWS,
) -> RayResult:
    """Classify a column of CSV or Parquet files on Ray; results in input order under out/."""
    check_ray_inputs(files, column, id_column, out, workers, force)
    try:
        import ray
    except ImportError as exc:
        raise BifocalsError("--engine ray needs Ray Data: pip install 'bifocals[ray]'") from exc
    # Ray Data emits its own deprecation warnings while it sets itself up; they are not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        # A tiny input gives fewer blocks than actors; Ray warns, the result is still right.
        warnings.filterwarnings("ignore", "The minimum number of concurrent actors")
        return _run(ray, files, column, id_column, out, fast, lines, workers, batch_size, force,
                    block_rows)  # fmt: skip


def _run(
    ray: Any,
    files: list[str],
    column: str,
    id_column: str | None,
    out: Path,
    fast: bool,
    lines: bool,
    workers: int,
    batch_size: int,
    force: bool,
    block_rows: int,
) -> RayResult:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bifocals.text.sinks import schema

    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS"), ignore_reinit_error=True)
    tables = _even(list(_blocks(files, column, id_column, block_rows)), workers)
    rows = sum(t.num_rows for t in tables)
    refs = [ray.put(t) for t in tables]
    result = RayResult()
    if not refs:
        return result
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    ds = ray.data.from_arrow_refs(refs)
    # Leave one CPU for the other tasks, or a small cluster deadlocks on the actors.
    total = float(ray.cluster_resources().get("CPU", 1.0))
    per_actor = min(1.0, max(0.1, (total - 1.0) / workers))
    coded = ds.map_batches(
        _Classify,
        fn_constructor_kwargs={"fast": fast, "lines": lines, "with_id": id_column is not None},
        batch_size=batch_size,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=per_actor,
    )
    if out.exists() and force:
        if out.is_dir():
            shutil.rmtree(out)
        else:
            out.unlink()
    out.mkdir(parents=True, exist_ok=True)
    target = schema(id_column is not None)
    writer: Any = None
    writer_rows = 0
    try:
        for batch in in_order(coded.iter_batches(batch_format="pyarrow", batch_size=None), rows):
            skipped = batch.column("skipped").to_pylist()
            for why in skipped:
                if why:
                    result.skipped["not English" if why.startswith("not English") else why] += 1
            keep = [i for i, why in enumerate(skipped) if not why]
            kept = batch.take(pa.array(keep, type=pa.int64())).select(target.names).cast(target)
            result.truncated += sum(1 for t in kept.column("truncated").to_pylist() if t)
            if writer is None or writer_rows >= FILE_ROWS:
                if writer is not None:
                    writer.close()
                path = out / f"part-{len(result.files):05d}.parquet"
                writer, writer_rows = pq.ParquetWriter(path, target), 0
                result.files.append(path)
            writer.write_table(kept)
            writer_rows += kept.num_rows
            result.written += kept.num_rows
        if writer is None:  # every unit skipped: still a readable table, with no rows
            result.files.append(out / "part-00000.parquet")
            pq.write_table(target.empty_table(), result.files[0])
    finally:
        if writer is not None:
            writer.close()
    return result
