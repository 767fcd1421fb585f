"""Reading the inputs on Ray workers, numbered as the local engine numbers them.

`InputRows` is a Ray Data file datasource (the base class of Ray's own `read_csv`,
`read_parquet` and `read_text`): Ray lists the files, groups them into read tasks and runs
those tasks on the workers, each opening its files through pyarrow's file systems, so an
input only has to be reachable from the nodes (a local folder on a one-machine cluster, a
shared file system on a real one). What it yields for each file is the local engine's reading
of it (bifocals.text.sources): the same UTF-8 and damaged-file checks, the same cell and id
values, rows numbered from 1 per file. Ray's Arrow CSV parser would infer types (an id of 007
becomes 7), refuse short rows and cannot number rows across its blocks, which is why the rows
are parsed here and not by `read_csv` itself.

A table row is one cell, split into units by the actor that classifies it. A text file is
split here, as the local engine splits it (sentences over the whole text, or its lines with
--lines), and each of its rows is already one unit (`unit` is true, `sentence` set).

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
from bifocals.text.sources import (
    _parquet,
    check_utf8_stream,
    csv_values,
    decode,
    is_table,
    parquet_values,
    units_from_text,
)


def row_schema() -> Any:
    """The columns of every block read."""
    import pyarrow as pa

    return pa.schema(
        [
            ("file", pa.int64()),
            ("source", pa.string()),
            ("line", pa.int64()),
            ("cell", pa.string()),
            ("id", pa.string()),
            ("sentence", pa.int64()),
            ("unit", pa.bool_()),
            ("problem", pa.string()),
        ]
    )


class InputRows(FileBasedDatasource):
    """The rows of CSV, Parquet and text files, `block_rows` rows a block.

    names: the paths as the user gave them, in order (each output row's `source`); Ray hands
    `_read_stream` the resolved path, matched back to the given one by position.
    column, id_column: for tables. lines: text files are read a line a unit (--lines).
    tally: an actor handle with `add_time(stage, seconds)`; read time is reported to it.
    """

    def __init__(
        self,
        names: list[str],
        column: str | None,
        id_column: str | None,
        lines: bool,
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
        self._column, self._id_column, self._lines = column, id_column, lines
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
            for line, cell, ident, sentence, unit in self._rows(f, name):
                for key, value in zip(
                    types.names, (index, name, line, cell, ident, sentence, unit, None),
                    strict=True,
                ):  # fmt: skip
                    cols[key].append(value)
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
            values = [index, name, 0, "", None, None, False, str(exc)]
            cols = {k: [v] for k, v in zip(types.names, values, strict=True)}
        spent += time.perf_counter() - started
        if self._tally is not None:
            self._tally.add_time.remote("read", spent)
        if cols["line"]:
            yield pa.Table.from_pydict(cols, schema=types)

    def _rows(self, f: Any, name: str) -> Iterator[tuple[int, str, str | None, int | None, bool]]:
        """(line, text, id, sentence, is a unit) of each row of one file."""
        if not is_table(name):
            for u in units_from_text(decode(f.read(), name), name, self._lines):
                yield u.line, u.text, None, u.sentence, True
            return
        if self._column is None:
            raise BifocalsError(
                f"{name}: a table needs --column NAME to say which column holds text"
            )
        if name.lower().endswith(".csv"):
            check_utf8_stream(f, name)
            f.seek(0)
            text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
            values = csv_values(text, name, self._column, self._id_column)
        else:
            values = parquet_values(_parquet(f, name), name, self._column, self._id_column)
        for line, cell, ident in values:
            yield line, cell, ident, None, False
