"""Shared builders for the store tests: a small instrument and CSV writing helpers."""

from __future__ import annotations

from pathlib import Path

from bifocals.framework import default_framework
from bifocals.instruments.model import Instrument, Item, OpenQuestion, RatingScale

HEADER = "participant,rater,group,item,value"
_D1, _D2 = default_framework().dimension_ids[:2]


def small_instrument() -> Instrument:
    """Four rating items on a 1-5 scale (one reverse-keyed) and two open questions."""
    return Instrument(
        id="store_test",
        version="1.0",
        name="Store test instrument",
        license="CC0",
        framework_id=default_framework().id,
        scale=RatingScale(
            min=1,
            max=5,
            labels=("Rarely", "Sometimes", "Often", "Usually", "Almost always"),
            not_observed_label="Not seen",
        ),
        items=(
            Item("a1", _D1, "leadership", "Sets a direction people can repeat."),
            Item("a2", _D1, "management", "Turns goals into dated steps."),
            Item("b1", _D2, "leadership", "Hands over whole problems.", reverse=True),
            Item("b2", _D2, "management", "Keeps roles written down."),
        ),
        open_questions=(
            OpenQuestion("q1", "What should they keep doing?"),
            OpenQuestion("q2", "What should they start doing?"),
        ),
    )


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    """Write header and rows (already comma-joined) as a UTF-8 file."""
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD_ROWS: list[str] = [
    "P1,S,self,a1,4",
    "P1,S,self,a2,3",
    "P1,S,self,b1,NA",
    "P1,S,self,q1,Clear priorities",
    "P1,M,manager,a1,5",
    "P1,M,manager,b2,",
    "P1,X1,peer,a1,2",
    "P1,X1,peer,a2,1",
    'P1,X1,peer,q2,"Says no more often, kindly"',
    "P2,S,self,a1,1",
    "P2,X1,direct_report,b2,5",
    "P2,X1,direct_report,q1,",
]
