"""The framework as plain data: dimensions, each with a leadership side and a management side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["leadership", "management"]
SIDES: tuple[Side, Side] = ("leadership", "management")


@dataclass(frozen=True)
class SideSpec:
    """One side of a dimension: what it means and what it looks like when someone does it."""

    label: str
    description: str
    behaviours: tuple[str, ...]


@dataclass(frozen=True)
class SourceRef:
    """Where an idea in the framework comes from (a seed file, a Kotter pair, a Bennis pair)."""

    kind: str
    ref: str
    note: str


@dataclass(frozen=True)
class Dimension:
    """A dimension measured on two separate scales, never one bipolar axis."""

    id: str
    name: str
    summary: str
    leadership: SideSpec
    management: SideSpec
    sources: tuple[SourceRef, ...]

    def side(self, side: Side) -> SideSpec:
        """The spec of one side."""
        return self.leadership if side == "leadership" else self.management


@dataclass(frozen=True)
class Framework:
    """A versioned set of dimensions."""

    id: str
    name: str
    version: str
    description: str
    dimensions: tuple[Dimension, ...]

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """Dimension ids in framework order."""
        return tuple(d.id for d in self.dimensions)

    def dimension(self, dimension_id: str) -> Dimension:
        """Look a dimension up by id; KeyError names the known ids."""
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(
            f"unknown dimension {dimension_id!r}; known: {', '.join(self.dimension_ids)}"
        )
