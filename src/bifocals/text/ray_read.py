"""Reading table rows on Ray workers, numbered as the local engine numbers them.

`TableRows` is a Ray Data file datasource (the base class of Ray's own `read_csv` and
`read_parquet`): Ray lists the files, groups them into read tasks and runs those tasks on the
workers, each opening its files through pyarrow's file systems, so an input only has to be
reachable from the nodes (a local folder on a one-machine cluster, a shared file system or an
object store on a real one). What it yields for each file is the local engine's reading of it
(`csv_values` and `parquet_values` in bifocals.text.sources): the same UTF-8 and damaged-file
checks, the same cell and id values, rows numbered from 1 per file. Ray's Arrow CSV parser
would infer types (an id of 007 becomes 7), refuse short rows and cannot number rows across
its blocks, which is why the rows are parsed here and not by `read_csv` itself.

A file that cannot be read at all gives one row whose `problem` says why (the local engine's
message), so the run can skip it with the same note; with strict=True the read fails instead.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from typing import Any

from ray.data.datasource import FileBasedDatasource

from bifocals.errors import BifocalsError, ValidationError
from bifocals.text.sources import _parquet, check_utf8_stream, csv_values, parquet_values


def row_schema() -> Any:
    """The columns of every block read: where the row is, its cell, its id, and a problem."""
    import pyarrow as pa

    return pa.schema(
        [
            ("file", pa.int64()),
            ("source", pa.string()),
            ("line", pa.int64()),
            ("cell", pa.string()),
            ("id", pa.string()),
            ("problem", pa.string()),
        ]
    )


class TableRows(FileBasedDatasource):
    """The --column (and --id-column) of CSV and Parquet files, `block_rows` rows a block.

    names: the paths as the user gave them, in order (each output row's `source`); Ray hands
    `_read_stream` the resolved path, matched back to the given one by position.
    tally: an actor handle with `add_time(stage, seconds)`; read time is reported to it.
    """

    def __init__(
        self,
        names: list[str],
        column: str,
        id_column: str | None,
        strict: bool,
        block_rows: int,
        tally: Any = None,
    ) -> None:
        # Relative paths are made absolute here, on the driver: a worker's folder is its own.
        super().__init__([n if "://" in n else os.path.abspath(n) for n in names])
        resolved = self._paths()
        if len(resolved) != len(names):  # Ray expanded a path: name rows by where they are
            self._given = {p: (k, p) for k, p in enumerate(resolved)}
        else:
            self._given = {p: (k, n) for k, (p, n) in enumerate(zip(resolved, names, strict=True))}
        self._column, self._id_column = column, id_column
        self._strict, self._block_rows, self._tally = strict, block_rows, tally

    def _open_input_source(self, filesystem: Any, path: str, **open_args: Any) -> Any:
        # Random access: Parquet reads its footer first, and a CSV with a bad byte is read
        # again from the start to name the line (as the local engine does).
        return filesystem.open_input_file(path)

    def _read_stream(self, f: Any, path: str) -> Iterator[Any]:
        import pyarrow as pa

        index, name = self._given.get(path, (len(self._given), path))
        types = row_schema()
        cols: dict[str, list[Any]] = {k: [] for k in types.names}
        started = time.perf_counter()
        spent = 0.0
        try:
            for row, cell, ident in self._values(f, name):
                cols["file"].append(index)
                cols["source"].append(name)
                cols["line"].append(row)
                cols["cell"].append(cell)
                cols["id"].append(ident)
                cols["problem"].append(None)
                if len(cols["line"]) >= self._block_rows:
                    spent += time.perf_counter() - started
                    yield pa.Table.from_pydict(cols, schema=types)
                    started = time.perf_counter()
                    cols = {k: [] for k in types.names}
        except ValidationError:
            raise
        except BifocalsError as exc:
            if self._strict or cols["line"] or spent:
                raise  # --strict, or the file went bad after rows were read: stop the run
            values = [index, name, 0, "", None, str(exc)]
            cols = {k: [v] for k, v in zip(types.names, values, strict=True)}
        spent += time.perf_counter() - started
        if self._tally is not None:
            self._tally.add_time.remote("read", spent)
        if cols["line"]:
            yield pa.Table.from_pydict(cols, schema=types)

    def _values(self, f: Any, name: str) -> Iterator[tuple[int, str, str | None]]:
        if name.lower().endswith(".csv"):
            check_utf8_stream(f, name)
            f.seek(0)
            text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
            yield from csv_values(text, name, self._column, self._id_column)
        else:
            yield from parquet_values(_parquet(f, name), name, self._column, self._id_column)
