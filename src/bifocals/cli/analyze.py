"""`bifocals analyze`: code sentences of text as leadership, management or neither."""

from __future__ import annotations

from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bifocals.cli.common import console, err_console, fail, print_json
from bifocals.errors import BifocalsError, ValidationError

CHUNK = 512
PROGRESS_FROM = 2000


def _units(
    files: list[str], column: str | None, lines: bool, id_column: str | None, bar: _Bar
) -> Any:
    """The units of every input in order, read as they are needed; a file that cannot be
    read at all (binary, not UTF-8) is skipped with a note on stderr."""
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
            err_console.print(f"[yellow]skipped file:[/] {exc}", highlight=False)
            continue
        yield first
        yield from units


class _Bar:
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
            from rich import progress as rp

            columns = (
                rp.Progress.get_default_columns()
                if self.total is not None
                else (
                    rp.SpinnerColumn(),
                    rp.TextColumn("{task.description}"),
                    rp.TextColumn("{task.completed:,} units"),
                    rp.TimeElapsedColumn(),
                )
            )
            self.bar = rp.Progress(*columns, console=err_console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("classifying", total=self.total)
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


def _report(skipped: Counter[str], truncated: int) -> None:
    """One stderr note with what was left out and what was cut, as both engines count it."""
    if not skipped and not truncated:
        return
    parts = [f"{n} unit(s) skipped: {why}" for why, n in skipped.items()]
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


def analyze(
    files: Annotated[
        list[str] | None, typer.Argument(help="Text, CSV or Parquet files; '-' or none: stdin.")
    ] = None,
    column: Annotated[
        str | None, typer.Option("--column", "-c", help="Column with text (CSV/Parquet files).")
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column", help="CSV/Parquet column copied into every output row as `id`."
        ),
    ] = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="Each line (or cell) is one unit; no segmentation.")
    ] = False,
    fast: Annotated[
        bool, typer.Option("--fast", help="Fast tier: no transformer, for big corpora.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one unit a line.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", help="Write Parquet to this path (a folder with Ray)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --parquet file or folder.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write JSON Lines/CSV here, not stdout.")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray (needs bifocals\\[ray]; Parquet out).")
    ] = "local",
    workers: Annotated[int, typer.Option("--workers", help="Ray actors holding the model.")] = 2,
    profile: Annotated[
        bool, typer.Option("--profile", help="Print the document profile instead of units.")
    ] = False,
) -> None:
    """Classify each sentence (or line) as leadership, management or neither, per dimension.

    Example: bifocals analyze plan.txt --json > coded.jsonl

    Example: bifocals analyze comments.csv --column comment --lines --fast --parquet out.parquet
    """
    files = files or []
    if engine not in ("local", "ray"):
        fail(f"--engine {engine!r}: use local or ray")
    _check_options(files, as_json, as_csv, parquet, output, profile)
    _check_table_options(files, column, id_column, profile)
    if engine == "ray":
        _run_ray(files, column, id_column, lines, fast, parquet, workers, force)
        return
    if parquet is not None and parquet.exists() and not force:
        fail(f"--parquet {parquet}: already exists; give a fresh path, or --force to replace it")
    if parquet is not None and parquet.is_dir():
        fail(f"--parquet {parquet}: is a folder; the local engine writes one Parquet file")
    if profile:
        mode = "profile-json" if as_json else "profile"
    else:
        mode = "parquet" if parquet else "jsonl" if as_json else "csv" if as_csv else "table"
    _run_local(files, column, id_column, lines, fast, mode, parquet or output)


def _stop_on_signals() -> Any:
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


def _check_columns(files: list[str], column: str | None, id_column: str | None) -> None:
    """A missing column in any table stops the run before the first unit is written; files
    that cannot be read at all are left for `_units` to skip with a note."""
    from bifocals.text.sources import check_columns, is_table

    for f in files:
        if is_table(f) and column is not None:
            try:
                check_columns(Path(f), column, id_column)
            except ValidationError as exc:
                fail(exc)
            except BifocalsError:
                pass


