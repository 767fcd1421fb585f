"""Read analysis units from text files, CSV/Parquet columns or standard input.

Each unit remembers where it came from (source and 1-based line or row). Unreadable inputs
raise BifocalsError naming the file and what to do; the CLI reports them without a traceback.
"""

from __future__ import annotations

import bisect
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bifocals.errors import BifocalsError, Problem, ValidationError
from bifocals.text.guard import looks_binary
from bifocals.text.segment import segment

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class Unit:
    """One piece of text to classify and where it is: line for text files, row for tables."""

    source: str
    line: int
    text: str


def decode(data: bytes, source: str) -> str:
    """UTF-8 text or a clear error (binary files and other encodings are refused)."""
    if looks_binary(data[:8192]):
        raise BifocalsError(
            f"{source}: looks like a binary file (it contains NUL bytes); give a text, CSV or "
            "Parquet file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BifocalsError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from exc


def units_from_text(text: str, source: str, lines: bool) -> Iterator[Unit]:
    """Sentences (default) or non-empty lines of a document."""
    if lines:
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield Unit(source, n, line.strip())
        return
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    for span in segment(text):
        yield Unit(source, bisect.bisect_right(starts, span.start), span.text)


def _missing_column(path: str, column: str, have: list[str]) -> ValidationError:
    return ValidationError(
        [Problem(path, 1, "--column", column, f"no such column; the file has: {', '.join(have)}")],
        f"{path}: column not found",
    )


def column_values(path: Path, column: str | None) -> Iterator[tuple[int, str]]:
    """(row number, cell text) of one column of a CSV or Parquet file; rows count from 1."""
    name = str(path)
    if column is None:
        raise BifocalsError(f"{name}: a table needs --column NAME to say which column holds text")
    if path.suffix.lower() == ".csv":
        text = decode(path.read_bytes(), name)
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise BifocalsError(f"{name}: the file is empty")
        if column not in header:
            raise _missing_column(name, column, header)
        k = header.index(column)
        for row_no, row in enumerate(reader, start=1):
            yield row_no, row[k] if k < len(row) else ""
        return
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise BifocalsError(f"{name}: not a readable Parquet file ({exc})") from exc
    names = pf.schema_arrow.names
    if column not in names:
        raise _missing_column(name, column, names)
    row_no = 0
    for batch in pf.iter_batches(columns=[column]):
        for value in batch.column(0).to_pylist():
            row_no += 1
            yield row_no, "" if value is None else str(value)


def read_units(paths: list[str], column: str | None, lines: bool) -> Iterator[Unit]:
    """All units of all inputs, in order; '-' (or no path) is standard input."""
    for p in paths or ["-"]:
        if p == "-":
            yield from units_from_text(decode(sys.stdin.buffer.read(), "<stdin>"), "-", lines)
            continue
        path = Path(p)
        if not path.is_file():
            raise BifocalsError(f"{p}: no such file")
        if path.suffix.lower() in TABLE_SUFFIXES:
            for row, cell in column_values(path, column):
                for u in units_from_text(cell, p, lines):
                    yield Unit(p, row, u.text)
        else:
            yield from units_from_text(decode(path.read_bytes(), p), p, lines)
