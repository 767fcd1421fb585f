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
    "source", "line", "sentence", "text", "function", "dimension", "confidence",
    "dimension_confidence", "evidence", "truncated",
)  # fmt: skip


def columns(with_id: bool) -> tuple[str, ...]:
    """Output columns; `id` (the --id-column value) follows `source` when it was asked for."""
    return ("source", "id", *COLUMNS[1:]) if with_id else COLUMNS


def record(unit: Unit, c: Classification, with_id: bool = False) -> dict[str, Any]:
    """One output record: where the unit is (source, id, line, sentence) and how it was coded."""
    d = c.to_dict()
    where = {"source": unit.source, "id": unit.id} if with_id else {"source": unit.source}
    return {
        **where,
        "line": unit.line,
        "sentence": unit.sentence,
        **{k: d[k] for k in COLUMNS if k in d and k not in ("source", "line", "sentence")},
    }


def write_jsonl(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    """JSON Lines: one object per unit."""
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_csv(rows: Sequence[dict[str, Any]], out: IO[str], with_id: bool = False) -> None:
    """CSV with a header row."""
    w = csv.DictWriter(out, fieldnames=list(columns(with_id)), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)


def write_parquet(rows: Sequence[dict[str, Any]], path: Path, with_id: bool = False) -> None:
    """A Parquet file with the same columns as the CSV."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(list(rows), schema=schema(with_id))
    pq.write_table(table, path)


def schema(with_id: bool = False) -> Any:
    """The Arrow schema of output records (the same for the local and the Ray engine)."""
    import pyarrow as pa

    types = {
        "source": pa.string(),
        "id": pa.string(),
        "line": pa.int64(),
        "sentence": pa.int64(),
        "text": pa.string(),
        "function": pa.string(),
        "dimension": pa.string(),
        "confidence": pa.float64(),
        "dimension_confidence": pa.float64(),
        "evidence": pa.string(),
        "truncated": pa.bool_(),
    }
    return pa.schema([(k, types[k]) for k in columns(with_id)])
