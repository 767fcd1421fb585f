"""What an effort import would change, shown before it is applied: per period the effort now
and from the file with the angle before and after, per theme how many items and how much
effort, the untagged share, the workstreams, and the proposals waiting for a person."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bifocals.change.alignment import alignment, band
from bifocals.change.effort_plan import THEMED_BY, EffortPlan, overlay_effort
from bifocals.change.model import EFFORT_KINDS, Initiative


def _angle(value: float) -> float | None:
    # Four places, as the report's `angle_deg`: rounding to two first and then printing one
    # place could show 8.4° here for the 8.5° the dashboard shows (8.4532 -> 8.45 -> 8.4).
    return round(float(value), 4) if math.isfinite(value) else None


@dataclass(frozen=True)
class EffortPreview:
    """The preview of one plan against the initiative as it is now (before) and after."""

    plan: EffortPlan
    before: Initiative
    after: Initiative

    @property
    def kind_label(self) -> str:
        """The format in words ("Jira export")."""
        return EFFORT_KINDS.get(self.plan.kind, self.plan.kind)

    def periods(self) -> list[dict[str, Any]]:
        """Per period of the initiative: effort and source now, effort after, angle both."""
        al0, al1 = alignment(self.before), alignment(self.after)
        rows = []
        for p, name in enumerate(self.before.periods):
            covered = name in self.plan.periods
            rows.append(
                {
                    "period": name,
                    "covered": covered,
                    "effort_now": round(float(al0.total[p]), 2),
                    "source_now": self.before.effort_source(name).describe(),
                    "effort_after": round(float(al1.total[p]), 2),
                    "items": self.plan.period_items(name),
                    "angle_now": _angle(al0.angle[p]),
                    "angle_after": _angle(al1.angle[p]),
                    "band_after": band(_angle(al1.angle[p])),
                }
            )
        return rows

    def themes(self) -> list[dict[str, Any]]:
        """Per theme: its weight share, items tagged, items proposed, effort and its share of
        the file's effort (proposals count with their confidence, as in the alignment)."""
        total = sum(i.total for i in self.plan.items) or 1.0
        weights = sum(t.weight for t in self.before.themes) or 1.0
        props: dict[str, list[tuple[str, float]]] = {}
        for prop in self.plan.proposals:
            props.setdefault(prop.task, []).append((prop.theme, prop.confidence))
        items = {t.id: 0 for t in self.before.themes}
        proposed = {t.id: 0 for t in self.before.themes}
        effort = {t.id: 0.0 for t in self.before.themes}
        for item in self.plan.items:
            for theme, share in item.themes.items():
                if theme in items:
                    items[theme] += 1
                    effort[theme] += share * item.total
            guesses = props.get(item.key, []) if not item.themes else []
            conf = sum(c for _, c in guesses) or 1.0
            for theme, c in guesses:
                if theme in items:
                    proposed[theme] += 1
                    effort[theme] += c / conf * item.total
        return [
            {
                "id": t.id,
                "name": t.name,
                "weight": round(t.weight / weights, 4),
                "items": items[t.id],
                "proposed": proposed[t.id],
                "effort": round(effort[t.id], 2),
                "share": round(effort[t.id] / total, 4),
            }
            for t in self.before.themes
        ]

    def untagged(self) -> dict[str, Any]:
        """Items with no theme (not even a proposal), and their share of the file's effort."""
        proposed = {p.task for p in self.plan.proposals}
        bare = [i for i in self.plan.items if not i.themes and i.key not in proposed]
        total = sum(i.total for i in self.plan.items)
        effort = sum(i.total for i in bare)
        return {
            "items": len(bare),
            "effort": round(effort, 2),
            "share": round(effort / total, 4) if total else 0.0,
            "keys": [i.key for i in bare[:20]],
        }

    def themed_by(self) -> dict[str, int]:
        """How many items got their themes each way (THEMED_BY keys, those that occur)."""
        counts = {k: 0 for k in THEMED_BY}
        for item in self.plan.items:
            counts[item.themed_by] = counts.get(item.themed_by, 0) + 1
        return {k: n for k, n in counts.items() if n}

    def workstreams(self) -> list[dict[str, Any]]:
        """Items and effort per workstream (those without one last)."""
        names = {w.id: w.name for w in self.before.workstreams}
        acc: dict[str, list[float]] = {}
        for item in self.plan.items:
            row = acc.setdefault(item.workstream, [0, 0.0])
            row[0] += 1
            row[1] += item.total
        order = [w.id for w in self.before.workstreams if w.id in acc]
        order += [""] if "" in acc else []
        return [
            {
                "id": ws,
                "name": names.get(ws, "no workstream"),
                "items": int(acc[ws][0]),
                "effort": round(acc[ws][1], 2),
            }
            for ws in order
        ]

    def proposals(self) -> list[dict[str, Any]]:
        """The analyzer's proposals, by item: what to confirm in the mapping file."""
        names = {t.id: t.name for t in self.before.themes}
        items = {i.key: i for i in self.plan.items}
        return [
            {
                "item": p.task,
                "name": items[p.task].name if p.task in items else p.task,
                "theme": p.theme,
                "theme_name": names.get(p.theme, p.theme),
                "confidence": round(p.confidence, 3),
            }
            for p in self.plan.proposals
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`bifocals change effort ... --json`)."""
        return {
            "initiative": self.before.name,
            "kind": self.plan.kind,
            "source": self.plan.source,
            "mapping": self.plan.mapping_source or None,
            "periods_replaced": list(self.plan.periods),
            "items": len(self.plan.items),
            "effort": round(sum(i.total for i in self.plan.items), 2),
            "hours_per_unit": self.plan.hours_per_unit,
            "left_out": self.plan.left_out,
            "periods": self.periods(),
            "themes": self.themes(),
            "untagged": self.untagged(),
            "themed_by": self.themed_by(),
            "workstreams": self.workstreams(),
            "proposals": self.proposals(),
        }


def preview_effort(before: Initiative, plan: EffortPlan) -> EffortPreview:
    """The preview of `plan` against the initiative as it stands (imports applied so far)."""
    return EffortPreview(plan, before, overlay_effort(before, plan))
