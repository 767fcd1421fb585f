"""Scale out on Ray Data: files read by the workers -> map_batches over an actor pool ->
write_parquet by the workers. The driver plans, shows progress and reports.

The plan: the driver checks what the local engine checks before any work (the files, their
header or schema, the columns, the output folder), reads Parquet footers to size the blocks
and nothing else of the inputs. The workers read the files (`InputRows`, the local engine's
reading, rows numbered per file), split each cell into units and classify them in actors that
each load the model once (`_Classify`), and write the coded units with Ray Data's
`write_parquet` into a staging folder next to the output. Ray runs with preserve_order, so
write task k holds the units that follow those of task k - 1; the files are named
part-000000000-0.parquet, part-000000001-0.parquet, ... by task, so their name order is the input
order and `pyarrow.parquet.read_table(folder)` gives the local engine's rows in its order.
Only when every task has finished is the staging folder moved into place, so a failed run
leaves no half-written output (and no replaced one).

The actors report what they skipped, what was truncated and how many rows they classified to
a small counting actor (`_Tally`), which the driver polls for the progress bar and reads for
the final notes; it also sums the time each stage took, for `bench/ray_scaling.py`.

Ray is imported lazily, so the default install never needs it (`pip install bifocals[ray]`).
Without RAY_ADDRESS a private Ray instance is started on this machine (`address="local"`), so
a cluster already running here, or a stale one named in /tmp/ray/ray_current_cluster, is left
alone; with RAY_ADDRESS the job runs on that cluster.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bifocals.errors import BifocalsError, ValidationError
from bifocals.text.sources import Unit, cell_units, check_columns, is_table

BLOCK_ROWS = 5000
MIN_BLOCK_ROWS = 200
IO_CPUS = 0.25
ACCURATE_BATCH = 512
CSV_ROW_BYTES = 100  # a guess at a CSV row's size, to size blocks without reading the file

Progress = Callable[[int, int | None], None]


@dataclass
class RayResult:
    """What a Ray run wrote and what it left out, counted like the local engine does.

    rows: table rows classified; problems: one message per file skipped as unreadable, in
    input order; seconds: time summed over the workers by stage (load: the model, once per
    actor; read, segment, tokenize, infer, and "classify (rest)"), the run's `wall` time and,
    under `driver_cpu`, the CPU time of the driver process during the run."""

    written: int = 0
    rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    truncated: int = 0
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class _Tally:
    """Running totals sent by the actors (a Ray actor with no CPU of its own)."""

    def __init__(self) -> None:
        self.rows = 0
        self.units = 0
        self.truncated = 0
        self.skipped: Counter[str] = Counter()
        self.problems: list[tuple[int, str, str]] = []
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def add(
        self,
        rows: int,
        units: int,
        skipped: dict[str, int],
        truncated: int,
        problems: list[tuple[int, str, str]],
        seconds: dict[str, float],
    ) -> None:
        self.rows += rows
        self.units += units
        self.truncated += truncated
        self.skipped.update(skipped)
        self.problems.extend(problems)
        for stage, spent in seconds.items():
            self.seconds[stage] += spent

    def add_time(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds

    def done(self) -> int:
        return self.rows

    def totals(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "units": self.units,
            "truncated": self.truncated,
            "skipped": dict(self.skipped),
            "problems": sorted(self.problems),
            "seconds": dict(self.seconds),
        }


class _Timed:
    """Calls through to `fn`, adding the seconds each call takes to `seconds[stage]`."""

    def __init__(self, fn: Callable[..., Any], stage: str, seconds: dict[str, float]) -> None:
        self.fn, self.stage, self.seconds = fn, stage, seconds

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds[self.stage] += time.perf_counter() - start


class _TimedTokenizer:
    """The analyzer's tokenizer with `encode_batch` timed (the fast tier's only model step
    besides a table lookup); everything else passes through."""

    def __init__(self, tokenizer: Any, seconds: dict[str, float]) -> None:
        self._tokenizer = tokenizer
        self.encode_batch = _Timed(tokenizer.encode_batch, "tokenize", seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


class _Classify:
    """The per-actor callable: splits each row's cell into units and classifies them."""

    def __init__(self, fast: bool, lines: bool, with_id: bool, tally: Any) -> None:
        from bifocals.text.analyzer import Analyzer

        start = time.perf_counter()
        self.lines, self.with_id, self.tally = lines, with_id, tally
        self.analyzer = Analyzer(fast=fast, threads=1)
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.seconds["load"] = time.perf_counter() - start  # sent with the first batch
        emb = self.analyzer.embedder
        if emb is not None:  # accurate tier: word pieces, then the transformer
            emb.token_ids = _Timed(emb.token_ids, "tokenize", self.seconds)  # type: ignore[method-assign]
            emb.embed_ids = _Timed(emb.embed_ids, "infer", self.seconds)  # type: ignore[method-assign]
        else:
            self.analyzer.tokenizer = _TimedTokenizer(self.analyzer.tokenizer, self.seconds)  # type: ignore[assignment]

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        from bifocals.text.sinks import record, schema

        start = time.perf_counter()
        rows = batch.to_pydict()
        units: list[Any] = []
        problems: list[tuple[int, str, str]] = []
        for k, src, line, cell, ident, sentence, unit, problem in zip(
            rows["file"], rows["source"], rows["line"], rows["cell"], rows["id"],
            rows["sentence"], rows["unit"], rows["problem"], strict=True,
        ):  # fmt: skip
            if problem is not None:
                problems.append((int(k), src, problem))
            elif unit:  # a text file's sentence or line, split when it was read
                units.append(Unit(src, int(line), cell, sentence, None))
            else:
                units.extend(cell_units(src, int(line), cell, self.lines, ident))
        self.seconds["segment"] += time.perf_counter() - start
        start = time.perf_counter()
        before = self.seconds["tokenize"] + self.seconds["infer"]
        results = self.analyzer.classify([u.text for u in units])
        # What classify spends besides tokenizing and the model: the English check,
        # calibration, evidence.
        model = self.seconds["tokenize"] + self.seconds["infer"] - before
        self.seconds["classify (rest)"] += time.perf_counter() - start - model
        skipped: Counter[str] = Counter()
        kept = []
        truncated = 0
        for u, c in zip(units, results, strict=True):
            if c.skipped:
                skipped["not English" if c.skipped.startswith("not English") else c.skipped] += 1
            else:
                kept.append(record(u, c, self.with_id))
                truncated += bool(c.truncated)
        self.tally.add.remote(
            len(rows["line"]) - len(problems), len(kept), dict(skipped), truncated, problems,
            dict(self.seconds),
        )  # fmt: skip
        self.seconds.clear()
        return pa.Table.from_pylist(kept, schema=schema(self.with_id))


