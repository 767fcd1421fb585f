"""Labelled sentence sets: the training corpus (data/train/*.csv) and the held-out test set.

Every row is validated; a bad label names the file, line, field and value.
"""

from __future__ import annotations

import csv
import hashlib
import json
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


def blind_dir() -> Path:
    """The blind evaluation sets: one CSV per register, written and labelled twice by people
    who never saw the training corpus (see data/blind/README.md)."""
    return data_dir() / "blind"


# The registers of the blind sets, by file name, with the words the reports use for them.
BLIND_REGISTERS: dict[str, str] = {
    "comments_360": "360 and review comments",
    "jobs_competencies": "competency and job statements",
    "plans_memos": "plans, memos and speeches",
}


def blind_sets(fw: Framework) -> dict[str, list[Example]]:
    """register -> its labelled sentences, for every blind set that has landed."""
    out: dict[str, list[Example]] = {}
    for name in BLIND_REGISTERS:
        p = blind_dir() / f"{name}.csv"
        if p.is_file():
            out[name] = read_examples(p, fw)
    return out


def blind_agreement() -> dict[str, dict[str, float]]:
    """Per register, how far the two labellers agreed (written, kept, Cohen's kappa)."""
    p = blind_dir() / "agreement.json"
    if not p.is_file():
        return {}
    data = json.loads(p.read_text(encoding="utf-8"))
    return {str(k): dict(v) for k, v in data.items()}


def heldout_file() -> Path:
    """The held-out test set (written separately from the training sentences)."""
    return data_dir() / "heldout" / "heldout.csv"


LABELLED_CSV_HELP = (
    "UTF-8 CSV with a header row naming at least the columns text, function and dimension "
    "(other columns are ignored); function is leadership, management or neither; dimension is "
    "one of the framework's dimension ids for leadership and management and empty for neither"
)


def _not_utf8(path: Path) -> BifocalsError:
    """The error for a file that is not UTF-8, naming the line and byte of the first bad byte."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return BifocalsError(
            f"{path}:{line}: not UTF-8 (byte {col} of the line, {exc.reason}); convert the file, "
            f"e.g. iconv -f latin1 -t utf-8 {path} > fixed.csv"
        )
    return BifocalsError(f"{path}: not UTF-8")


def read_examples(path: Path, fw: Framework) -> list[Example]:
    """Read and validate one labelled CSV (columns text, function, dimension, ...).

    Every bad row is reported with its line and field, not just the first; a file that is not
    UTF-8 or not CSV is reported with the line where reading stopped.
    """
    if not path.is_file():
        raise BifocalsError(f"{path}: file not found")
    problems: list[Problem] = []
    out: list[Example] = []
    dims = set(fw.dimension_ids)
    dim_list = ", ".join(fw.dimension_ids)
    # utf-8-sig: a byte-order mark (spreadsheets write one) is not part of the first column name
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            fieldnames = reader.fieldnames
            missing = {"text", "function", "dimension"} - {
                (f or "").strip() for f in fieldnames or ()
            }
            if missing:
                raise ValidationError(
                    [
                        Problem(
                            str(path),
                            1,
                            "header",
                            ",".join(fieldnames or ()),
                            f"missing column(s) {', '.join(sorted(missing))}; expected a header "
                            "row such as: text,function,dimension",
                        )
                    ],
                    f"invalid labelled file {path}",
                )
            reader.fieldnames = [(f or "").strip() for f in fieldnames or ()]
            for row in reader:
                line = reader.line_num
                text = (row.get("text") or "").strip()
                func = (row.get("function") or "").strip()
                dim = (row.get("dimension") or "").strip() or None
                if not text:
                    problems.append(Problem(str(path), line, "text", text, "must not be empty"))
                if func not in FUNCTIONS:
                    problems.append(
                        Problem(
                            str(path),
                            line,
                            "function",
                            func,
                            f"must be one of {', '.join(FUNCTIONS)}",
                        )
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
                            dim or "",
                            f"{func} needs one of {dim_list}",
                        )
                    )
                note = (row.get("source_note") or "").strip()
                group = note.split(";")[-1].strip() if note else f"{path.name}:{line}"
                out.append(Example(text, func, dim, path.name, line, group))
        except UnicodeDecodeError as exc:
            raise _not_utf8(path) from exc
        except csv.Error as exc:
            raise BifocalsError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from exc
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
    examples = read_examples(p, fw)
    if not examples:
        raise BifocalsError(f"{p}: no labelled rows below the header ({LABELLED_CSV_HELP})")
    return examples


def corpus_digest(examples: list[Example]) -> str:
    """sha256 over the labelled sentences, so a head records exactly what it was trained on."""
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.text}\t{e.function}\t{e.dimension or ''}\n".encode())
    return h.hexdigest()
