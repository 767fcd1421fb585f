"""The framework: the default file loads, user files validate with file/line/field errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.errors import ValidationError
from bifocals.framework import SIDES, default_framework, load_framework

SEED_SIX = {
    "focus_goals",
    "roles_responsibilities",
    "decision_making",
    "relationship_people",
    "risk_taking",
    "time_horizon",
}


def test_default_has_seed_dimensions_plus_influence() -> None:
    fw = default_framework()
    ids = set(fw.dimension_ids)
    assert SEED_SIX | {"source_of_influence"} <= ids
    for d in fw.dimensions:
        for s in SIDES:
            side = d.side(s)
            assert side.description and len(side.behaviours) >= 2
        assert d.sources, d.id
        assert any(src.kind == "seed" for src in d.sources), d.id


def test_malformed_framework_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "id: mine\nname: Mine\nversion: '1'\ndescription: x\ndimensions:\n"
        "  - id: focus\n    name: Focus\n    summary: s\n"
        "    leadership: {label: L, description: d, behaviours: [a, b]}\n"
        "    management: {label: M, description: d, behaviours: [only one]}\n"
        "    sources: [{kind: seed, ref: '002', note: n}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        load_framework(bad)
    msg = str(err.value)
    assert "mine.yaml:10" in msg
    assert "dimensions.0.management.behaviours" in msg


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\ndimensions: [\n  - a: b\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_framework(bad)
    assert "broken.yaml:" in str(err.value)


def test_cli_show_table_and_json() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["framework", "show"])
    assert res.exit_code == 0, res.output
    assert "Time horizon" in res.output
    res = runner.invoke(app, ["framework", "show", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert [d["id"] for d in data["dimensions"]][:2] == ["focus_goals", "roles_responsibilities"]


def test_cli_bad_file_is_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "f.yaml"
    bad.write_text("id: 1\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["framework", "show", "--file", str(bad)])
    assert res.exit_code == 1
    assert "f.yaml" in res.output and "Traceback" not in res.output


def test_empty_values_are_located_errors_not_crashes(tmp_path: Path) -> None:
    """`key:` with nothing after it, and an empty list entry, are None with a line number."""
    bad = tmp_path / "holes.yaml"
    bad.write_text(
        "id: mine\nname:\nversion: '1'\ndescription: x\ndimensions:\n  -\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        load_framework(bad)
    msg = str(err.value)
    assert "holes.yaml:2" in msg or "holes.yaml:6" in msg
    res = CliRunner().invoke(app, ["framework", "show", "--file", str(bad)])
    assert res.exit_code == 1 and "holes.yaml:" in res.output and "Traceback" not in res.output


def test_a_key_given_twice_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    from bifocals.yamlsource import load_located_file

    path = tmp_path / "twice.yaml"
    path.write_text("id: mine\nname: One\nnotes:\n  a: 1\n  a: 2\nname: Two\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_located_file(path)
    text = str(caught.value)
    assert "twice.yaml:5: field 'notes.a'" in text and "first on line 4" in text
    assert "twice.yaml:6: field 'name'" in text and "first on line 2" in text
