"""`bifocals text`: train the text analyzer's heads and evaluate them on the blind sets and the
held-out split."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

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
            help="Another labelled CSV instead of the shipped sets (columns text, function, "
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
    """Function macro-F1, dimension accuracy and confusion matrices for both tiers and two
    baselines (keyword lexicon, zero-shot cosine), how well each tier's confidence is
    calibrated (expected calibration error, 10 bins) and how many units it marks unsure.

    Without --file: first the blind sets (one per register, written and labelled twice by
    people who never saw the training corpus, with the labellers' Cohen's kappa), each
    and pooled; the goal is judged on the pooled blind sets. Then the older in-distribution
    held-out split, as a secondary figure.

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
    from bifocals.text.corpus import heldout_examples, training_examples
    from bifocals.text.evaluate import GOAL_F1, Evaluator
    from bifocals.text.model import default_head_path, load_model

    try:
        fw = default_framework()
        gold = heldout_examples(fw, file) if file else []
        try:
            model = load_model(head)
        except (KeyError, TypeError, ValueError) as exc:
            raise BifocalsError(
                f"{head or default_head_path()}: not a head written by `bifocals text train` "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        ev = Evaluator(fw, training_examples(fw), model)
        sets = [EvalSet(str(file), "file", ev.run(gold), {})] if file else _shipped_sets(ev)
    except BifocalsError as exc:
        fail(exc)
    main = sets[0] if file else next((s for s in sets if s.kind == "blind, pooled"), sets[0])
    primary = main.results[1] if fast else main.results[0]
    summary = {
        "head": str(head or default_head_path()),
        "goal_function_macro_f1": GOAL_F1,
        "judged_on": main.name,
        "primary": primary.method,
        "goal_met": primary.function_macro_f1 >= GOAL_F1,
        "fast_minus_accurate_f1": round(
            main.results[1].function_macro_f1 - main.results[0].function_macro_f1, 4
        ),
    }
    if as_json:
        if file:
            print_json(
                {**summary, "file": str(file), "results": [r.to_dict() for r in main.results]}
            )
        else:
            print_json(
                {
                    **summary,
                    "file": "shipped sets",
                    "results": [r.to_dict() for r in main.results],
                    "sets": [s.to_dict() for s in sets],
                }
            )
        return
    for s in sets:
        _print_set(s)
    met = "met" if primary.function_macro_f1 >= GOAL_F1 else "NOT met"
    console.print(
        f"goal macro-F1 >= {GOAL_F1} on {primary.method}, {main.name}: {met}", highlight=False
    )


@dataclass(frozen=True)
class EvalSet:
    """One evaluated set: its name, what kind of set it is, results, labeller agreement."""

    name: str
    kind: str
    results: list[Any]
    agreement: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "kind": self.kind,
            "n": self.results[0].n if self.results else 0,
            "agreement": self.agreement,
            "results": [r.to_dict() for r in self.results],
        }


def _shipped_sets(ev: Any) -> list[EvalSet]:
    """The blind sets (each register, then pooled), then the in-distribution held-out split."""
    from bifocals.text.corpus import (
        BLIND_REGISTERS,
        blind_agreement,
        blind_sets,
        heldout_examples,
    )

    blind = blind_sets(ev.fw)
    agreement = blind_agreement()
    out = [
        EvalSet(
            f"blind: {BLIND_REGISTERS[name]}",
            "blind",
            ev.run(examples, baselines=False),
            agreement.get(name, {}),
        )
        for name, examples in blind.items()
    ]
    if blind:
        pooled = [e for examples in blind.values() for e in examples]
        out.append(EvalSet("blind: all registers", "blind, pooled", ev.run(pooled), {}))
    held = heldout_examples(ev.fw)
    out.append(EvalSet("held-out split (in-distribution)", "in-distribution", ev.run(held), {}))
    return out


def _print_set(s: EvalSet) -> None:
    from bifocals.text.corpus import FUNCTIONS

    n = s.results[0].n if s.results else 0
    kappa = s.agreement.get("kappa_function")
    title = f"{s.name} ({n} sentences" + (
        f"; labellers' kappa {kappa:.2f})" if kappa is not None else ")"
    )
    table = Table(title=title)
    for col in (
        "Method", "Function macro-F1", "Function accuracy", "Dimension accuracy",
        "Calibration error", "Unsure",
    ):  # fmt: skip
        table.add_column(col)
    for r in s.results:
        table.add_row(
            r.method, f"{r.function_macro_f1:.3f}", f"{r.function_accuracy:.3f}",
            f"{r.dimension_accuracy:.3f}",
            "-" if r.calibration_error is None else f"{r.calibration_error:.3f}",
            "-" if r.unsure_share is None else f"{r.unsure_share:.0%}",
        )  # fmt: skip
    console.print(table, highlight=False)
    for r in s.results[:2]:
        cm = Table(title=f"Confusion: {r.method}, {s.name} (rows true, columns predicted)")
        cm.add_column("")
        for f in FUNCTIONS:
            cm.add_column(f)
        for f, row in zip(FUNCTIONS, r.confusion, strict=True):
            cm.add_row(f, *[str(v) for v in row])
        console.print(cm, highlight=False)


@app.command("agree")
def agree_cmd(
    texts: Annotated[Path, typer.Argument(help="CSV with columns id,text.")],
    labels_a: Annotated[Path, typer.Argument(help="First labeller: id,function,dimension[,...].")],
    labels_b: Annotated[Path, typer.Argument(help="Second labeller: id,function,dimension.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the rows both labellers agree on to this CSV."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Agreement of two independent labellings of the same texts (Cohen's kappa for the
    function, and for the dimension where both say leadership or management alike); with
    --out, the texts both label alike, ready for `bifocals text evaluate --file`.

    Example: bifocals text agree texts.csv mine.csv theirs.csv --out agreed.csv
    """
    from bifocals.framework import default_framework
    from bifocals.text.agreement import agree, write_rows

    try:
        if out is not None and out.exists():
            raise BifocalsError(f"{out}: already exists; choose another --out or remove it")
        result = agree(texts, labels_a, labels_b, default_framework().dimension_ids)
        if out is not None:
            write_rows(result.rows, out)
    except BifocalsError as exc:
        fail(exc)
    if as_json:
        print_json({**result.summary(), "out": None if out is None else str(out)})
        return
    s = result.summary()
    console.print(
        f"{s['written']} texts, {s['kept']} labelled alike; function agreement "
        f"{s['function_agreement']:.2f} (kappa {s['kappa_function']:.2f}), dimension "
        f"agreement {s['dimension_agreement']:.2f} (kappa {s['kappa_dimension']:.2f})"
        + (f"; wrote {out}" if out else ""),
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    """Add `bifocals text` to the root command."""
    root.add_typer(app, name="text")
