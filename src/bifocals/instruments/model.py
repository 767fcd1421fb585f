"""Questionnaire definitions as plain data: items tied to a dimension and a side."""

from __future__ import annotations

from dataclasses import dataclass

from bifocals.framework.model import Side


@dataclass(frozen=True)
class RatingScale:
    """A frequency scale from min to max (labels in order) plus a 'not observed' option."""

    min: int
    max: int
    labels: tuple[str, ...]
    not_observed_label: str

    @property
    def points(self) -> int:
        """Number of response options (excluding 'not observed'); A in the rwg formula."""
        return self.max - self.min + 1

    def keyed(self, value: float, reverse: bool) -> float:
        """A raw answer as scored: reverse-keyed items are flipped to min + max - value."""
        return self.min + self.max - value if reverse else value


@dataclass(frozen=True)
class Item:
    """A behavioural rating item. reverse=True means a high rating is low on the side's scale."""

    id: str
    dimension: str
    side: Side
    text: str
    reverse: bool = False


@dataclass(frozen=True)
class OpenQuestion:
    """A free-text question; answers are comments, shown only under the anonymity rules."""

    id: str
    text: str


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire bound to one framework."""

    id: str
    version: str
    name: str
    license: str
    framework_id: str
    scale: RatingScale
    items: tuple[Item, ...]
    open_questions: tuple[OpenQuestion, ...]
    description: str = ""
    instructions: str = ""

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Rating item ids, in instrument order (the column order of rating matrices)."""
        return tuple(i.id for i in self.items)

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Open question ids."""
        return tuple(q.id for q in self.open_questions)

    def item(self, item_id: str) -> Item:
        """Look up a rating item by id."""
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def items_for(self, dimension: str, side: Side) -> tuple[Item, ...]:
        """The items of one scale (dimension x side)."""
        return tuple(i for i in self.items if i.dimension == dimension and i.side == side)
