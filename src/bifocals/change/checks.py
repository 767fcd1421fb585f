"""Checks on duties and decision rights, each ending in a plain-language finding.

Duties after seed 000 (leader and manager duties); "anyone can lead" and "leadership is a shared
function" after seeds 003 and 004; RACI (one Accountable, at least one Responsible) and Bain's
RAPID (one Decide, Agree used sparingly) as in the field notes, section 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bifocals.change.catalogue import Catalogue
from bifocals.change.model import Initiative

# The JSON keeps the short keys (`severity`: error, warning, info); people read the labels, the
# same words in the terminal, the HTML and PDF report, and docs/change.md.
Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABELS: dict[str, str] = {"error": "Problem", "warning": "Warning", "info": "Note"}
# A leader with less than this share of their time on the initiative counts as absent.
MIN_LEADER_TIME = 0.1


@dataclass(frozen=True)
class Finding:
    """What a check found: how serious, about what, in plain words, and what to do."""

    code: str
    severity: Severity
    subject: str
    message: str
    action: str

    @property
    def label(self) -> str:
        """The severity as people read it: Problem, Warning or Note."""
        return SEVERITY_LABELS[self.severity]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "severity": self.severity,
            "label": self.label,
            "subject": self.subject,
            "message": self.message,
            "action": self.action,
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Problems first, then warnings, then notes; stable within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def _owners_by_duty(ini: Initiative) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for a in ini.duties:
        out[a.duty] = tuple(dict.fromkeys(out.get(a.duty, ()) + a.owners))
    return out


def check_duties(
    ini: Initiative, cat: Catalogue, min_time: float = MIN_LEADER_TIME
) -> list[Finding]:
    """Unowned duties, one person holding every leader duty, absent leaders, anyone can lead."""
    found: list[Finding] = []
    owners = _owners_by_duty(ini)
    for d in cat.duties:
        if not owners.get(d.id):
            found.append(
                Finding(
                    "duty_unowned",
                    "error",
                    d.name,
                    f"Nobody owns the {d.side} duty '{d.name}'.",
                    "Name an owner for it; a duty without an owner is usually a duty not done.",
                )
            )
    leader_ids = [d.id for d in cat.leader_duties]
    holders = [set(owners.get(i, ())) for i in leader_ids]
    if holders and all(holders):
        for pid in sorted(set.intersection(*holders)):
            alone = all(h == {pid} for h in holders)
            name = ini.person_name(pid)
            how = "alone" if alone else "(sharing some with others)"
            found.append(
                Finding(
                    "leadership_single_person",
                    "warning",
                    name,
                    f"{name} holds every leader duty {how}.",
                    "Leadership is a shared function: hand some leader duties (communicating why, "
                    "watching the environment, assessing stakeholders) to others.",
                )
            )
    all_leaders = set().union(*holders) if holders else set()
    if all_leaders:
        people = [ini.person(p) for p in all_leaders]
        if all(p is None or p.time_share < min_time for p in people):
            names = ", ".join(sorted(ini.person_name(p) for p in all_leaders))
            found.append(
                Finding(
                    "leaders_without_time",
                    "warning",
                    names,
                    f"Every leader duty is held by people with less than {min_time:.0%} of their "
                    f"time on the initiative ({names}).",
                    "Give at least one leader-duty owner real time on the change, or move leader "
                    "duties to someone who has it.",
                )
            )
    led: dict[str, list[str]] = {}
    for d in cat.leader_duties:
        for pid in owners.get(d.id, ()):
            led.setdefault(pid, []).append(d.name)
    for pid, duty_names in led.items():
        p = ini.person(pid)
        if p is not None and not p.manager:
            duties = "; ".join(duty_names)
            found.append(
                Finding(
                    "leader_without_position",
                    "info",
                    p.name,
                    f"{p.name}, {p.position or 'no position given'}, holds leader duties without "
                    f"a management position: {duties}. That is fine: anyone can lead.",
                    "Nothing to fix; make sure they have the access and backing the duties need.",
                )
            )
    for a in ini.duties:
        if a.status == "done" and not a.evidence.strip():
            name = cat.duty(a.duty).name
            found.append(
                Finding(
                    "duty_done_without_evidence",
                    "info",
                    name,
                    f"The duty '{name}' is marked done but shows no evidence.",
                    "Add what shows it is done (a document, a meeting, a decision record).",
                )
            )
    return found


# The roles only one person may hold, by the code of the finding when that is not so: the role
# as the message counts its holders, and what to do.
_SOLE_ROLES: dict[str, tuple[str, str]] = {
    "raci_accountable": (
        "Accountable",
        "Pick the one person who answers for the result; others become Responsible or Consulted.",
    ),
    "rapid_decide": (
        "people with the D",
        "Give the D to one person; the others Recommend, give Input or Agree.",
    ),
}


def _exactly_one(
    ini: Initiative, code: str, kind: str, name: str, holders: tuple[str, ...]
) -> list[Finding]:
    """A problem unless exactly one person holds the _SOLE_ROLES[code] role in the workstream
    or decision (`kind`) called `name`."""
    if len(holders) == 1:
        return []
    role, action = _SOLE_ROLES[code]
    who = ", ".join(ini.person_name(p) for p in holders) or "nobody"
    message = f"{kind} '{name}' has {len(holders)} {role} ({who}); it needs exactly one."
    return [Finding(code, "error", name, message, action)]


def check_raci(ini: Initiative) -> list[Finding]:
    """Each workstream: exactly one Accountable, at least one Responsible."""
    found: list[Finding] = []
    for w in ini.workstreams:
        found += _exactly_one(
            ini, "raci_accountable", "Workstream", w.name, w.raci.get("accountable", ())
        )
        if not w.raci.get("responsible"):
            found.append(
                Finding(
                    "raci_responsible",
                    "error",
                    w.name,
                    f"Workstream '{w.name}' has nobody Responsible for doing the work.",
                    "Name at least one person who does the work.",
                )
            )
    return found


def check_rapid(ini: Initiative) -> list[Finding]:
    """Each key decision: exactly one Decide; more than one Agree is flagged."""
    found: list[Finding] = []
    for d in ini.decisions:
        found += _exactly_one(ini, "rapid_decide", "Decision", d.name, d.rapid.get("decide", ()))
        agree = d.rapid.get("agree", ())
        if len(agree) > 1:
            who = ", ".join(ini.person_name(p) for p in agree)
            found.append(
                Finding(
                    "rapid_agree",
                    "warning",
                    d.name,
                    f"Decision '{d.name}' gives a veto (Agree) to {len(agree)} people ({who}).",
                    "Keep Agree for those with a legal or regulatory veto; move the rest to Input.",
                )
            )
    return found
