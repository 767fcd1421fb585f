"""Option and path checks of `bifocals analyze`: refuse, before any work is done, what would be
silently ignored, lost or end in a traceback."""

from __future__ import annotations

from pathlib import Path

from bifocals.cli.common import fail
from bifocals.errors import BifocalsError, ValidationError


def check_options(
    files: list[str],
    as_json: bool,
    as_csv: bool,
    parquet: Path | None,
    output: Path | None,
    profile: bool,
) -> None:
    """Refuse what would be silently ignored or lost, before any work is done."""
    if as_json and as_csv:
        fail("--json and --csv both given: choose one output format")
    if parquet is not None and (as_json or as_csv or output is not None):
        fail("--parquet writes its own file: leave out --json, --csv and --output")
    if output is not None and not (as_json or as_csv):
        fail("--output needs --json or --csv (the table is for the terminal)")
    if profile and (as_csv or parquet is not None or output is not None):
        fail("--profile prints to the terminal, or as JSON with --json; drop the other options")
    missing = [f for f in files if f != "-" and not Path(f).exists()]
    if missing:
        fail(
            "no such file: "
            + ", ".join(missing)
            + "; check the path (nothing was analyzed, so nothing is half done)"
        )
    folders = [f for f in files if f != "-" and Path(f).is_dir()]
    if folders:
        fail(f"{', '.join(folders)}: a folder; give the files in it (e.g. {folders[0]}/*.txt)")
    for option, out in (("--output", output), ("--parquet", parquet)):
        if out is None:
            continue
        if out.is_dir() and option == "--output":
            fail(f"--output {out}: is a folder; give a file name")
        if not out.parent.is_dir():
            fail(f"{option} {out}: the folder {out.parent} does not exist; create it first")


def check_table_options(
    files: list[str], column: str | None, id_column: str | None, profile: bool
) -> None:
    """--column and --id-column name columns of CSV/Parquet files; anything else is refused."""
    from bifocals.text.sources import is_table

    tables = [f for f in files if is_table(f)]
    others = [f for f in files or ["-"] if not is_table(f)]
    for option, value in (("--column", column), ("--id-column", id_column)):
        if value is not None and not tables:
            where = ", ".join("stdin" if f == "-" else f for f in others)
            fail(
                f"{option} applies to .csv/.parquet files, not to {where}; save the table "
                "with a .csv or .parquet suffix, or leave out the option for plain text"
            )
    if id_column is not None and column is None:
        fail("--id-column needs --column NAME (the column that holds the text)")
    if id_column is not None and profile:
        fail("--profile sums over all units, so --id-column would be ignored; drop one")
    if tables and column is None:
        fail(
            f"{tables[0]} is a table: give --column NAME for the column that holds the text "
            "(text files given alongside are still read as plain text)"
        )


def check_columns(files: list[str], column: str | None, id_column: str | None) -> None:
    """A missing column in any table stops the run before the first unit is written; files
    that cannot be read at all are left for `_units` to skip with a note."""
    from bifocals.text.sources import check_columns, is_table

    for f in files:
        if is_table(f) and column is not None:
            try:
                check_columns(Path(f), column, id_column)
            except ValidationError as exc:
                fail(exc)
            except BifocalsError:
                pass
