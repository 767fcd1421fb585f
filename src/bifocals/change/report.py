"""The initiative report as plain data: every analysis of the workbench plus all findings.

`build_report` is what the CLI, the HTML/PDF renderer and the web dashboard call; `to_dict` is
the JSON form (`bifocals change report NAME --json`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bifocals.change.alignment import Alignment, alignment, alignment_findings
from bifocals.change.catalogue import Catalogue, catalogue
from bifocals.change.checks import Finding, check_duties, check_raci, check_rapid, sort_findings
from bifocals.change.model import HEALTH_CORNERS, Initiative
from bifocals.change.readiness import Readiness, initiative_readiness, readiness_findings
from bifocals.plural import verb

# Health-check bands for a corner total (10..30); a project convention (docs/change.md).
HEALTH_WEAK_MAX = 16
HEALTH_FAIR_MAX = 23


def health_band(total: int) -> str:
    """'weak' (10-16), 'fair' (17-23) or 'strong' (24-30)."""
    if total <= HEALTH_WEAK_MAX:
        return "weak"
    if total <= HEALTH_FAIR_MAX:
        return "fair"
    return "strong"


def duty_rows(ini: Initiative, cat: Catalogue) -> list[dict[str, Any]]:
    """One row per catalogue duty: side, owners with position and time share, status, evidence."""
    rows = []
    by_duty = {a.duty: a for a in ini.duties}
    for d in cat.duties:
        a = by_duty.get(d.id)
        owners = []
        for pid in a.owners if a else ():
            p = ini.person(pid)
            owners.append(
                {
                    "id": pid,
                    "name": p.name if p else pid,
                    "position": p.position if p else "",
                    "manager": p.manager if p else False,
                    "time_share": p.time_share if p else 0.0,
                }
            )
        rows.append(
            {
                "duty": d.id,
                "side": d.side,
                "name": d.name,
                "owners": owners,
                "status": a.status if a else "not_started",
                "evidence": a.evidence if a else "",
            }
        )
    return rows


def _roles_rows(ini: Initiative, kind: str) -> list[dict[str, Any]]:
    if kind == "raci":
        return [
            {
                "id": w.id,
                "name": w.name,
                "roles": {r: [ini.person_name(p) for p in ps] for r, ps in w.raci.items()},
            }
            for w in ini.workstreams
        ]
    return [
        {
            "id": d.id,
            "name": d.name,
            "status": d.status,
            "roles": {r: [ini.person_name(p) for p in ps] for r, ps in d.rapid.items()},
        }
        for d in ini.decisions
    ]


def kotter_rows(ini: Initiative, cat: Catalogue) -> list[dict[str, Any]]:
    """The eight accelerators in order, with this initiative's status and evidence."""
    by_id = {k.id: k for k in ini.kotter}
    return [
        {
            "id": k.id,
            "name": k.name,
            "status": by_id[k.id].status if k.id in by_id else "not_started",
            "evidence": by_id[k.id].evidence if k.id in by_id else "",
        }
        for k in cat.kotter
    ]


def health_rows(ini: Initiative, cat: Catalogue) -> list[dict[str, Any]]:
    """Per corner: factor scores, total (10-30) and band; corners not scored are left out."""
    rows = []
    for corner in cat.health:
        scores = ini.health.get(corner.id)
        if scores is None:
            continue
        total = int(sum(scores))
        rows.append(
            {
                "id": corner.id,
                "name": corner.name,
                "factors": [
                    {"name": f, "score": s} for f, s in zip(corner.factors, scores, strict=True)
                ],
                "total": total,
                "band": health_band(total),
            }
        )
    return rows


