"""Write classified units: JSON Lines, CSV or Parquet, one record per unit in input order."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from bifocals.text.analyzer import Classification
from bifocals.text.sources import Unit

COLUMNS = (
    "source", "line", "text", "function", "dimension", "confidence",
    "dimension_confidence", "evidence", "truncated",
)  # fmt: skip


def record(unit: Unit, c: Classification) -> dict[str, Any]:
    """One output record: text, function, dimension, confidence, evidence, source, line."""
    d = c.to_dict()
    return {
        "source": unit.source,
        "line": unit.line,
        **{k: d[k] for k in COLUMNS if k in d},
    }


def write_jsonl(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    """JSON Lines: one object per unit."""
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_csv(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    """CSV with a header row."""
    w = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)


def write_parquet(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """A Parquet file with the same columns as the CSV."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(list(rows), schema=schema())
    pq.write_table(table, path)


def schema() -> Any:
    """The Arrow schema of output records."""
    import pyarrow as pa

    return pa.schema(
        [
            ("source", pa.string()),
            ("line", pa.int64()),
            ("text", pa.string()),
            ("function", pa.string()),
            ("dimension", pa.string()),
            ("confidence", pa.float64()),
            ("dimension_confidence", pa.float64()),
            ("evidence", pa.string()),
            ("truncated", pa.bool_()),
        ]
    )
