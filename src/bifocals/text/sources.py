"""Read analysis units from text files, CSV/Parquet columns or standard input.

Each unit remembers where it came from (source and 1-based line or row). Unreadable inputs
raise BifocalsError naming the file and what to do; the CLI reports them without a traceback.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bifocals.errors import BifocalsError, Problem, ValidationError
from bifocals.text.guard import looks_binary
from bifocals.text.segment import segment

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
BLOCK = 1 << 20
CELL_LIMIT = 1 << 30  # csv's default of 131,072 characters a cell would refuse a long speech


@dataclass(frozen=True)
class Unit:
    """One piece of text to classify and where it is.

    line: line of a text file, or data row of a table (both from 1). sentence: in sentence
    mode, the unit's position among the sentences starting on that line or in that cell (from
    1); None with --lines. id: the --id-column value of the unit's table row, as text.
    """

    source: str
    line: int
    text: str
    sentence: int | None = None
    id: str | None = None


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


def check_utf8(path: Path, name: str | None = None) -> None:
    """The same checks as `decode`, reading the file in blocks instead of holding it whole.

    Files are checked before any of their units are read, so a bad byte near the end of a
    large CSV is refused before anything has been classified or written.
    """
    with path.open("rb") as fh:
        check_utf8_stream(fh, name or str(path))


def check_utf8_stream(fh: Any, name: str) -> None:
    """`check_utf8` on an open, seekable binary file (a local file, or one that a Ray worker
    opened on any file system); on a bad byte the whole file is read again, from the start,
    to name the line and offset."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    while block := fh.read(BLOCK):
        if first and looks_binary(block[:8192]):
            decode(block[:8192], name)  # raises the binary-file error
        first = False
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            fh.seek(0)
            decode(fh.read(), name)  # raises with the line and offset
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        fh.seek(0)
        decode(fh.read(), name)