def checklist_findings(ini: Initiative, cat: Catalogue) -> list[Finding]:
    """Kotter items done without evidence, accelerators not started, weak health corners."""
    found: list[Finding] = []
    for row in kotter_rows(ini, cat):
        if row["status"] == "done" and not row["evidence"]:
            found.append(
                Finding(
                    "kotter_no_evidence",
                    "info",
                    row["name"],
                    f"The accelerator '{row['name']}' is marked done without evidence.",
                    "Note what shows it (an event, a number, a decision).",
                )
            )
    idle = [r["name"] for r in kotter_rows(ini, cat) if r["status"] == "not_started"]
    if idle:
        found.append(
            Finding(
                "kotter_not_started",
                "info",
                ", ".join(idle),
                f"{len(idle)} of Kotter's eight accelerators {verb(len(idle), 'has', 'have')} not "
                f"started: {', '.join(idle)}.",
                "The accelerators run at the same time, not one after another; give each an owner.",
            )
        )
    for row in health_rows(ini, cat):
        if row["band"] == "weak":
            found.append(
                Finding(
                    "health_weak_corner",
                    "warning",
                    row["name"],
                    f"The {row['name']} corner scores {row['total']} of 30 (weak).",
                    "Start with its factors scored 1; a weak corner holds the other two back.",
                )
            )
    missing = [c for c in HEALTH_CORNERS if c not in ini.health]
    if ini.health and missing:
        found.append(
            Finding(
                "health_incomplete",
                "info",
                ", ".join(missing),
                f"The health check leaves out {', '.join(missing)}.",
                "Score all three corners so they can be compared.",
            )
        )
    return found


@dataclass(frozen=True)
class ChangeReport:
    """Everything the report shows about one initiative."""

    initiative: Initiative
    alignment: Alignment
    readiness: Readiness
    duties: list[dict[str, Any]]
    workstreams: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    kotter: list[dict[str, Any]]
    health: list[dict[str, Any]]
    findings: list[Finding]

    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the whole report."""
        ini = self.initiative
        return {
            "initiative": {
                "name": ini.name,
                "vision": ini.vision,
                "why_now": ini.why_now,
                "periods": list(ini.periods),
                "people": len(ini.people),
                "tasks": len(ini.tasks),
            },
            "alignment": self.alignment.to_dict(),
            "effort_sources": [
                {
                    "period": p,
                    "kind": src.kind,
                    "source": src.source or None,
                    "imported_at": src.imported_at or None,
                    "items": src.items,
                    "effort": src.effort,
                    "described": src.describe(),
                }
                for p in ini.periods
                for src in (ini.effort_source(p),)
            ],
            "duties": self.duties,
            "workstreams": self.workstreams,
            "decisions": self.decisions,
            "stakeholder_groups": [
                {"id": g.id, "name": g.name, "size": g.size, "impact": g.impact}
                for g in ini.stakeholder_groups
            ],
            "readiness": {**self.readiness.to_dict(), "web_survey": ini.web_survey},
            "resistance": [
                {
                    "group": ini.group_name(e.group),
                    "barrier_point": e.barrier_point,
                    "observed": e.observed,
                    "root_cause": e.root_cause,
                    "response": e.response,
                    "owner": ini.person_name(e.owner),
                    "date": e.date,
                    "success": e.success,
                }
                for e in ini.resistance
            ],
            "proposals": [
                {
                    "task": p.task,
                    "theme": p.theme,
                    "confidence": round(p.confidence, 3),
                    "confirmed": p.confirmed,
                }
                for p in ini.proposals
            ],
            "kotter": self.kotter,
            "health_check": self.health,
            "findings": [f.to_dict() for f in self.findings],
            "finding_counts": self.counts(),
        }


def build_report(ini: Initiative, cat: Catalogue | None = None) -> ChangeReport:
    """Run every analysis and check on an initiative."""
    cat = cat or catalogue()
    al = alignment(ini)
    rd = initiative_readiness(ini)
    findings = (
        check_duties(ini, cat)
        + check_raci(ini)
        + check_rapid(ini)
        + alignment_findings(al, ini)
        + readiness_findings(rd, ini)
        + checklist_findings(ini, cat)
    )
    return ChangeReport(
        ini,
        al,
        rd,
        duty_rows(ini, cat),
        _roles_rows(ini, "raci"),
        _roles_rows(ini, "rapid"),
        kotter_rows(ini, cat),
        health_rows(ini, cat),
        sort_findings(findings),
    )