def in_order(batches: Iterable[Any], rows: int) -> Iterator[Any]:
    """Result batches (with `_seq`, the input row from 0, and `_sub`, the unit within the
    row, from 0) in input order, whatever order they arrive in; raises if one is missing.

    The unit after (seq, sub) is (seq, sub + 1) or (seq + 1, 0), and the last one belongs to
    row `rows - 1`, so batches are held back until the one that follows has arrived. Kept for
    code that gathers results on the driver; the engine itself lets Ray keep the order.
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
    files: list[str],
    column: str | None,
    id_column: str | None,
    out: Path,
    workers: int,
    force: bool,
) -> None:
    """Everything that can be refused before Ray starts: files, columns, workers, the output.

    A file whose header cannot be read (binary, not UTF-8, a damaged Parquet file) is left for
    the workers, which skip it with the local engine's note (or stop, with --strict)."""
    if workers < 1:
        raise BifocalsError(f"--workers {workers}: give at least 1 (the Ray actors that classify)")
    for f in files:
        if not Path(f).is_file():
            raise BifocalsError(f"{f}: no such file")
        if not is_table(f):
            continue
        if column is None:
            raise BifocalsError(f"{f}: a table needs --column NAME to say which column holds text")
        try:
            check_columns(Path(f), column, id_column)
        except ValidationError:
            raise
        except BifocalsError:
            pass
    if out.exists():
        if not force:
            raise BifocalsError(f"{out}: already exists; give a fresh path, or --force to replace")
        if out.is_dir() and any(p.suffix != ".parquet" for p in out.iterdir()):
            raise BifocalsError(
                f"{out}: holds files that are not Parquet; not replacing it, give a fresh path"
            )