def _run_local(
    files: list[str],
    column: str | None,
    id_column: str | None,
    lines: bool,
    fast: bool,
    mode: str,
    path: Path | None,
) -> None:
    """Read, classify and write CHUNK units at a time, so memory stays flat on any input."""
    from bifocals.text.sinks import RowWriter, record
    from bifocals.text.tally import Tally

    with_id = id_column is not None
    _check_columns(files, column, id_column)
    bar = _Bar(files)
    units = _units(files, column, lines, id_column, bar)
    try:
        chunk = list(islice(units, CHUNK))
    except BifocalsError as exc:
        fail(exc)
    if not chunk:
        fail("no text to analyze: the input is empty or unreadable")
    tally, rows = Tally(), []
    writer: RowWriter | None = None
    stop = _stop_on_signals()
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
    _report(tally.skipped, tally.truncated)
    if mode.startswith("profile"):
        subject = ", ".join(files) if files else "stdin"
        source = f"text:{analyzer.tier}:share"
        dims = analyzer.model.dimension.classes
        _print_profile(tally, dims, source, subject, mode == "profile-json")
    elif mode == "parquet":
        err_console.print(f"wrote {tally.units} units to {path}", highlight=False)
    elif mode == "table":
        _print_table(rows)


def _check_options(
    files: list[str],
    as_json: bool,
    as_csv: bool,
    parquet: Path | None,
    output: Path | None,
    profile: bool,
) -> None:
    """Refuse what would be silently ignored or lost, before any work is done."""
    if as_json and as_csv:
        fail("--json and --csv both given: choose one output format")
    if parquet is not None and (as_json or as_csv or output is not None):
        fail("--parquet writes its own file: leave out --json, --csv and --output")
    if output is not None and not (as_json or as_csv):
        fail("--output needs --json or --csv (the table is for the terminal)")
    if profile and (as_csv or parquet is not None or output is not None):
        fail("--profile prints to the terminal, or as JSON with --json; drop the other options")
    missing = [f for f in files if f != "-" and not Path(f).exists()]
    if missing:
        fail(
            "no such file: "
            + ", ".join(missing)
            + "; check the path (nothing was analyzed, so nothing is half done)"
        )
    folders = [f for f in files if f != "-" and Path(f).is_dir()]
    if folders:
        fail(f"{', '.join(folders)}: a folder; give the files in it (e.g. {folders[0]}/*.txt)")
    for option, out in (("--output", output), ("--parquet", parquet)):
        if out is None:
            continue
        if out.is_dir() and option == "--output":
            fail(f"--output {out}: is a folder; give a file name")
        if not out.parent.is_dir():
            fail(f"{option} {out}: the folder {out.parent} does not exist; create it first")


def _check_table_options(
    files: list[str], column: str | None, id_column: str | None, profile: bool
) -> None:
    """--column and --id-column name columns of CSV/Parquet files; anything else is refused."""
    from bifocals.text.sources import is_table

    tables = [f for f in files if is_table(f)]
    others = [f for f in files or ["-"] if not is_table(f)]
    for option, value in (("--column", column), ("--id-column", id_column)):
        if value is not None and not tables:
            where = ", ".join("stdin" if f == "-" else f for f in others)
            fail(
                f"{option} applies to .csv/.parquet files, not to {where}; save the table "
                "with a .csv or .parquet suffix, or leave out the option for plain text"
            )
    if id_column is not None and column is None:
        fail("--id-column needs --column NAME (the column that holds the text)")
    if id_column is not None and profile:
        fail("--profile sums over all units, so --id-column would be ignored; drop one")
    if tables and column is None:
        fail(
            f"{tables[0]} is a table: give --column NAME for the column that holds the text "
            "(text files given alongside are still read as plain text)"
        )


def _run_ray(
    files: list[str],
    column: str | None,
    id_column: str | None,
    lines: bool,
    fast: bool,
    out: Path | None,
    workers: int,
    force: bool,
) -> None:
    if out is None:
        fail("--engine ray writes Parquet: give --parquet OUT_DIR")
    if not files or "-" in files:
        fail("--engine ray reads CSV or Parquet files, not stdin")
    if column is None:
        fail("--engine ray needs --column NAME (the column that holds the text)")
    try:
        from bifocals.text.rayengine import run_ray

        res = run_ray(
            files, column, out, fast=fast, lines=lines, workers=workers, id_column=id_column,
            force=force,
        )  # fmt: skip
    except BifocalsError as exc:
        fail(exc)
    if not res.written and not res.skipped:
        fail("no text to analyze: the input is empty")
    _report(res.skipped, res.truncated)
    err_console.print(f"wrote {res.written} units to {out}", highlight=False)


def register(root: typer.Typer) -> None:
    """Add `bifocals analyze` to the root command."""
    root.command("analyze")(analyze)
