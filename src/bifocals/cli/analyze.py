"""`bifocals analyze`: code sentences of text as leadership, management or neither."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from bifocals.cli.analyze_checks import check_options, check_table_options
from bifocals.cli.analyze_local import PROGRESS_FROM, report, run_local, start_bar
from bifocals.cli.common import err_console, fail
from bifocals.errors import BifocalsError


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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Stop if any input file is unreadable, instead of skipping it."
        ),
    ] = False,
) -> None:
    """Classify each sentence (or line) as leadership, management or neither, per dimension.

    Example: bifocals analyze plan.txt --json > coded.jsonl

    Example: bifocals analyze comments.csv --column comment --lines --fast --parquet out.parquet
    """
    files = files or []
    if engine not in ("local", "ray"):
        fail(f"--engine {engine!r}: use local or ray")
    check_options(files, as_json, as_csv, parquet, output, profile)
    check_table_options(files, column, id_column, profile)
    if engine == "ray":
        _run_ray(files, column, id_column, lines, fast, parquet, workers, force, strict)
        return
    if parquet is not None and parquet.exists() and not force:
        fail(f"--parquet {parquet}: already exists; give a fresh path, or --force to replace it")
    if parquet is not None and parquet.is_dir():
        fail(f"--parquet {parquet}: is a folder; the local engine writes one Parquet file")
    if profile:
        mode = "profile-json" if as_json else "profile"
    else:
        mode = "parquet" if parquet else "jsonl" if as_json else "csv" if as_csv else "table"
    run_local(files, column, id_column, lines, fast, mode, parquet or output, strict)


def _run_ray(
    files: list[str],
    column: str | None,
    id_column: str | None,
    lines: bool,
    fast: bool,
    out: Path | None,
    workers: int,
    force: bool,
    strict: bool,
) -> None:
    if out is None:
        fail("--engine ray writes Parquet: give --parquet OUT_DIR")
    if not files or "-" in files:
        fail("--engine ray reads files (text, CSV or Parquet), not stdin")
    bar = RayProgress()
    try:
        from bifocals.text.rayengine import run_ray

        res = run_ray(
            files, column, out, fast=fast, lines=lines, workers=workers, id_column=id_column,
            force=force, strict=strict, progress=bar.update,
        )  # fmt: skip
    except BifocalsError as exc:
        fail(exc)
    finally:
        bar.close()
    for problem in res.problems:
        err_console.print(f"[yellow]skipped file:[/] {escape(str(problem))}", highlight=False)
    if not res.written and not res.skipped:
        fail("no text to analyze: the input is empty or unreadable")
    report(res.skipped, res.truncated, res.skipped_files)
    err_console.print(f"wrote {res.written} units to {out}", highlight=False)


class RayProgress:
    """Rows classified so far on the cluster, on stderr, once a run has rows enough; of the
    rows planned where Parquet footers give them, else a running count."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def update(self, done: int, total: int | None) -> None:
        if self.bar is None:
            if max(done, total or 0) < PROGRESS_FROM:
                return
            self.bar, self.task = start_bar("classifying on Ray", total, "rows")
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(root: typer.Typer) -> None:
    """Add `bifocals analyze` to the root command."""
    root.command("analyze")(analyze)
