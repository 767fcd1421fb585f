"""Tables people bring and take away: CSV or Excel .xlsx, read and written alike.

Reading gives the same Records as the strict CSV reader (`csvformat.read_records`): the line of
each row (a spreadsheet row number for .xlsx), its cells stripped and unguarded. A CSV whose
header is separated by semicolons or tabs instead of commas (a spreadsheet set to a European
locale writes semicolons) is read with that separator; a CSV that is not UTF-8 is read as
Windows-1252, what Excel on Windows saves as "CSV" in Western Europe and the Americas.

Writing guards every text cell against formula injection in both formats (`cells.guard`), so
that what the product writes can be read back unchanged. An .xlsx is recognised by its content
(a zip archive), not by its name, so a renamed file is still read for what it is.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from bifocals.errors import Problem, ValidationError
from bifocals.store.cells import guard, safe_row, unguard
from bifocals.store.csvformat import Record, read_records

MAX_TABLE_BYTES = 5_000_000
MAX_XLSX_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_xlsx(data: bytes) -> bool:
    """True when the bytes are a zip archive (the container of an .xlsx workbook)."""
    return data[:4] == b"PK\x03\x04"


def _text_of(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (7.0 -> "7", None -> "")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(data: bytes, source: str, problems: list[Problem]) -> Iterator[Record]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.append(
            Problem(
                source,
                None,
                "file",
                type(exc).__name__,
                "is not a readable .xlsx workbook; save it again from the spreadsheet "
                "(File > Save as > Excel workbook) or as CSV UTF-8",
            )
        )
        return
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_XLSX_ROWS:
                problems.append(
                    Problem(
                        source,
                        number,
                        "file",
                        MAX_XLSX_ROWS,
                        f"has more than {MAX_XLSX_ROWS:,} rows; split it into several files",
                    )
                )
                return
            cells = [unguard(_text_of(v).strip()) for v in row]
            while cells and not cells[-1]:
                cells.pop()  # a styled but empty column at the right is not a cell
            yield Record(number, number, cells)
    finally:
        book.close()


def read_table(data: bytes, source: str, problems: list[Problem]) -> Iterator[Record]:
    """The records of a CSV or .xlsx upload (header first); problems are added, as the strict
    CSV reader does, for a file too big, not UTF-8, or broken."""
    if len(data) > MAX_TABLE_BYTES:
        problems.append(
            Problem(source, None, "file", len(data), f"is larger than {MAX_TABLE_BYTES:,} bytes")
        )
        return iter(())
    if is_xlsx(data):
        return _xlsx_records(data, source, problems)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # What Excel on Windows saves as "CSV" in Western Europe and the Americas.
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    source,
                    None,
                    "file",
                    f"byte {exc.start + 1}",
                    "is in a text encoding that cannot be read; in the spreadsheet choose "
                    "File > Save as > CSV UTF-8 (comma delimited), or save it as .xlsx",
                )
            )
            return iter(())
    return read_records(text, source, problems, delimiter_of(text))


def read_headed_table(
    data: bytes, source: str, what: str, columns: Sequence[str]
) -> tuple[list[Record], list[str]]:
    """The records of a small CSV or .xlsx table (header first) and its header cells folded
    (stripped, casefolded). A ValidationError when the file cannot be read ("cannot read the
    `what`") or is empty (saying to write `columns`)."""
    problems: list[Problem] = []
    records = list(read_table(data, source, problems))
    if problems:
        raise ValidationError(problems, f"{source}: cannot read the {what}")
    if not records:
        message = "the file is empty; write " + ",".join(columns)
        raise ValidationError([Problem(source, 1, "header", "", message)])
    return records, [column_key(c) for c in records[0].cells]


def column_key(name: str) -> str:
    """A header cell as the column name it means: case, spaces and hyphens do not matter, and
    "e-mail" is "email" ("Rater E-mail" is rater_email, "Participant Name" participant_name),
    as people title the columns of a spreadsheet."""
    words = re.split(r"[\s_-]+", name.strip().casefold())
    return "_".join(w for w in words if w).replace("e_mail", "email")


def header_refused(source: str, header: Record, message: str) -> ValidationError:
    """The error for a header line that does not name the columns wanted (`message`)."""
    shown = ",".join(header.cells)[:200]
    return ValidationError([Problem(source, header.line, "header", shown, message)])


def delimiter_of(text: str) -> str:
    """The cell separator of a CSV, from its header line: "," unless the header has none
    and has semicolons (what a spreadsheet writes as "CSV" where the comma is the decimal
    mark, as in much of Europe) or tabs (a sheet saved as tab-separated text)."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    for candidate in (";", "\t"):
        if header.count(candidate) >= 2:
            return candidate
    return ","


def header_index(
    header: Sequence[str],
    source: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    ignore_unknown: bool = False,
) -> dict[str, int]:
    """Where each known column is. A ValidationError when a required one is missing (naming
    the unknown columns as likely typos), or, unless `ignore_unknown`, when a column is
    unknown (a typo in a header would otherwise drop a whole column silently)."""
    names = [column_key(h) for h in header]
    known = list(dict.fromkeys([*required, *optional]))
    unknown = [n for n in names if n and n not in known]
    problems: list[Problem] = []
    missing = [c for c in required if c not in names]
    if missing:
        typo = f" (is {', '.join(unknown)} one of them, misspelt?)" if unknown else ""
        problems.append(
            Problem(
                source,
                1,
                "header",
                ",".join(names),
                f"the first line must name the columns {', '.join(known)}; "
                f"missing {', '.join(missing)}{typo}",
            )
        )
    elif not ignore_unknown:
        problems.extend(
            Problem(
                source, 1, "header", name, f"is not a column of this file; use {', '.join(known)}"
            )
            for name in unknown
        )
    if problems:
        raise ValidationError(problems, f"{source}: nothing was changed; fix the header")
    return {name: n for n, name in enumerate(names) if name in known}


def unknown_columns(header: Sequence[str], known: Sequence[str]) -> list[str]:
    """The header's columns that are not in `known` (which an import then leaves out)."""
    return [h.strip() for h in header if h.strip() and column_key(h) not in known]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV (UTF-8 with a byte-order mark, so that Excel reads accents) with text guarded."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    """An .xlsx workbook of one sheet; every text cell is stored as text (never as a formula)
    and guarded like a CSV cell, so the two formats read back the same."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Sheet1")
    sheet.append(list(header))
    for row in rows:
        sheet.append([guard(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
