"""`bifocals instrument list/show/check` and the generated docs/framework.md, docs/instrument.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bifocals import docgen
from bifocals.cli import app
from bifocals.instruments import PATH_ENV, get_instrument, instrument_to_data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_user_instruments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATH_ENV, raising=False)


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), terminal_width=160, env={"COLUMNS": "160"})
    return res.exit_code, res.output


def test_list_table_and_json() -> None:
    code, out = run("instrument", "list")
    assert code == 0, out
    assert "bifocals_open_360" in out and "CC BY 4.0" in out and PATH_ENV in out
    code, out = run("instrument", "list", "--json")
    assert code == 0
    (entry,) = json.loads(out)
    assert entry["id"] == "bifocals_open_360" and entry["items"] == 56
    assert entry["open_questions"] == 3


def test_show_table_has_items_scale_and_questions() -> None:
    code, out = run("instrument", "show")
    assert code == 0, out
    for text in ("FG-L1", "SI-M4", "Almost always", "Not observed", "Q3", "reverse", "yes"):
        assert text.lower() in out.lower(), text
    assert out.count("focus_goals") == 8
    assert "Hands out goals without saying what they are for." in out


def test_show_json_is_the_file_schema() -> None:
    code, out = run("instrument", "show", "bifocals_open_360", "--json")
    assert code == 0
    data = json.loads(out)
    assert data == instrument_to_data(get_instrument())
    rev = [i["id"] for i in data["items"] if i["reverse"]]
    assert "FG-L4" in rev and len(data["items"]) == 56


def test_show_file_and_check(tmp_path: Path) -> None:
    data = instrument_to_data(get_instrument())
    data["id"] = "team_pulse"
    path = tmp_path / "team_pulse.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code, out = run("instrument", "show", "--file", str(path), "--json")
    assert code == 0 and json.loads(out)["id"] == "team_pulse"
    code, out = run("instrument", "check", str(path))
    assert code == 0 and "ok: team_pulse v1.0, 56 items, 3 open questions" in out


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1.0\n", encoding="utf-8")
    for args in (("show", "--file", str(bad)), ("check", str(bad))):
        code, out = run("instrument", *args)
        assert code == 1
        assert "bad.yaml:2: field 'version'" in out and "Traceback" not in out
    code, out = run("instrument", "show", "nope")
    assert code == 1 and "unknown instrument" in out
    code, out = run("instrument", "show", "bifocals_open_360", "--file", str(bad))
    assert code == 1 and "either an ID or --file" in out


@pytest.mark.parametrize("command", ["list", "show", "check"])
def test_help_has_example(command: str) -> None:
    code, out = run("instrument", command, "--help")
    assert code == 0
    assert any(line.strip().startswith("Example") for line in out.splitlines())


def test_docs_match_the_generator() -> None:
    for name, text in docgen.render_all().items():
        current = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert current == text, f"docs/{name} is out of date: run python -m bifocals.docgen"


def test_docs_cover_every_item_and_dimension() -> None:
    inst = get_instrument()
    docs = docgen.render_all()
    for it in inst.items:
        assert f"| {it.id} |" in docs["instrument.md"]
        assert it.id in docs["framework.md"]
    for phrase in ("CC BY 4.0", PATH_ENV, "reverse-keyed", "1 + 5 - x", "Not observed"):
        assert phrase in docs["instrument.md"], phrase
    assert docs["framework.md"].count("### Sources") == 7


def test_docgen_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    assert docgen.main(["--out", str(out), "--check"]) == 1
    assert docgen.main(["--out", str(out)]) == 0
    assert docgen.main(["--out", str(out), "--check"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["framework.md", "instrument.md"]
