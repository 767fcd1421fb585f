"""The one shape everything ends in: a profile of leadership and management per dimension.

Questionnaires, the text analyzer and the change workbench all produce Profiles; reports,
charts and JSON consume them. Two separate scales per dimension, never one bipolar axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bifocals.framework.model import SIDES, Side


@dataclass(frozen=True)
class Stat:
    """One score with its evidence: mean on the 1-5 scale, n, spread and a 95% CI.

    sd is None when n < 2; ci_low/ci_high are None when no interval can be computed.
    """

    mean: float
    n: int
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with rounded numbers."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(float(x), 4)

        return {
            "mean": r(self.mean),
            "n": self.n,
            "sd": r(self.sd),
            "ci_low": r(self.ci_low),
            "ci_high": r(self.ci_high),
        }


@dataclass(frozen=True)
class Profile:
    """Leadership and management scores per dimension for one subject.

    scores maps (dimension_id, side) to a Stat; a missing key means "not enough evidence".
    source says where the numbers come from ("360:others", "text:model", ...).
    """

    subject: str
    source: str
    dimensions: tuple[str, ...]
    scores: dict[tuple[str, Side], Stat] = field(default_factory=dict)

    def get(self, dimension: str, side: Side) -> Stat | None:
        """The score for one dimension and side, or None."""
        return self.scores.get((dimension, side))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {subject, source, dimensions: {dim: {leadership, management}}}."""
        dims: dict[str, dict[str, Any]] = {}
        for d in self.dimensions:
            dims[d] = {}
            for s in SIDES:
                st = self.scores.get((d, s))
                dims[d][s] = None if st is None else st.to_dict()
        return {"subject": self.subject, "source": self.source, "dimensions": dims}
