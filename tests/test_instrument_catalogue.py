"""get_instrument / list_instruments / load_instrument, and users' instruments found by id."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bifocals.errors import ValidationError
from bifocals.instruments import (
    PATH_ENV,
    catalogue,
    get_instrument,
    instrument_to_data,
    list_instruments,
    load_instrument,
)


def _user_instrument(folder: Path, iid: str, file_name: str | None = None) -> Path:
    data = instrument_to_data(get_instrument())
    data["id"] = iid
    data["name"] = f"{iid} pulse"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file_name or f"{iid}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_default_and_by_id_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATH_ENV, raising=False)
    assert get_instrument() is get_instrument("bifocals_open_360")
    assert [i.id for i in list_instruments()] == ["bifocals_open_360"]


def test_unknown_id_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATH_ENV, raising=False)
    with pytest.raises(ValidationError) as err:
        get_instrument("team_pulse")
    msg = str(err.value)
    assert "'team_pulse'" in msg and "bifocals_open_360" in msg and PATH_ENV in msg


def test_user_instrument_found_by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "a"
    second = tmp_path / "b"
    _user_instrument(first, "team_pulse")
    _user_instrument(second, "board_view", "board.yml")
    (second / "notes.txt").write_text("not an instrument", encoding="utf-8")
    monkeypatch.setenv(PATH_ENV, f"{first}{os.pathsep}{second}")
    ids = [i.id for i in list_instruments()]
    assert ids == ["bifocals_open_360", "team_pulse", "board_view"]
    assert get_instrument("team_pulse").name == "team_pulse pulse"
    sources = {e.instrument.id: e.source for e in catalogue()}
    assert sources["board_view"].endswith("board.yml")


def test_path_in_place_of_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATH_ENV, raising=False)
    path = _user_instrument(tmp_path, "side_project")
    assert get_instrument(str(path)) == load_instrument(path)
    assert get_instrument(str(path)).id == "side_project"


def test_duplicate_ids_on_the_path_are_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _user_instrument(tmp_path, "bifocals_open_360", "copy.yaml")
    monkeypatch.setenv(PATH_ENV, str(tmp_path))
    with pytest.raises(ValidationError, match="already used by bifocals:instruments"):
        list_instruments()


def test_broken_user_file_is_reported_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _user_instrument(tmp_path, "team_pulse")
    path.write_text(
        path.read_text(encoding="utf-8").replace("side: management", "side: x", 1), encoding="utf-8"
    )
    monkeypatch.setenv(PATH_ENV, str(tmp_path))
    with pytest.raises(ValidationError) as err:
        get_instrument("team_pulse")
    (problem,) = err.value.problems
    assert problem.source == str(path) and problem.field.endswith(".side")
    assert problem.line is not None and problem.value == "x"
