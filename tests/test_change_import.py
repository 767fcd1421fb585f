"""Initiative documents: the demo validates; every error names file, line, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bifocals.change.loader import (
    demo_initiative_text,
    initiative_from_data,
    load_initiative,
    load_initiative_text,
)
from bifocals.errors import ValidationError

MINIMAL = """\
name: Small move
vision: One system in the cloud.
why_now: The lease ends.
periods: [Q1, Q2]
themes:
  - {id: speed, name: Speed, weight: 2}
  - {id: cost, name: Cost, weight: 1}
people:
  - {id: ann, name: Ann, position: CIO, time_share: 0.5, manager: true}
workstreams:
  - {id: ws, name: Work, raci: {accountable: [ann], responsible: ann}}
tasks:
  - {id: t1, name: Build, workstream: ws, themes: {speed: 3, cost: 1}, effort: {Q1: 10}}
  - {id: t2, name: Tidy, workstream: ws, themes: [speed, cost], effort: [1, 2]}
  - {id: t3, name: Guess, workstream: ws, themes: auto, effort: [0, 4]}
"""


def problems(text: str) -> str:
    with pytest.raises(ValidationError) as err:
        load_initiative_text(text, "mine.yaml")
    return str(err.value)


def test_minimal_document_and_shares() -> None:
    ini, data = load_initiative_text(MINIMAL, "mine.yaml")
    t1, t2, t3 = ini.tasks
    assert t1.themes == {"speed": 0.75, "cost": 0.25} and t1.effort == (10.0, 0.0)
    assert t2.themes == {"speed": 0.5, "cost": 0.5} and t2.effort == (1.0, 2.0)
    assert t3.auto and not t3.themes
    assert ini.workstreams[0].raci["responsible"] == ("ann",)
    # The stored JSON form rebuilds the same initiative.
    assert initiative_from_data(data) == ini


def test_demo_round_trips_through_json() -> None:
    ini, data = load_initiative_text(demo_initiative_text(), "demo")
    assert initiative_from_data(data) == ini
    assert ini.resistance[0].date == "2026-05-12"


@pytest.mark.parametrize(
    ("old", "new", "where", "field"),
    [
        ("weight: 2}", "weight: 0}", "mine.yaml:6", "themes.0.weight"),
        ("time_share: 0.5", "time_share: 1.5", "mine.yaml:9", "people.0.time_share"),
        ("responsible: ann", "responsible: bob", "mine.yaml:11", "workstreams.0.raci.responsible"),
        ("effort: {Q1: 10}", "effort: {Q9: 10}", "mine.yaml:13", "tasks.0.effort.Q9"),
        ("effort: [1, 2]", "effort: [1]", "mine.yaml:14", "tasks.1.effort"),
        ("themes: [speed, cost]", "themes: [speed, vibes]", "mine.yaml:14", "tasks.1.themes.1"),
        ("workstream: ws, themes: auto", "workstream: nope, themes: auto", "mine.yaml:15",
         "tasks.2.workstream"),
        ("manager: true", "manager: maybe", "mine.yaml:9", "people.0.manager"),
    ],
)  # fmt: skip
def test_errors_name_file_line_field_and_value(old: str, new: str, where: str, field: str) -> None:
    assert old in MINIMAL
    msg = problems(MINIMAL.replace(old, new))
    assert where in msg and f"field '{field}'" in msg, msg
    assert "nothing was imported" in msg


def test_all_problems_are_reported_at_once() -> None:
    text = MINIMAL.replace("weight: 2}", "weight: -1}").replace("name: Ann", "name: ''")
    text += (
        "duties:\n  - {duty: make_coffee, owners: [ann]}\n  - {duty: set_vision, owners: [zed]}\n"
    )
    msg = problems(text)
    for field in ("themes.0.weight", "people.0.name", "duties.0.duty", "duties.1.owners.0"):
        assert f"field '{field}'" in msg, msg
    assert "make_coffee" in msg and "set_vision" in msg  # the known duties are listed


def test_readiness_resistance_kotter_health_errors() -> None:
    text = MINIMAL.replace(
        "people:",
        "stakeholder_groups:\n  - {id: ops, name: Ops, size: 3, impact: {process: 5, moon: 1}}\n"
        "people:",
    )
    text += (
        "readiness:\n  responses:\n    - {group: ops, scores: [1, 2, 3, 4, 6]}\n"
        "    - {group: dev, scores: [1, 2]}\n"
        "resistance:\n  - {group: ops, barrier_point: mood, observed: o, root_cause: r,"
        " response: s, owner: ann, date: 2026-01-01, success: x}\n"
        "kotter:\n  - {id: urgency, status: finished}\n"
        "health_check:\n  sponsorship: [1, 2, 3]\n  finance: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    )
    msg = problems(text)
    for field in (
        "stakeholder_groups.0.impact.process",
        "stakeholder_groups.0.impact.moon",
        "readiness.responses.0.scores.4",
        "readiness.responses.1.group",
        "readiness.responses.1.scores",
        "resistance.0.barrier_point",
        "kotter.0.status",
        "health_check.sponsorship",
        "health_check.finance",
    ):
        assert f"field '{field}'" in msg, (field, msg)


def test_missing_required_sections_and_unknown_section() -> None:
    msg = problems("name: x\nvision: y\nwhy_now: z\nthemes: []\nbudget: 3\n")
    assert "field 'themes'" in msg and "field 'periods'" in msg and "field 'budget'" in msg


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="file not found"):
        load_initiative(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"bad\.yaml"):
        load_initiative(bad)
    empty_value = tmp_path / "empty.yaml"
    empty_value.write_text(MINIMAL + "resistance:\n  - group:\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"empty\.yaml"):
        load_initiative(empty_value)
