"""Instrument schema validation: every problem names file, line, field and value."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bifocals.errors import ValidationError
from bifocals.framework import load_framework_text
from bifocals.instruments import (
    get_instrument,
    instrument_to_data,
    load_instrument,
    load_instrument_text,
)

Data = dict[str, Any]


def valid_data() -> Data:
    """A small valid instrument: the open 360 cut to one item per scale."""
    data = instrument_to_data(get_instrument())
    seen: set[tuple[str, str]] = set()
    items = []
    for it in data["items"]:
        key = (it["dimension"], it["side"])
        if key not in seen:
            seen.add(key)
            items.append(it)
    data["id"] = "mini"
    data["items"] = items
    return data


def write(tmp_path: Path, data: Data, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, after: int = 0) -> int:
    """1-based number of the first line (after line `after`) that contains needle."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if n > after and needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def problems_of(path: Path) -> str:
    with pytest.raises(ValidationError) as err:
        load_instrument(path)
    return str(err.value)


def test_mini_instrument_is_valid(tmp_path: Path) -> None:
    inst = load_instrument(write(tmp_path, valid_data()))
    assert inst.id == "mini" and len(inst.items) == 14


def _set_item(i: int, key: str, value: object) -> Callable[[Data], None]:
    def mutate(d: Data) -> None:
        d["items"][i][key] = value

    return mutate


# (mutation, field path, text on the offending line, part of the message)
CASES: list[tuple[str, Callable[[Data], None], str, str, str]] = [
    (
        "dimension",
        _set_item(3, "dimension", "vision"),
        "items.3.dimension",
        "vision",
        "not a dimension of framework",
    ),
    ("side", _set_item(2, "side", "both"), "items.2.side", "side: both", "must be one of"),
    ("reverse", _set_item(1, "reverse", "yes"), "items.1.reverse", "'yes'", "true or false"),
    ("text", _set_item(4, "text", ""), "items.4.text", "text: ''", "non-empty text"),
    ("unknown", _set_item(5, "reversed", True), "items.5.reversed", "reversed:", "unknown field"),
    ("letter", _set_item(0, "id", "FG-M9"), "items.0.id", "FG-M9", "side letter"),
    ("item-id", _set_item(6, "id", "has space"), "items.6.id", "has space", "an id of"),
    ("version", lambda d: d.update(version=1.5), "version", "version:", "quote it"),
    (
        "labels",
        lambda d: d["scale"]["labels"].pop(),
        "scale.labels",
        "labels:",
        "needs exactly 5 labels",
    ),
    ("points", lambda d: d["scale"].update(max=2), "scale.max", "max: 2", "3 to 11 points"),
    (
        "not-observed",
        lambda d: d["scale"].update(not_observed="Never"),
        "scale.not_observed",
        "not_observed: Never",
        "must differ",
    ),
    (
        "framework",
        lambda d: d.update(framework="other_fw"),
        "framework",
        "other_fw",
        "another framework",
    ),
    ("license", lambda d: d.pop("license"), "license", "(document)", "required"),
]


@pytest.mark.parametrize(
    ("mutate", "field", "needle", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_schema_error_names_file_line_field(
    tmp_path: Path, mutate: Callable[[Data], None], field: str, needle: str, message: str
) -> None:
    data = valid_data()
    mutate(data)
    path = write(tmp_path, data)
    msg = problems_of(path)
    assert message in msg, msg
    assert f"field '{field}'" in msg, msg
    if needle == "(document)":
        assert "mine.yaml" in msg
    else:
        assert f"mine.yaml:{line_of(path, needle)}: field '{field}'" in msg, msg


def test_duplicate_id_points_at_the_second_and_names_the_first(tmp_path: Path) -> None:
    data = valid_data()
    data["items"][7]["id"] = data["items"][2]["id"]
    path = write(tmp_path, data)
    msg = problems_of(path)
    dup = data["items"][2]["id"]
    first = line_of(path, f"id: {dup}")
    second = line_of(path, f"id: {dup}", after=first)
    assert f"mine.yaml:{second}: field 'items.7.id'" in msg
    assert f"first used on line {first}" in msg


def test_question_id_may_not_repeat_an_item_id(tmp_path: Path) -> None:
    data = valid_data()
    data["open_questions"][0]["id"] = data["items"][0]["id"]
    msg = problems_of(write(tmp_path, data))
    assert "open_questions.0.id" in msg and "duplicate id" in msg


def test_every_scale_needs_an_item(tmp_path: Path) -> None:
    data = valid_data()
    data["items"] = [
        it
        for it in data["items"]
        if not (it["dimension"] == "time_horizon" and it["side"] == "management")
    ]
    msg = problems_of(write(tmp_path, data))
    assert "field 'items'" in msg and "time_horizon/management" in msg


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    data = valid_data()
    data["items"][0]["side"] = "both"
    data["items"][1]["dimension"] = "nope"
    data["version"] = 2
    with pytest.raises(ValidationError) as err:
        load_instrument(write(tmp_path, data))
    fields = {p.field for p in err.value.problems}
    assert {"items.0.side", "items.1.dimension", "version"} <= fields
    assert all(p.line is not None for p in err.value.problems)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("- a\n- b\n", "(document)"),
        ("id: x\nitems: [\n  - a\n", "(syntax)"),
        ("", "(document)"),
    ],
)
def test_unreadable_documents(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_instrument(path)
    problem = err.value.problems[0]
    assert problem.field == field and problem.source.endswith("bad.yaml")
    assert problem.line is not None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="file not found"):
        load_instrument(tmp_path / "nowhere.yaml")


def test_json_round_trip_and_custom_framework() -> None:
    inst = get_instrument()
    assert load_instrument_text(json.dumps(instrument_to_data(inst))) == inst
    fw_text = (
        "id: tiny\nname: Tiny\nversion: '1'\ndescription: d\ndimensions:\n"
        "  - id: focus\n    name: Focus\n    summary: s\n"
        "    leadership: {label: L, description: d, behaviours: [a, b]}\n"
        "    management: {label: M, description: d, behaviours: [a, b]}\n"
        "    sources: [{kind: seed, ref: '002', note: n}]\n"
    )
    fw = load_framework_text(fw_text)
    data: Data = copy.deepcopy(valid_data())
    data["framework"] = "tiny"
    data["items"] = [
        {"id": "F-L1", "dimension": "focus", "side": "leadership", "text": "Leads."},
        {"id": "F-M1", "dimension": "focus", "side": "management", "text": "Plans."},
    ]
    inst2 = load_instrument_text(json.dumps(data), "tiny.json", framework=fw)
    assert inst2.framework_id == "tiny" and inst2.item_ids == ("F-L1", "F-M1")
