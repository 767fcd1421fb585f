"""Write classified units: JSON Lines, CSV or Parquet, one record per unit in input order."""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from bifocals.errors import BifocalsError
from bifocals.text.analyzer import Classification
from bifocals.text.sources import Unit

COLUMNS = (
    "source", "line", "sentence", "text", "function", "dimension", "confidence",
    "dimension_confidence", "unsure", "evidence", "truncated",
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


class RowWriter:
    """Write records as they come: JSON Lines, CSV or Parquet, to a file or standard output.

    A file is written under a temporary name next to it (with the permissions the file has,
    or a new file would get) and moved into place by `commit`, so an analysis that fails
    half-way leaves no half-written file (and no replaced one). A symbolic link keeps pointing
    at the file it names; a device or a pipe (/dev/stdout, a FIFO) is written straight through.
    Parquet rows are gathered into row groups of `GROUP_ROWS`.
    """

    GROUP_ROWS = 65_536

    def __init__(self, fmt: str, path: Path | None, with_id: bool = False) -> None:
        if fmt not in ("jsonl", "csv", "parquet"):
            raise ValueError(f"unknown output format {fmt!r}")
        if fmt == "parquet" and path is None:
            raise ValueError("Parquet needs a path")
        self.fmt, self.path, self.with_id = fmt, path, with_id
        self.written = 0
        self._tmp: Path | None = None
        self._out: IO[str] = sys.stdout
        self._pending: list[dict[str, Any]] = []
        self._parquet: Any = None
        target = path
        try:
            if path is not None:
                target = path.resolve() if path.is_symlink() else path
                if target.exists() and not target.is_file():
                    pass  # a device (/dev/stdout), a pipe: write through it, like a redirection
                else:
                    self.path = target  # a link to a file: the file is replaced, the link stays
                    self._tmp = _temporary(target)
            dest = self._tmp or target
            if fmt == "parquet":
                import pyarrow.parquet as pq

                self._parquet = pq.ParquetWriter(str(dest), schema(with_id))
            elif dest is not None:
                self._out = dest.open("w", encoding="utf-8", newline="")
        except BaseException as exc:  # also a signal turned into SystemExit half-way
            self.discard()
            if isinstance(exc, OSError):
                raise _cannot_write(path, exc) from exc
            raise
        self._csv = (
            csv.DictWriter(self._out, fieldnames=list(columns(with_id)), lineterminator="\n")
            if fmt == "csv"
            else None
        )
        if self._csv is not None:
            self._csv.writeheader()

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write (or, for Parquet, gather) a batch of records, in order."""
        self.written += len(rows)
        if self._csv is not None:
            from bifocals.store.cells import safe_record  # formula-like text is written inert

            self._csv.writerows(safe_record(r) for r in rows)
        elif self.fmt == "jsonl":
            self._out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        else:
            self._pending.extend(rows)
            if len(self._pending) >= self.GROUP_ROWS:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa

        if self._pending:
            table = pa.Table.from_pylist(self._pending, schema=schema(self.with_id))
            self._parquet.write_table(table)
            self._pending = []

    def commit(self) -> None:
        """Finish the output; a file replaces any earlier one at the path only now."""
        if self._parquet is not None:
            self._flush_parquet()
            self._parquet.close()
        elif self._out is not sys.stdout:
            self._out.close()
        else:
            self._out.flush()
        if self._tmp is not None and self.path is not None:
            try:
                os.replace(self._tmp, self.path)
            except OSError as exc:
                self.discard()
                raise _cannot_write(self.path, exc) from exc
            self._tmp = None

    def discard(self) -> None:
        """Give up: close and delete the temporary file (standard output cannot be taken back)."""
        try:
            if self._parquet is not None:
                self._parquet.close()
            elif self._out is not sys.stdout:
                self._out.close()
        finally:
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)
                self._tmp = None


def _temporary(target: Path) -> Path:
    """An empty file next to `target` with the permissions `target` has, or that a new file
    would get (mkstemp's own are owner-only)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        os.close(fd)
        if target.exists():
            mode = stat.S_IMODE(target.stat().st_mode)
        else:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(name, mode)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _cannot_write(path: Path | None, exc: OSError) -> BifocalsError:
    where = exc.filename if path is None else path
    return BifocalsError(
        f"{where}: cannot write the output ({exc.strerror or exc}); check that the folder "
        "exists and that you may write there"
    )


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
        "unsure": pa.bool_(),
        "evidence": pa.string(),
        "truncated": pa.bool_(),
    }
    return pa.schema([(k, types[k]) for k in columns(with_id)])