def _parquet(path: Path | Any, name: str) -> Any:
    """pyarrow's ParquetFile (of a path or an open file), or the clear error for a damaged
    file."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise BifocalsError(f"{name}: not a readable Parquet file ({exc})") from exc


def check_readable(path: str) -> None:
    """Raise the error that reading would raise for a file that cannot be read at all (binary,
    not UTF-8, not Parquet), without reading its units; standard input is left alone."""
    if path == "-":
        return
    p = Path(path)
    if p.suffix.lower() in (".parquet", ".pq"):
        _parquet(p, path)
        return
    check_utf8(p)


def count_rows(path: str) -> int | None:
    """About how many lines or table rows a file has, to size a progress bar (None: stdin).

    Text and CSV files count line breaks (a CSV cell with line breaks makes this an
    overestimate); Parquet files say how many rows they hold.
    """
    if path == "-":
        return None
    p = Path(path)
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            return int(_parquet(p, path).metadata.num_rows)
        except BifocalsError:  # a damaged file is reported when it is read
            return 0
    lf = cr = 0
    with p.open("rb") as fh:
        while block := fh.read(BLOCK):
            lf += block.count(b"\n")
            cr += block.count(b"\r")
    return max(lf, cr)  # LF, CRLF or old Mac CR line ends


def _lines_of_file(path: Path, source: str, name: str | None = None) -> Iterator[Unit]:
    """--lines on a text file, read a line at a time, numbered as `str.splitlines` numbers
    them (as for standard input): LF, CRLF and CR end a line, and so do form feed, U+2028 and
    the other separators it knows."""
    check_utf8(path, name)
    with path.open(encoding="utf-8-sig", newline=None) as fh:
        yield from _numbered_lines(fh, source)


def _numbered_lines(pieces: Iterable[str], source: str) -> Iterator[Unit]:
    """One unit per non-blank line of the text in `pieces` (whole lines, in order), numbered
    from 1 as `str.splitlines` would number the lines of the whole text."""
    n = 0
    for piece in pieces:
        for line in piece.splitlines():
            n += 1
            if line.strip():
                yield Unit(source, n, line.strip())


def _lines_of_stdin() -> Iterator[Unit]:
    """--lines on standard input: copied to a temporary file first (memory stays flat, and a
    bad byte anywhere is refused before the first unit), then read like a text file."""
    with tempfile.TemporaryDirectory(prefix="bifocals-stdin-") as folder:
        spool = Path(folder) / "stdin.txt"
        with spool.open("wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh, BLOCK)
        yield from _lines_of_file(spool, "-", "<stdin>")


def units_from_text(text: str, source: str, lines: bool) -> Iterator[Unit]:
    """Sentences (default) or non-empty lines of a document."""
    if lines:
        yield from _numbered_lines([text], source)
        return
    starts = [0]  # where each line starts, lines as str.splitlines ends them (as --lines)
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    seen: dict[int, int] = {}
    for span in segment(text):
        at = bisect.bisect_right(starts, span.start)
        seen[at] = seen.get(at, 0) + 1
        yield Unit(source, at, span.text, seen[at])


def cell_units(source: str, row: int, cell: str, lines: bool, ident: str | None) -> list[Unit]:
    """The units of one table cell; never an empty list, so every row is accounted for.

    With --lines the whole cell is one unit (line breaks inside it become spaces); otherwise
    its sentences, numbered from 1. A blank cell gives one unit with empty text, which the
    analyzer marks skipped ("empty").
    """
    if lines:
        return [Unit(source, row, " ".join(cell.split()), None, ident)]
    spans = segment(cell)
    if not spans:
        return [Unit(source, row, "", None, ident)]
    return [Unit(source, row, s.text, k, ident) for k, s in enumerate(spans, start=1)]


def _missing_column(
    path: str, column: str, have: list[str], option: str = "--column"
) -> ValidationError:
    return ValidationError(
        [Problem(path, 1, option, column, f"no such column; the file has: {', '.join(have)}")],
        f"{path}: column not found",
    )


def is_table(path: str) -> bool:
    """A CSV or Parquet file (by suffix), read by column rather than as text."""
    return path != "-" and Path(path).suffix.lower() in TABLE_SUFFIXES


def table_columns(path: Path) -> list[str]:
    """The column names of a CSV (header row) or Parquet file (schema), without the rows."""
    name = str(path)
    if path.suffix.lower() == ".csv":
        with path.open("rb") as fh:
            head = fh.readline()
        header = next(csv.reader(io.StringIO(decode(head, name), newline="")), None)
        if header is None:
            raise BifocalsError(f"{name}: the file is empty")
        return header
    return list(_parquet(path, name).schema_arrow.names)


def check_columns(path: Path, column: str, id_column: str | None) -> None:
    """Raise the clear missing-column error before any work is done."""
    have = table_columns(path)
    for option, name in (("--column", column), ("--id-column", id_column)):
        if name is not None and name not in have:
            raise _missing_column(str(path), name, have, option)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def column_values(
    path: Path, column: str | None, id_column: str | None = None
) -> Iterator[tuple[int, str, str | None]]:
    """(row number, cell text, id) of one column of a CSV or Parquet file; rows count from 1.

    id is the row's --id-column value as text (None without --id-column or for a null cell).
    """
    name = str(path)
    if column is None:
        raise BifocalsError(f"{name}: a table needs --column NAME to say which column holds text")
    if path.suffix.lower() == ".csv":
        check_utf8(path)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv_values(fh, name, column, id_column)
        return
    yield from parquet_values(_parquet(path, name), name, column, id_column)


def csv_values(
    fh: Iterable[str], name: str, column: str, id_column: str | None
) -> Iterator[tuple[int, str, str | None]]:
    """`column_values` of a CSV file already checked to be UTF-8 and opened as text (with
    newline=""): a missing cell reads as empty text, like a short row in a spreadsheet."""
    csv.field_size_limit(max(csv.field_size_limit(), CELL_LIMIT))
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        raise BifocalsError(f"{name}: the file is empty")
    for option, want in (("--column", column), ("--id-column", id_column)):
        if want is not None and want not in header:
            raise _missing_column(name, want, header, option)
    k = header.index(column)
    j = None if id_column is None else header.index(id_column)
    for row_no, row in enumerate(reader, start=1):
        ident = None if j is None else (row[j] if j < len(row) else "")
        yield row_no, row[k] if k < len(row) else "", ident


def parquet_values(
    pf: Any, name: str, column: str, id_column: str | None
) -> Iterator[tuple[int, str, str | None]]:
    """`column_values` of an open Parquet file (pyarrow's ParquetFile): a null cell reads as
    empty text, a null id as None."""
    names = pf.schema_arrow.names
    for option, want in (("--column", column), ("--id-column", id_column)):
        if want is not None and want not in names:
            raise _missing_column(name, want, names, option)
    wanted = [column] if id_column is None or id_column == column else [column, id_column]
    row_no = 0
    for batch in pf.iter_batches(columns=wanted):
        cells = batch.column(column).to_pylist()
        ids = batch.column(id_column).to_pylist() if id_column else [None] * len(cells)
        for value, ident in zip(cells, ids, strict=True):
            row_no += 1
            yield row_no, "" if value is None else str(value), _text(ident)


def read_units(
    paths: list[str], column: str | None, lines: bool, id_column: str | None = None
) -> Iterator[Unit]:
    """All units of all inputs, in order; '-' (or no path) is standard input.

    Every table row gives at least one unit (a blank cell gives an empty one, which the
    analyzer skips as "empty"), so rows in and units out can be reconciled.
    """
    for p in paths or ["-"]:
        if p == "-" and lines:
            yield from _lines_of_stdin()
            continue
        if p == "-":
            yield from units_from_text(decode(sys.stdin.buffer.read(), "<stdin>"), "-", lines)
            continue
        path = Path(p)
        if not path.is_file():
            raise BifocalsError(f"{p}: no such file")
        if is_table(p):
            for row, cell, ident in column_values(path, column, id_column):
                yield from cell_units(p, row, cell, lines, ident)
        elif lines:
            yield from _lines_of_file(path, p)
        else:
            yield from units_from_text(decode(path.read_bytes(), p), p, lines)
