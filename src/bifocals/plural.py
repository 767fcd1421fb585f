"""Counted nouns in plain English: "1 group", "3 groups", "1 of 8 has", "2 of 8 have".

Pure string helpers with no imports from the rest of bifocals, so every layer (the change
core included) may use them.
"""

from __future__ import annotations


def plural(n: int, singular: str, many: str | None = None) -> str:
    """The noun for a count of n, without the number: "group" for 1, "groups" otherwise.

    many is the plural when adding an "s" is wrong (person / people).
    """
    if n == 1:
        return singular
    return many if many is not None else singular + "s"


def count(n: int, singular: str, many: str | None = None) -> str:
    """n followed by its noun: "1 group", "0 groups", "2 people"."""
    return f"{n} {plural(n, singular, many)}"


def verb(n: int, one: str = "is", more: str = "are") -> str:
    """The verb agreeing with a subject of n things: "is"/"are", or "has"/"have" when given."""
    return one if n == 1 else more