def planned_rows(files: list[str]) -> tuple[int, bool]:
    """About how many rows the inputs hold, and whether that is exact: Parquet footers say
    (the driver reads nothing else); a CSV or text file is guessed from its size."""
    import pyarrow.parquet as pq

    rows, exact = 0, True
    for f in files:
        if not f.lower().endswith((".parquet", ".pq")):
            rows += Path(f).stat().st_size // CSV_ROW_BYTES + 1
            exact = False
            continue
        try:
            rows += pq.ParquetFile(f).metadata.num_rows
        except Exception:  # a damaged file: the workers report it
            exact = False
    return rows, exact


def block_size(rows: int, workers: int, largest: int = BLOCK_ROWS) -> int:
    """Rows per block: up to `largest`, but small enough that every actor gets a few."""
    return max(MIN_BLOCK_ROWS, min(largest, -(-rows // (workers * 3))))


def connect(ray: Any) -> None:
    """Start or join Ray, unless the caller already did.

    Without RAY_ADDRESS: a private instance on this machine (address="local"), with its CPUs;
    a cluster someone else started here, or a stale /tmp/ray/ray_current_cluster, cannot
    capture the run. With RAY_ADDRESS: that cluster, with its own resources."""
    if ray.is_initialized():
        return
    address = os.environ.get("RAY_ADDRESS")
    quiet = {"log_to_driver": False, "configure_logging": False}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            from bifocals.text.embed import cpu_count

            ray.init(address="local", num_cpus=cpu_count(), include_dashboard=False, **quiet)
    except Exception as exc:
        if not address:
            raise
        # A cluster with token authentication refuses a client without its token with no
        # word of it in the exception (Ray only logs "Unauthenticated"), so name both causes.
        raise BifocalsError(
            f"RAY_ADDRESS={address}: cannot connect ({exc}). Check the address; a cluster with "
            "token authentication also needs RAY_AUTH_MODE=token and its token here "
            "(~/.ray/auth_token, RAY_AUTH_TOKEN or RAY_AUTH_TOKEN_PATH)"
        ) from exc


def run_ray(
    files: list[str],
    column: str | None,
    out: Path,
    fast: bool = False,
    lines: bool = False,
    workers: int = 2,
    batch_size: int | None = None,
    id_column: str | None = None,
    force: bool = False,
    block_rows: int | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> RayResult:
    """Classify text files and a column of CSV or Parquet files on Ray; results in input
    order under out/.

    progress(rows done, rows planned or None) is called from a second thread while Ray works.
    batch_size: rows per call of an actor; by default 512 for the accurate tier (a few seconds
    of work) and a whole block for the fast tier, so that each call is about a second of work
    and the counting actor gets one message a second from each actor, not ten.
    """
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
        connect(ray)
        import ray.data  # sets up Ray Data's loggers, which the next lines then quieten

        # Ray Data's INFO lines (plan, log folder, rows written) would crowd out the notes
        # and the progress bar; its warnings and errors still show, except the one saying
        # that its own progress bars are off (ours is on).
        quiet = {"ray.data": logging.WARNING, "ray.data._internal.progress": logging.ERROR}
        levels = {name: logging.getLogger(name).level for name in quiet}
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
        try:
            return _run(ray, files, column, id_column, out, fast, lines, workers, batch_size, force,
                        block_rows, strict, progress)  # fmt: skip
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)


def _cause(exc: BaseException) -> BifocalsError | None:
    """The BifocalsError a worker raised, wherever Ray wrapped it."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, BifocalsError):
            return e
        todo += [e.__cause__, e.__context__, getattr(e, "cause", None)]
    return None


def _run(
    ray: Any,
    files: list[str],
    column: str | None,
    id_column: str | None,
    out: Path,
    fast: bool,
    lines: bool,
    workers: int,
    batch_size: int | None,
    force: bool,
    block_rows: int | None,
    strict: bool,
    progress: Progress | None,
) -> RayResult:
    import pyarrow.parquet as pq
    from ray.data.datasource import FilenameProvider

    from bifocals.text.ray_read import InputRows
    from bifocals.text.sinks import schema

    class PartNames(FilenameProvider):
        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
            return f"part-{task_index:09d}.parquet"

    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    planned, exact = planned_rows(files)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    tally = ray.remote(num_cpus=0)(_Tally).remote()
    rows_per_block = block_rows or block_size(planned, workers)
    source = InputRows(files, column, id_column, lines, strict, rows_per_block, tally)
    # Reading and writing are light next to the model; they ask for a quarter of a CPU, and
    # the actors leave one CPU free for them, or a small cluster deadlocks on the actors.
    io_cpus = {"num_cpus": IO_CPUS}
    ds = ray.data.read_datasource(source, ray_remote_args=io_cpus)
    total = float(ray.cluster_resources().get("CPU", 1.0))
    per_actor = min(1.0, max(0.1, (total - 1.0) / workers))
    coded = ds.map_batches(
        _Classify,
        fn_constructor_kwargs={
            "fast": fast, "lines": lines, "with_id": id_column is not None, "tally": tally,
        },
        batch_size=batch_size or (rows_per_block if fast else ACCURATE_BATCH),
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=per_actor,
    )  # fmt: skip
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:12]}"
    target = schema(id_column is not None)
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            if progress is not None:
                progress(int(ray.get(tally.done.remote())), planned if exact else None)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    result = RayResult()
    try:
        try:
            coded.write_parquet(
                str(staging.resolve()),
                filename_provider=PartNames(),
                mode=ray.data.SaveMode.OVERWRITE,  # a fresh folder: names need no write id
                ray_remote_args=io_cpus,
                schema=target,
            )
        except Exception as exc:
            cause = _cause(exc)
            if cause is None:
                raise
            if strict:
                raise BifocalsError(
                    f"{cause} (--strict: nothing was written; drop --strict to skip the file)"
                ) from exc
            raise BifocalsError(str(cause)) from exc
        finally:
            stop.set()
            watcher.join()
        totals = ray.get(tally.totals.remote())
        staging.mkdir(parents=True, exist_ok=True)
        parts = sorted(staging.glob("part-*.parquet"))
        if not parts:  # every unit skipped: still a readable table, with no rows
            parts = [staging / "part-000000000.parquet"]
            pq.write_table(target.empty_table(), parts[0])
        if out.exists() and force:
            if out.is_dir():
                shutil.rmtree(out)
            else:
                out.unlink()
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        ray.kill(tally)
    result.files = [out / p.name for p in parts]
    result.rows = totals["rows"]
    result.written = totals["units"]
    result.truncated = totals["truncated"]
    result.skipped = Counter(totals["skipped"])
    result.problems = [msg for _k, _src, msg in totals["problems"]]
    result.skipped_files = [src for _k, src, _msg in totals["problems"]]
    result.seconds = dict(totals["seconds"])
    result.seconds["wall"] = time.perf_counter() - wall0
    result.seconds["driver_cpu"] = time.process_time() - cpu0
    if progress is not None:
        progress(result.rows, result.rows)
    return result
