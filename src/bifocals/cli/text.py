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
        Path | None,
        typer.Option(
            "--out", help="Where to write the head (default: head.npz in the current folder)."
        ),
    ] = None,
    replace_shipped: Annotated[
        bool,
        typer.Option(
            "--replace-shipped",
            help="Overwrite the head shipped inside the installed package (maintainers only).",
        ),
    ] = False,
    search: Annotated[
        bool, typer.Option("--search", help="Re-run the cross-validated search for C.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Train both tiers on data/train/*.csv with a fixed seed and write the head (.npz).

    The shipped head is overwritten only with --replace-shipped.
    Evaluate a new head with: bifocals text evaluate --head PATH

    Example: bifocals text train --out /tmp/head.npz
    """
    from bifocals.framework import default_framework
    from bifocals.text.corpus import training_examples
    from bifocals.text.model import default_head_path, save_model
    from bifocals.text.train import train

    shipped = default_head_path()
    if replace_shipped and out is not None:
        fail("choose --out PATH or --replace-shipped, not both")
    path = shipped if replace_shipped else (out or Path("head.npz"))
    if not replace_shipped and path.resolve() == shipped.resolve():
        fail(f"{path} is the shipped head; pass --replace-shipped to overwrite it")
    if path.is_dir():
        fail(f"--out {path} is a folder; give a file name such as {path / 'head.npz'}")
    if not path.parent.is_dir():
        fail(f"--out {path}: folder {path.parent} does not exist")
    try:
        fw = default_framework()
        model, report = train(
            fw, training_examples(fw), progress=lambda m: err_console.print(m), search=search
        )
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
        typer.Option(
            "--file",
            help="Another labelled CSV instead of the held-out set (columns text, function, "
            "dimension; see above).",
        ),
    ] = None,
    head: Annotated[
        Path | None,
        typer.Option(
            "--head", help="A head from `bifocals text train --out` instead of the shipped one."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Function macro-F1, dimension accuracy and confusion matrices on the held-out set,
    for both tiers and two baselines (keyword lexicon, zero-shot cosine), and how well each
    tier's confidence is calibrated (expected calibration error, 10 bins).

    --file CSV format (UTF-8; a header row; other columns are ignored):
    text,function,dimension
    function: leadership, management or neither.
    dimension: empty for neither; for leadership and management one of
    focus_goals, roles_responsibilities, decision_making, relationship_people,
    risk_taking, time_horizon, source_of_influence.
    A bad row is reported with its line and field.

    Example: bifocals text evaluate --json

    Example: bifocals text evaluate --head /tmp/head.npz --file mine.csv
    """
    from bifocals.framework import default_framework
    from bifocals.text.corpus import FUNCTIONS, heldout_examples, training_examples
    from bifocals.text.evaluate import GOAL_F1, evaluate
    from bifocals.text.model import default_head_path, load_model

    try:
        fw = default_framework()
        gold = heldout_examples(fw, file)
        try:
            model = load_model(head)
        except (KeyError, TypeError, ValueError) as exc:
            raise BifocalsError(
                f"{head or default_head_path()}: not a head written by `bifocals text train` "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        results = evaluate(fw, gold, training_examples(fw), model)
    except BifocalsError as exc:
        fail(exc)
    primary = results[1] if fast else results[0]
    if as_json:
        print_json(
            {
                "head": str(head or default_head_path()),
                "file": str(file) if file else "held-out set",
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
    where = f"{file}" if file else "held-out set"
    table = Table(title=f"Evaluation on {where} ({primary.n} sentences)")
    for col in (
        "Method", "Function macro-F1", "Function accuracy", "Dimension accuracy",
        "Calibration error",
    ):  # fmt: skip
        table.add_column(col)
    for r in results:
        table.add_row(
            r.method, f"{r.function_macro_f1:.3f}", f"{r.function_accuracy:.3f}",
            f"{r.dimension_accuracy:.3f}",
            "-" if r.calibration_error is None else f"{r.calibration_error:.3f}",
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
