"""Spreadsheet-safe CSV cells: text a spreadsheet would run as a formula is written inert.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` (and,
in some versions, a tab or carriage return) as a formula, so a participant code such as
`=HYPERLINK("http://x","y")` in an export would run when someone opens the file. Every CSV the
product writes passes its text cells through `guard`, and every CSV it reads passes its cells
through `unguard`:

- writing: a text cell whose first character, after any leading apostrophes, is one of
  `= + - @`, tab or carriage return, with something after it, gets one more apostrophe in
  front (`=1+1` -> `'=1+1`, `'=1+1` -> `''=1+1`); every other text is written as it is
  (`'quoted'` stays `'quoted'`, and so does a lone `-`, which no spreadsheet can run);
- reading: a cell that starts with an apostrophe and reads like that after its leading
  apostrophes loses exactly one apostrophe.

The two are inverses, so export -> import -> export gives the same file, and a value that
really starts with an apostrophe survives. Numbers (int, float) are written as numbers: a gap
of -0.5 stays a numeric cell a spreadsheet can sum; only str values are guarded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
FORMULA_START: frozenset[str] = frozenset("=+-@\t\r")
APOSTROPHE = "'"


def _formula_like(text: str) -> bool:
    """True when, after any leading apostrophes, a formula character starts a longer text."""
    rest = text.lstrip(APOSTROPHE)
    return len(rest) > 1 and rest[0] in FORMULA_START


def guard(text: str) -> str:
    """A text cell as written: one apostrophe more in front when it could run as a formula."""
    return APOSTROPHE + text if _formula_like(text) else text


def unguard(cell: str) -> str:
    """A cell as read back: the apostrophe `guard` added, removed (the exact inverse)."""
    return cell[1:] if cell[:1] == APOSTROPHE and _formula_like(cell) else cell


def safe_cell(value: object) -> object:
    """One cell for csv.writer: str guarded, numbers and everything else unchanged."""
    return guard(value) if isinstance(value, str) else value


def safe_row(values: Iterable[object]) -> list[object]:
    """A row for csv.writer with every text cell guarded (numbers stay numbers)."""
    return [guard(v) if isinstance(v, str) else v for v in values]


def safe_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row for csv.DictWriter with every text value guarded (keys, the header, are ours)."""
    return {k: guard(v) if isinstance(v, str) else v for k, v in row.items()}
