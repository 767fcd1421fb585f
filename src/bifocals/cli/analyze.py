"""`bifocals analyze`: code sentences of text as leadership, management or neither."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bifocals.cli.common import console, err_console, fail, print_json
from bifocals.errors import BifocalsError, ValidationError

CHUNK = 512
PROGRESS_FROM = 2000


def _collect(files: list[str], column: str | None, lines: bool) -> tuple[list[Any], list[str]]:
    from bifocals.text.sources import read_units

    units: list[Any] = []
    bad: list[str] = []
    for f in files or ["-"]:
        try:
            units.extend(read_units([f], column, lines))
        except ValidationError:
            raise
        except BifocalsError as exc:
            bad.append(str(exc))
    return units, bad


def _classify(analyzer: Any, units: list[Any]) -> list[Any]:
    texts = [u.text for u in units]
    if len(texts) < PROGRESS_FROM:
        return list(analyzer.classify(texts))
    from rich.progress import Progress

    out: list[Any] = []
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("classifying", total=len(texts))
        for i in range(0, len(texts), CHUNK):
            out.extend(analyzer.classify(texts[i : i + CHUNK]))
            bar.advance(task, len(texts[i : i + CHUNK]))
    return out


def _print_table(rows: list[dict[str, Any]]) -> None:
    table = Table(show_lines=False)
    for col in ("Where", "Function", "Dimension", "Conf.", "Text", "Evidence"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            f"{r['source']}:{r['line']}", r["function"], r["dimension"] or "",
            f"{r['confidence']:.2f}", r["text"], r["evidence"],
        )  # fmt: skip
    console.print(table, highlight=False)


def _print_profile(analyzer: Any, results: list[Any], subject: str, as_json: bool) -> None:
    from bifocals.text.analyzer import mean_confidence

    prof = analyzer.profile(results, subject)
    conf = mean_confidence(results)
    if as_json:
        data = prof.to_dict()
        data["units"] = sum(1 for c in results if c.skipped is None)
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
        str | None, typer.Option("--column", "-c", help="Column with text (CSV/Parquet).")
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
        Path | None, typer.Option("--parquet", help="Write Parquet to this path.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write JSON Lines/CSV here, not stdout.")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray (needs bifocals[ray]; Parquet out).")
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
    if engine == "ray":
        _run_ray(files, column, lines, fast, parquet, workers)
        return
    try:
        units, bad = _collect(files, column, lines)
        for msg in bad:
            err_console.print(f"[yellow]skipped file:[/] {msg}", highlight=False)
        if not units:
            fail("no text to analyze: the input is empty" + (" or unreadable" if bad else ""))
        from bifocals.text.analyzer import Analyzer
        from bifocals.text.sinks import record, write_csv, write_jsonl, write_parquet

        analyzer = Analyzer(fast=fast)
        results = _classify(analyzer, units)
    except BifocalsError as exc:
        fail(exc)
    counts = Counter(
        "not English" if (c.skipped or "").startswith("not English") else c.skipped
        for c in results
        if c.skipped
    )
    truncated = sum(1 for c in results if c.truncated)
    if counts or truncated:
        parts = [f"{n} unit(s) skipped: {why}" for why, n in counts.items()]
        if truncated:
            parts.append(
                f"{truncated} unit(s) over 2,000 characters truncated (model reads 256 tokens)"
            )
        err_console.print("[yellow]note:[/] " + "; ".join(parts), highlight=False)
    if profile:
        subject = ", ".join(files) if files else "stdin"
        _print_profile(analyzer, results, subject, as_json)
        return
    rows = [record(u, c) for u, c in zip(units, results, strict=True) if c.skipped is None]
    if parquet is not None:
        write_parquet(rows, parquet)
        err_console.print(f"wrote {len(rows)} units to {parquet}", highlight=False)
        return
    if as_json or as_csv:
        out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            (write_jsonl if as_json else write_csv)(rows, out)
        finally:
            if output:
                out.close()
        return
    _print_table(rows)


def _run_ray(
    files: list[str], column: str | None, lines: bool, fast: bool, out: Path | None, workers: int
) -> None:
    if out is None:
        fail("--engine ray writes Parquet: give --parquet OUT_DIR")
    if not files or "-" in files:
        fail("--engine ray reads CSV or Parquet files, not stdin")
    if column is None:
        fail("--engine ray needs --column NAME (the column that holds the text)")
    try:
        from bifocals.text.rayengine import run_ray

        n = run_ray(files, column, out, fast=fast, lines=lines, workers=workers)
    except BifocalsError as exc:
        fail(exc)
    err_console.print(f"wrote {n} units to {out}", highlight=False)


def register(root: typer.Typer) -> None:
    """Add `bifocals analyze` to the root command."""
    root.command("analyze")(analyze)
