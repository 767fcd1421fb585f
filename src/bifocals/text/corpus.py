"""Labelled sentence sets: the training corpus (data/train/*.csv) and the held-out test set.

Every row is validated; a bad label names the file, line, field and value.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bifocals.errors import BifocalsError, Problem, ValidationError
from bifocals.framework import Framework

FUNCTIONS: tuple[str, str, str] = ("leadership", "management", "neither")


@dataclass(frozen=True)
class Example:
    """One labelled sentence: dimension is None for 'neither'."""

    text: str
    function: str
    dimension: str | None
    source: str
    line: int
    group: str = ""  # sentences built from one hand-written phrase share a group (for CV splits)


def data_dir() -> Path:
    """The text package's data folder."""
    return Path(str(resources.files("bifocals.text").joinpath("data")))


def train_files() -> list[Path]:
    """The training CSV files, in a fixed order."""
    return sorted((data_dir() / "train").glob("*.csv"))


def heldout_file() -> Path:
    """The held-out test set (written separately from the training sentences)."""
    return data_dir() / "heldout" / "heldout.csv"


def read_examples(path: Path, fw: Framework) -> list[Example]:
    """Read and validate one labelled CSV (columns text, function, dimension, ...)."""
    if not path.is_file():
        raise BifocalsError(f"{path}: file not found")
    problems: list[Problem] = []
    out: list[Example] = []
    dims = set(fw.dimension_ids)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"text", "function", "dimension"} - set(reader.fieldnames or ())
        if missing:
            raise ValidationError(
                [
                    Problem(
                        str(path),
                        1,
                        "header",
                        reader.fieldnames,
                        f"missing column(s) {', '.join(sorted(missing))}",
                    )
                ],
                f"invalid labelled file {path}",
            )
        for row in reader:
            line = reader.line_num
            text = (row.get("text") or "").strip()
            func = (row.get("function") or "").strip()
            dim = (row.get("dimension") or "").strip() or None
            if not text:
                problems.append(Problem(str(path), line, "text", text, "must not be empty"))
            if func not in FUNCTIONS:
                problems.append(
                    Problem(str(path), line, "function", func, f"must be one of {FUNCTIONS}")
                )
            elif func == "neither" and dim is not None:
                problems.append(
                    Problem(str(path), line, "dimension", dim, "must be empty for 'neither'")
                )
            elif func != "neither" and dim not in dims:
                problems.append(
                    Problem(
                        str(path),
                        line,
                        "dimension",
                        dim,
                        f"must be one of {', '.join(fw.dimension_ids)}",
                    )
                )
            note = (row.get("source_note") or "").strip()
            group = note.split(";")[-1].strip() if note else f"{path.name}:{line}"
            out.append(Example(text, func, dim, path.name, line, group))
    if problems:
        raise ValidationError(problems, f"invalid labelled file {path}")
    return out


def training_examples(fw: Framework) -> list[Example]:
    """All training sentences, in file order."""
    out: list[Example] = []
    for p in train_files():
        out.extend(read_examples(p, fw))
    if not out:
        raise BifocalsError(f"no training sentences found under {data_dir() / 'train'}")
    return out


def heldout_examples(fw: Framework, path: Path | None = None) -> list[Example]:
    """The held-out sentences; a clear error when the file has not landed yet."""
    p = path or heldout_file()
    if not p.is_file():
        raise BifocalsError(
            f"held-out set not found at {p}; it is written separately from the training data "
            "(see src/bifocals/text/data/heldout/README.md), or pass --file PATH"
        )
    return read_examples(p, fw)


def corpus_digest(examples: list[Example]) -> str:
    """sha256 over the labelled sentences, so a head records exactly what it was trained on."""
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.text}\t{e.function}\t{e.dimension or ''}\n".encode())
    return h.hexdigest()
