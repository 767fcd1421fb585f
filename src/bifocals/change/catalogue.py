"""The fixed catalogues of the workbench: duties (seed 000), Kotter's accelerators, health factors.

They ship as YAML in change/data/ and are read once; initiatives refer to their ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bifocals.change.model import HEALTH_CORNERS, DutySpec


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a fixed checklist (a Kotter accelerator)."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class HealthCorner:
    """One corner of the health check and its ten factors."""

    id: str
    name: str
    factors: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """Everything fixed that an initiative refers to by id."""

    duties: tuple[DutySpec, ...]
    kotter: tuple[ChecklistItem, ...]
    health: tuple[HealthCorner, ...]

    @property
    def duty_ids(self) -> tuple[str, ...]:
        """Duty ids in catalogue order (leader duties first)."""
        return tuple(d.id for d in self.duties)

    @property
    def leader_duties(self) -> tuple[DutySpec, ...]:
        """The leader duties, in catalogue order."""
        return tuple(d for d in self.duties if d.side == "leader")

    def duty(self, duty_id: str) -> DutySpec:
        """A duty by id; KeyError when unknown."""
        for d in self.duties:
            if d.id == duty_id:
                return d
        raise KeyError(duty_id)


def _read(name: str) -> Any:
    ref = resources.files("bifocals.change").joinpath(f"data/{name}")
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue that ships with bifocals (change/data/duties.yaml, checklists.yaml)."""
    duties = tuple(
        DutySpec(d["id"], d["side"], d["name"], d["description"])
        for d in _read("duties.yaml")["duties"]
    )
    lists = _read("checklists.yaml")
    kotter = tuple(ChecklistItem(k["id"], k["name"], k["description"]) for k in lists["kotter"])
    health = tuple(
        HealthCorner(c, lists["health"][c]["name"], tuple(lists["health"][c]["factors"]))
        for c in HEALTH_CORNERS
    )
    return Catalogue(duties, kotter, health)
