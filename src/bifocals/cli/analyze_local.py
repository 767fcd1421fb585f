"""The local engine of `bifocals analyze`: read, classify and write a chunk of units at a time.

Memory stays flat on any input: units are read as they are needed (`units`), classified 512 at
a time, written at once (`RowWriter`) and counted in running totals (`Tally`) for the profile
and the notes on stderr. A progress bar on stderr follows the input lines or rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from bifocals.cli.analyze_checks import check_columns
from bifocals.cli.common import console, err_console, fail, print_json
from bifocals.errors import BifocalsError, ValidationError

CHUNK = 512
PROGRESS_FROM = 2000


def read_inputs(
    files: list[str],
    column: str | None,
    lines: bool,
    id_column: str | None,
    bar: ProgressBar,
    skipped: list[str],
    strict: bool = False,
) -> Any:
    """The units of every input in order, read as they are needed; a file that cannot be
    read at all (binary, not UTF-8) is skipped with a note on stderr and added to `skipped`,
    or with strict=True stops the run."""
    from bifocals.text.sources import read_units

    for k, f in enumerate(files or ["-"]):
        bar.file = k
        units = read_units([f], column, lines, id_column)
        try:
            first = next(units)
        except StopIteration:
            continue
        except ValidationError:
            raise
        except BifocalsError as exc:
            if strict:
                raise
            err_console.print(f"[yellow]skipped file:[/] {escape(str(exc))}", highlight=False)
            skipped.append("stdin" if f == "-" else f)
            continue
        yield first
        yield from units


def start_bar(description: str, total: int | None, unit: str) -> tuple[Any, Any]:
    """A transient progress bar on stderr, started, and its one task: of `total` where that is
    known, else a spinner and a running count of `unit`."""
    from rich import progress as rp

    columns = (
        rp.Progress.get_default_columns()
        if total is not None
        else (
            rp.SpinnerColumn(),
            rp.TextColumn("{task.description}"),
            rp.TextColumn("{task.completed:,} " + unit),
            rp.TimeElapsedColumn(),
        )
    )
    bar = rp.Progress(*columns, console=err_console, transient=True)
    bar.start()
    return bar, bar.add_task(description, total=total)


class ProgressBar:
    """A progress bar on stderr for long inputs, measured in input lines or table rows; on
    standard input, whose size is unknown, a running count of units."""

    def __init__(self, files: list[str]) -> None:
        from bifocals.text.sources import count_rows

        sizes = [count_rows(f) for f in files or ["-"]]
        self.total = None if None in sizes else sum(s or 0 for s in sizes)
        self.offsets = [sum(s or 0 for s in sizes[:k]) for k in range(len(sizes))]
        self.file = 0  # which input the units now read come from (set by `_units`)
        self.units = 0
        self.bar: Any = None
        self.task: Any = None

    def advance(self, last: Any, n: int) -> None:
        """After n more units, the last of them `last`."""
        self.units += n
        big = self.total >= PROGRESS_FROM if self.total is not None else self.units >= PROGRESS_FROM
        if self.bar is None and big:
            self.bar, self.task = start_bar("classifying", self.total, "units")
        if self.bar is not None:
            at = self.offsets[self.file] + last.line if self.total is not None else self.units
            self.bar.update(self.task, completed=at)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_table(rows: list[dict[str, Any]]) -> None:
    table = Table(show_lines=False)
    for col in ("Where", "Function", "Dimension", "Conf.", "Text", "Evidence"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            _where(r), r["function"], r["dimension"] or "",
            f"{r['confidence']:.2f}", r["text"], r["evidence"],
        )  # fmt: skip
    console.print(table, highlight=False)


def _where(r: dict[str, Any]) -> str:
    where = f"{r['source']}:{r['line']}"
    if r.get("sentence") is not None:
        where += f".{r['sentence']}"
    return where if r.get("id") is None else f"{where} ({r['id']})"


def report(skipped: Counter[str], truncated: int, files: Sequence[str] = ()) -> None:
    """One stderr note with what was left out and what was cut, as both engines count it;
    files skipped as unreadable are named again here, at the end of a long run."""
    if not skipped and not truncated and not files:
        return
    parts = [f"{len(files)} file(s) skipped, unreadable: {', '.join(files)}"] if files else []
    parts += [f"{n} unit(s) skipped: {why}" for why, n in skipped.items()]
    if truncated:
        parts.append(
            f"{truncated} unit(s) over 2,000 characters truncated (model reads 256 tokens)"
        )
    err_console.print("[yellow]note:[/] " + "; ".join(parts), highlight=False)


def _print_profile(tally: Any, dimensions: Any, source: str, subject: str, as_json: bool) -> None:
    prof = tally.profile(dimensions, source, subject)
    conf = tally.mean_confidence()
    if as_json:
        data = prof.to_dict()
        data["units"] = tally.units
        data["mean_confidence"] = {f"{d}.{s}": round(v, 4) for (d, s), v in conf.items()}
        print_json(data)
        return
    table = Table(title=f"Profile of {subject} ({prof.source}, share of units)")
    for col in ("Dimension", "Leadership share", "n", "conf.", "Management share", "n", "conf."):
        table.add_column(col)
    for d in prof.dimensions:
        cells: list[str] = [d]
        for side in ("leadership", "management"):
            st = prof.get(d, side)
            c = conf.get((d, side))
            cells += [
                "" if st is None else f"{st.mean:.0%} [{st.ci_low:.0%}-{st.ci_high:.0%}]",
                "" if st is None else str(st.n),
                "" if c is None else f"{c:.2f}",
            ]
        table.add_row(*cells)
    console.print(table, highlight=False)


def stop_on_signals() -> Any:
    """Turn SIGTERM and SIGHUP (timeout, kill, a batch system, a closed terminal) into an
    exit that unwinds like Ctrl-C does, so no temporary output file is left behind. Returns
    the function that puts the old handlers back."""
    import signal

    def _exit(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    kinds = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s]
    try:
        old = {s: signal.signal(s, _exit) for s in kinds}
    except ValueError:  # not the main thread: leave signals alone
        return lambda: None
    return lambda: [signal.signal(s, h) for s, h in old.items()]


def run_local(
    files: list[str],
    column: str | None,
    id_column: str | None,
    lines: bool,
    fast: bool,
    mode: str,
    path: Path | None,
    strict: bool = False,
) -> None:
    """Read, classify and write CHUNK units at a time, so memory stays flat on any input.

    strict: every input file must be readable; they are all checked before the first unit."""
    from bifocals.text.sinks import RowWriter, record
    from bifocals.text.sources import check_readable
    from bifocals.text.tally import Tally

    with_id = id_column is not None
    check_columns(files, column, id_column)
    if strict:
        for f in files:
            try:
                check_readable(f)
            except BifocalsError as exc:
                fail(f"{exc} (--strict: nothing was analyzed; drop --strict to skip the file)")
    bar = ProgressBar(files)
    skipped_files: list[str] = []
    units = read_inputs(files, column, lines, id_column, bar, skipped_files, strict)
    try:
        chunk = list(islice(units, CHUNK))
    except BifocalsError as exc:
        fail(exc)
    if not chunk:
        fail("no text to analyze: the input is empty or unreadable")
    tally, rows = Tally(), []
    writer: RowWriter | None = None
    stop = stop_on_signals()
    try:
        from bifocals.text.analyzer import Analyzer

        analyzer = Analyzer(fast=fast)
        if mode in ("jsonl", "csv", "parquet"):
            writer = RowWriter(mode, path, with_id)
        while chunk:
            results = analyzer.classify([u.text for u in chunk])
            tally.add(results)
            if not mode.startswith("profile"):
                coded = [
                    record(u, c, with_id)
                    for u, c in zip(chunk, results, strict=True)
                    if c.skipped is None
                ]
                if writer is not None:
                    writer.write(coded)
                else:
                    rows.extend(coded)
            bar.advance(chunk[-1], len(chunk))
            chunk = list(islice(units, CHUNK))
        if writer is not None:
            writer.commit()
    except BaseException as exc:
        if writer is not None:
            writer.discard()
        if isinstance(exc, BifocalsError):
            fail(exc)
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            fail(f"{exc.filename or path or 'output'}: {exc.strerror or exc}")
        raise
    finally:
        bar.close()
        stop()
    report(tally.skipped, tally.truncated, skipped_files)
    if mode.startswith("profile"):
        subject = ", ".join(files) if files else "stdin"
        source = f"text:{analyzer.tier}:share"
        dims = analyzer.model.dimension.classes
        _print_profile(tally, dims, source, subject, mode == "profile-json")
    elif mode == "parquet":
        err_console.print(f"wrote {tally.units} units to {path}", highlight=False)
    elif mode == "table":
        _print_table(rows)
