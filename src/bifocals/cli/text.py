"""`bifocals text`: train the text analyzer's heads and evaluate them on the held-out set."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bifocals.cli.common import JsonOption, console, err_console, fail, print_json
from bifocals.errors import BifocalsError

app = typer.Typer(help="Train and evaluate the text analyzer.", no_args_is_help=True)


@app.command("train")
def train_cmd(
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the head (default: shipped).")
    ] = None,
    search: Annotated[
        bool, typer.Option("--search", help="Re-run the cross-validated search for C.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Train both tiers on data/train/*.csv with a fixed seed and write the head (.npz).

    Example: bifocals text train --out /tmp/head.npz
    """
    from bifocals.framework import default_framework
    from bifocals.text.corpus import training_examples
    from bifocals.text.model import default_head_path, save_model
    from bifocals.text.train import train

    try:
        fw = default_framework()
        model, report = train(
            fw, training_examples(fw), progress=lambda m: err_console.print(m), search=search
        )
        path = out or default_head_path()
        save_model(model, path)
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json({"head": str(path), **asdict(report)})
        return
    console.print(f"wrote {path}", highlight=False)
    for k, v in asdict(report).items():
        console.print(f"  {k}: {v:.4f}" if isinstance(v, float) else f"  {k}: {v}")


@app.command("evaluate")
def evaluate_cmd(
    fast: Annotated[bool, typer.Option("--fast", help="Judge the goal on the fast tier.")] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Another labelled CSV instead of the held-out set."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Function macro-F1, dimension accuracy and confusion matrices on the held-out set,
    for both tiers and two baselines (keyword lexicon, zero-shot cosine).

    Example: bifocals text evaluate --json
    """
    from bifocals.framework import default_framework
    from bifocals.text.corpus import FUNCTIONS, heldout_examples, training_examples
    from bifocals.text.evaluate import GOAL_F1, evaluate
    from bifocals.text.model import load_model

    try:
        fw = default_framework()
        results = evaluate(fw, heldout_examples(fw, file), training_examples(fw), load_model())
    except BifocalsError as exc:
        fail(exc)
    primary = results[1] if fast else results[0]
    if as_json:
        print_json(
            {
                "goal_function_macro_f1": GOAL_F1,
                "primary": primary.method,
                "goal_met": primary.function_macro_f1 >= GOAL_F1,
                "fast_minus_accurate_f1": round(
                    results[1].function_macro_f1 - results[0].function_macro_f1, 4
                ),
                "results": [r.to_dict() for r in results],
            }
        )
        return
    table = Table(title=f"Held-out evaluation ({primary.n} sentences)")
    for col in ("Method", "Function macro-F1", "Function accuracy", "Dimension accuracy"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.method, f"{r.function_macro_f1:.3f}", f"{r.function_accuracy:.3f}",
            f"{r.dimension_accuracy:.3f}",
        )  # fmt: skip
    console.print(table, highlight=False)
    for r in results:
        cm = Table(title=f"Confusion: {r.method} (rows true, columns predicted)")
        cm.add_column("")
        for f in FUNCTIONS:
            cm.add_column(f)
        for f, row in zip(FUNCTIONS, r.confusion, strict=True):
            cm.add_row(f, *[str(v) for v in row])
        console.print(cm, highlight=False)
    met = "met" if primary.function_macro_f1 >= GOAL_F1 else "NOT met"
    console.print(f"goal macro-F1 >= {GOAL_F1} on {primary.method}: {met}", highlight=False)


def register(root: typer.Typer) -> None:
    """Add `bifocals text` to the root command."""
    root.add_typer(app, name="text")
