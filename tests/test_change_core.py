"""Change workbench core: alignment math, ADKAR barrier points and anonymity, every check."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bifocals.change import (
    Alignment,
    Finding,
    align_arrays,
    barrier_point,
    build_report,
    catalogue,
    readiness,
)
from bifocals.change.alignment import alignment
from bifocals.change.checks import check_duties, check_raci, check_rapid
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.change.model import (
    AdkarResponse,
    Decision,
    DutyAssignment,
    Initiative,
    Person,
    StakeholderGroup,
    Task,
    Theme,
    Workstream,
)
from bifocals.change.svg import heat_map

CAT = catalogue()
LEADER = [d.id for d in CAT.duties if d.side == "leader"]
MANAGER = [d.id for d in CAT.duties if d.side == "manager"]


def _align(weights: list[float], shares: list[list[float]], effort: list[list[float]]) -> Alignment:
    k = len(weights)
    return align_arrays(
        np.array(weights, dtype=float),
        np.array(shares, dtype=float).reshape(-1, k),
        np.array(effort, dtype=float).reshape(len(shares), -1),
        tuple(f"t{i}" for i in range(k)),
        tuple(f"Theme {i}" for i in range(k)),
        tuple(f"P{i}" for i in range(np.array(effort).reshape(len(shares), -1).shape[1])),
    )


def test_parallel_vectors_have_zero_angle() -> None:
    # Effort split 2:1 exactly like the weights 2:1: same direction, different length.
    al = _align([2.0, 1.0], [[1, 0], [0, 1]], [[40.0], [20.0]])
    assert al.cosine[0] == pytest.approx(1.0)
    assert al.angle[0] == pytest.approx(0.0, abs=1e-5)


def test_orthogonal_vectors_are_ninety_degrees() -> None:
    # Leaders point only at theme 0; all effort goes to theme 1.
    al = _align([1.0, 1e-12], [[0, 1]], [[10.0]])
    assert al.angle[0] == pytest.approx(90.0, abs=1e-6)


def test_known_angle_and_theme_with_weight_but_no_effort() -> None:
    # Weights (1, 1) and all effort on theme 0: 45 degrees; theme 1 has direction, no execution.
    al = _align([1.0, 1.0], [[1, 0], [1, 0]], [[5.0, 0.0], [5.0, 0.0]])
    assert al.angle[0] == pytest.approx(45.0)
    assert al.unfunded(0) == ["t1"]
    # A period with no effort at all has no angle, and every theme is unfunded.
    assert math.isnan(al.angle[1])
    assert al.unfunded(1) == ["t0", "t1"]


def test_untagged_effort_is_execution_without_direction() -> None:
    # Task 2 is tied to no theme: it counts in the total but not in the management vector.
    al = _align([1.0, 1.0], [[0.5, 0.5], [0, 0]], [[10.0], [30.0]])
    assert al.untagged[0] == pytest.approx(30.0)
    assert al.total[0] == pytest.approx(40.0)
    assert al.angle[0] == pytest.approx(0.0, abs=1e-5)


def test_trend_over_periods() -> None:
    shares = [[1.0, 0.0], [0.0, 1.0]]
    # Effort moves from theme 0 to theme 1 over four periods while leaders point at theme 0.
    effort = [[10.0, 8.0, 5.0, 1.0], [0.0, 2.0, 5.0, 9.0]]
    al = _align([1.0, 0.01], shares, effort)
    assert al.trend == "drifting"
    assert al.slope is not None and al.slope > 10


def test_demo_has_one_period_drifting() -> None:
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    al = alignment(ini)
    assert len(ini.themes) >= 6 and len(ini.tasks) >= 40 and len(ini.people) >= 10
    assert len(ini.stakeholder_groups) == 4 and len(ini.periods) == 3
    bands = [a > 45 for a in al.angle]
    assert bands == [False, True, False]
    codes = {f.code for f in build_report(ini).findings}
    assert {"alignment_drift", "raci_accountable", "rapid_decide", "rapid_agree"} <= codes
    assert {"duty_unowned", "adkar_barrier", "readiness_suppressed", "health_weak_corner"} <= codes


# --- ADKAR -----------------------------------------------------------------------------------


def test_barrier_is_first_element_at_or_below_three_not_the_lowest() -> None:
    # The lowest score is Reinforcement (1.0), but Desire (3.0) comes first in ADKAR order.
    assert barrier_point([4.5, 3.0, 3.5, 2.0, 1.0]) == "desire"
    assert barrier_point([2.9, 1.0, 4.0, 4.0, 4.0]) == "awareness"
    assert barrier_point([3.1, 3.2, 4.0, 3.01, 5.0]) is None
    assert barrier_point([None, 4.0, 3.0, 2.0, 5.0]) == "knowledge"


def _resp(group: str, scores: list[int | None]) -> AdkarResponse:
    keys = ("awareness", "desire", "knowledge", "ability", "reinforcement")
    return AdkarResponse(group, dict(zip(keys, scores, strict=True)))


GROUPS = (
    StakeholderGroup("big", "Big", 100),
    StakeholderGroup("s1", "Small one", 5),
    StakeholderGroup("s2", "Small two", 5),
    StakeholderGroup("s3", "Silent", 5),
)


def test_readiness_shows_only_groups_with_enough_respondents_and_pools_the_rest() -> None:
    rs = [_resp("big", [5, 4, 2, 1, 1])] * 3 + [
        _resp("s1", [1, 1, 1, 1, 1]),
        _resp("s1", [2, 2, 2, 2, 2]),
        _resp("s2", [3, 3, 3, 3, 3]),
    ]
    rd = readiness(rs, GROUPS, min_respondents=3)
    keys = [r.key for r in rd.rows]
    assert keys == ["big", "pooled", "overall"]
    assert rd.rows[0].barrier == "knowledge"
    pooled = rd.rows[1]
    assert pooled.n == 3 and set(pooled.pooled_from) == {"s1", "s2"}
    assert pooled.means[0] == pytest.approx(2.0)
    assert rd.rows[2].n == 6
    assert rd.no_answers == ("Silent",)


def test_readiness_drops_a_small_group_from_every_figure() -> None:
    rs = [_resp("big", [5, 5, 5, 5, 5])] * 3 + [_resp("s1", [1, 1, 1, 1, 1])] * 2
    rd = readiness(rs, GROUPS, min_respondents=3)
    assert [r.key for r in rd.rows] == ["big", "overall"]
    # The overall row holds the shown respondents only: the small group cannot be recovered
    # by subtracting the shown groups from "overall".
    assert rd.rows[-1].n == 3 and rd.rows[-1].means[0] == pytest.approx(5.0)
    assert rd.suppressed_groups == ("Small one",)
    assert "Small one" not in str([r.to_dict() for r in rd.rows])


def test_readiness_threshold_is_configurable_and_skips_unanswered() -> None:
    rs = [_resp("s1", [4, None, 4, 4, 4]), _resp("s1", [4, None, 2, 4, 4])]
    rd = readiness(rs, GROUPS, min_respondents=2)
    row = rd.rows[0]
    assert row.means[1] is None and row.barrier == "knowledge"
    assert readiness(rs, GROUPS, min_respondents=3).rows == ()


# --- duties, RACI, RAPID ---------------------------------------------------------------------


def _ini(**kw: object) -> Initiative:
    base = Initiative(
        name="Test",
        vision="v",
        why_now="w",
        themes=(Theme("a", "A", 1.0),),
        periods=("P1",),
        people=(
            Person("boss", "Boss", "Director", 0.5, manager=True),
            Person("pm", "Pam", "Project manager", 1.0, manager=True),
            Person("eng", "Eli", "Engineer", 0.6, manager=False),
            Person("idle", "Ida", "Board member", 0.05, manager=True),
        ),
        duties=tuple(DutyAssignment(d, ("boss", "eng")) for d in LEADER)
        + tuple(DutyAssignment(d, ("pm",)) for d in MANAGER),
    )
    return replace(base, **kw)


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def test_duty_nobody_owns() -> None:
    ini = _ini()
    duties = tuple(a for a in ini.duties if a.duty != "monitor_progress")
    duties += (DutyAssignment("watch_environment", ()),)
    found = check_duties(replace(ini, duties=duties), CAT)
    unowned = [f for f in found if f.code == "duty_unowned"]
    assert {f.subject for f in unowned} == {"Monitor progress"}
    # watch_environment still has owners from its first entry: owners of repeated entries merge.


def test_one_person_holds_every_leader_duty() -> None:
    ini = _ini(duties=tuple(DutyAssignment(d, ("boss",)) for d in LEADER + MANAGER))
    found = [f for f in check_duties(ini, CAT) if f.code == "leadership_single_person"]
    assert len(found) == 1 and "alone" in found[0].message and found[0].subject == "Boss"
    assert "leadership_single_person" in codes(check_duties(_ini(), CAT))  # boss shares them all
    split = tuple(DutyAssignment(d, ("boss" if i % 2 else "eng",)) for i, d in enumerate(LEADER))
    assert "leadership_single_person" not in codes(check_duties(_ini(duties=split), CAT))


def test_leader_duties_held_only_by_people_without_time() -> None:
    ini = _ini(duties=tuple(DutyAssignment(d, ("idle",)) for d in LEADER))
    assert "leaders_without_time" in codes(check_duties(ini, CAT))
    assert "leaders_without_time" not in codes(check_duties(_ini(), CAT))


def test_anyone_can_lead_is_a_note_not_a_problem() -> None:
    found = [f for f in check_duties(_ini(), CAT) if f.code == "leader_without_position"]
    assert len(found) == 1 and found[0].severity == "info"
    assert "anyone can lead" in found[0].message and found[0].subject == "Eli"


def test_raci_needs_exactly_one_accountable_and_a_responsible() -> None:
    ok = Workstream("w1", "Fine", {"accountable": ("pm",), "responsible": ("eng",)})
    two = Workstream("w2", "Two A", {"accountable": ("pm", "boss"), "responsible": ("eng",)})
    none = Workstream("w3", "No A no R", {"consulted": ("boss",)})
    found = check_raci(_ini(workstreams=(ok, two, none)))
    assert [(f.code, f.subject) for f in found] == [
        ("raci_accountable", "Two A"),
        ("raci_accountable", "No A no R"),
        ("raci_responsible", "No A no R"),
    ]
    assert all(f.severity == "error" for f in found)


def test_rapid_needs_one_decide_and_sparing_agree() -> None:
    ok = Decision("d1", "Fine", {"decide": ("boss",), "agree": ("pm",)})
    two = Decision("d2", "Two D", {"decide": ("boss", "pm")})
    zero = Decision("d3", "No D", {"recommend": ("pm",)})
    vetoes = Decision("d4", "Vetoes", {"decide": ("boss",), "agree": ("pm", "eng")})
    found = check_rapid(_ini(decisions=(ok, two, zero, vetoes)))
    assert [(f.code, f.subject, f.severity) for f in found] == [
        ("rapid_decide", "Two D", "error"),
        ("rapid_decide", "No D", "error"),
        ("rapid_agree", "Vetoes", "warning"),
    ]


def test_unconfirmed_and_pending_auto_tasks_are_reported() -> None:
    from bifocals.change.model import ThemeProposal

    tasks = (
        Task("t1", "Do a", "w", (10.0,), {"a": 1.0}),
        Task("t2", "Do b", "w", (10.0,), {}, auto=True),
        Task("t3", "Do c", "w", (10.0,), {}, auto=True),
    )
    ini = _ini(tasks=tasks, proposals=(ThemeProposal("t2", "a", 0.7),))
    report = build_report(ini)
    found = {f.code: f for f in report.findings}
    assert found["themes_unconfirmed"].subject == "1 task"
    assert found["themes_unconfirmed"].message.startswith("1 task is tagged")
    assert found["themes_auto_pending"].subject == "1 task"
    assert "1 task asks for" in found["themes_auto_pending"].message
    # The proposal counts towards the management vector; t3 stays untagged.
    assert report.alignment.untagged[0] == pytest.approx(10.0)


def test_readiness_and_checklist_findings() -> None:
    text = demo_initiative_text()
    # No answers from IT operations (impact 4), and the warehouse log names another barrier.
    lines = [ln for ln in text.splitlines() if "group: it_ops, scores" not in ln]
    text = "\n".join(lines).replace("barrier_point: desire", "barrier_point: ability")
    text = text.replace("  change_management: [2, 2, 1, 2, 1, 2, 1, 2, 1, 1]", "")
    ini, _ = load_initiative_text(text, "demo")
    found = {(f.code, f.subject) for f in build_report(ini).findings}
    assert ("readiness_missing", "IT operations") in found
    assert ("resistance_barrier_mismatch", "Warehouse staff") in found
    assert ("health_incomplete", "change_management") in found
    codes = {c for c, _ in found}
    assert {"kotter_no_evidence", "kotter_not_started", "duty_done_without_evidence"} <= codes
    # Customer service has a barrier and a matching log entry: no note about it.
    assert not any(c.startswith("resistance_") and s == "Customer service" for c, s in found)


def test_barrier_without_log_and_unfunded_theme_in_last_period() -> None:
    text = demo_initiative_text().replace(
        "group: customer_service\n    barrier_point", "group: it_ops\n    barrier_point"
    )
    text = text.replace("effort: [0, 0, 20]}", "effort: [0, 0, 0]}")  # the DR drill
    ini, _ = load_initiative_text(text, "demo")
    zero = replace(ini, themes=(*ini.themes, Theme("new", "A theme nobody works on", 5.0)))
    found = {(f.code, f.subject) for f in build_report(zero).findings}
    assert ("resistance_not_logged", "Customer service") in found
    assert ("direction_without_execution", "2026-Q3") in found


def test_an_element_few_people_answered_is_withheld_not_shown() -> None:
    # Three people in the group, but only one answered Ability (the others chose "Not sure"):
    # its mean would be that one person's answer.
    rs = [
        _resp("big", [4, 4, 4, 1, 4]),
        _resp("big", [4, 4, 4, None, 4]),
        _resp("big", [4, 4, 4, None, 4]),
    ]
    rd = readiness(rs, GROUPS, min_respondents=3)
    row = rd.rows[0]
    assert row.means[3] is None and row.answered == (3, 3, 3, None, 3)
    assert row.barrier is None  # the withheld low answer cannot name a barrier point either
    assert row.distribution[3] == 0.0  # nor show up in the barrier distribution
    as_json = rd.to_dict()["rows"][0]
    assert as_json["means"]["ability"] is None and as_json["answered"]["ability"] is None
    svg = heat_map(rd)
    assert "Ability: withheld" in svg
    assert "1.0" not in svg


def test_a_withheld_cell_cannot_be_recovered_by_subtracting_rows() -> None:
    # Group A: one person answered Desire (1), two chose "Not sure"; group B: 4, 4, 5. Were the
    # overall row to show Desire (mean 3.5 from 4), 3.5 x 4 - 4.33 x 3 would give A's answer.
    rs = [
        _resp("big", [4, 1, 4, 4, 4]),
        _resp("big", [4, None, 4, 4, 4]),
        _resp("big", [4, None, 4, 4, 4]),
        _resp("s1", [4, 4, 4, 4, 4]),
        _resp("s1", [4, 4, 4, 4, 4]),
        _resp("s1", [4, 5, 4, 4, 4]),
    ]
    rd = readiness(rs, GROUPS, min_respondents=3)
    by_key = {r.key: r for r in rd.rows}
    assert by_key["big"].means[1] is None and by_key["s1"].means[1] is not None
    overall = by_key["overall"]
    assert overall.means[1] is None and overall.answered[1] is None
    assert overall.distribution[1] == 0.0 and by_key["big"].distribution[1] == 0.0
    # Every number the outputs carry for Desire, from every row, cannot give back the 1.
    shown = [(r.means[1], r.answered[1]) for r in rd.rows if r.means[1] is not None]
    assert shown == [(pytest.approx(13 / 3), 3)]
    assert "mean 3.50" not in heat_map(rd)


def test_a_withheld_cell_in_the_pooled_row_is_withheld_overall() -> None:
    rs = [_resp("big", [4, 4, 4, 4, 4])] * 3 + [
        _resp("s1", [4, 2, 4, 4, 4]),
        _resp("s2", [4, None, 4, 4, 4]),
        _resp("s2", [4, None, 4, 4, 4]),
    ]
    rd = readiness(rs, GROUPS, min_respondents=3)
    by_key = {r.key: r for r in rd.rows}
    assert by_key["pooled"].means[1] is None
    assert by_key["overall"].means[1] is None  # else overall - big = pooled's one answer
