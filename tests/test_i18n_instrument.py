"""Instrument translations: complete for de/fr/es, checked at load, shown by the CLI."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.errors import ValidationError
from bifocals.instruments import (
    PATH_ENV,
    get_instrument,
    instrument_to_data,
    list_instruments,
    load_translation,
    translated,
    translation_languages,
)

LANGS = ("de", "fr", "es")


def _data_file(lang: str) -> Path:
    ref = resources.files("bifocals.instruments").joinpath(f"data/bifocals_open_360.{lang}.yaml")
    return Path(str(ref))


@pytest.fixture(autouse=True)
def _no_user_instruments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATH_ENV, raising=False)


@pytest.mark.parametrize("lang", LANGS)
def test_every_item_question_and_label_translated(lang: str) -> None:
    base = get_instrument()
    tr = translated(base, lang)
    assert tr.item_ids == base.item_ids and tr.question_ids == base.question_ids
    for b, t in zip(base.items, tr.items, strict=True):
        assert (t.dimension, t.side, t.reverse) == (b.dimension, b.side, b.reverse)
        assert t.text and t.text != b.text, t.id
    for b_q, t_q in zip(base.open_questions, tr.open_questions, strict=True):
        assert t_q.text and t_q.text != b_q.text, t_q.id
    assert len(tr.scale.labels) == len(base.scale.labels)
    assert not set(tr.scale.labels) & set(base.scale.labels)
    assert tr.scale.not_observed_label != base.scale.not_observed_label
    assert tr.instructions and tr.instructions != base.instructions
    # the "not observed" answer the instructions name is the scale's own label
    assert tr.scale.not_observed_label in tr.instructions
    assert (tr.scale.min, tr.scale.max) == (base.scale.min, base.scale.max)


def test_translations_are_not_instruments() -> None:
    assert [i.id for i in list_instruments()] == ["bifocals_open_360"]
    assert translation_languages(get_instrument()) == ("en", "de", "fr", "es")
    assert translated(get_instrument(), "en") is get_instrument()


def test_missing_item_fails_naming_it_and_the_file(tmp_path: Path) -> None:
    text = _data_file("de").read_text(encoding="utf-8")
    cut = re.sub(r"^  RP-M3: .*\n", "", text, flags=re.M)
    assert cut != text
    path = tmp_path / "bifocals_open_360.de.yaml"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_translation(path, get_instrument())
    msg = str(err.value)
    assert "RP-M3" in msg and str(path) in msg and "not translated" in msg
    assert len(err.value.problems) == 1


def test_extra_item_and_missing_question_fail(tmp_path: Path) -> None:
    data = yaml.safe_load(_data_file("fr").read_text(encoding="utf-8"))
    data["items"]["ZZ-L9"] = "Un énoncé de trop."
    del data["open_questions"]["Q2"]
    data["scale"]["labels"] = data["scale"]["labels"][:4]
    path = tmp_path / "bifocals_open_360.fr.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_translation(path, get_instrument())
    fields = {(p.field, str(p.value)) for p in err.value.problems}
    assert ("items.ZZ-L9", "ZZ-L9") in fields
    assert ("open_questions", "Q2") in fields
    assert any(p.field == "scale.labels" for p in err.value.problems)
    assert all(p.source == str(path) for p in err.value.problems)
    extra = next(p for p in err.value.problems if p.field == "items.ZZ-L9")
    assert extra.line is not None


def test_user_translation_beside_user_instrument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = instrument_to_data(get_instrument())
    base["id"] = "team_pulse"
    (tmp_path / "team_pulse.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    tr = yaml.safe_load(_data_file("es").read_text(encoding="utf-8"))
    tr["instrument"] = "team_pulse"
    (tmp_path / "team_pulse.es.yaml").write_text(
        yaml.safe_dump(tr, allow_unicode=True), encoding="utf-8"
    )
    monkeypatch.setenv(PATH_ENV, str(tmp_path))
    assert sorted(i.id for i in list_instruments()) == ["bifocals_open_360", "team_pulse"]
    pulse = get_instrument("team_pulse")
    assert translation_languages(pulse) == ("en", "es")
    assert translated(pulse, "es").scale.labels[0] == "Nunca"
    assert translated(pulse, "de") is pulse  # no German file: shown in English
    # a translation with problems is not offered (and loading it names them)
    broken = tr.copy()
    broken["items"] = {k: v for k, v in tr["items"].items() if k != "FG-L1"}
    broken["language"] = "fr"
    (tmp_path / "team_pulse.fr.yaml").write_text(
        yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8"
    )
    assert translation_languages(pulse) == ("en", "es")
    with pytest.raises(ValidationError, match="FG-L1"):
        translated(pulse, "fr")


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), terminal_width=160, env={"COLUMNS": "160"})
    return res.exit_code, res.output


@pytest.mark.parametrize("lang", LANGS)
def test_cli_show_lang_json(lang: str) -> None:
    code, out = run("instrument", "show", "--lang", lang, "--json")
    assert code == 0, out
    data = json.loads(out)
    english = instrument_to_data(get_instrument())
    assert data.keys() == english.keys()
    assert [i["id"] for i in data["items"]] == [i["id"] for i in english["items"]]
    assert all(
        t["text"] != e["text"]
        and {k: t[k] for k in t if k != "text"} == {k: e[k] for k in e if k != "text"}
        for t, e in zip(data["items"], english["items"], strict=True)
    )
    assert [q["text"] for q in data["open_questions"]] == [
        q.text for q in translated(get_instrument(), lang).open_questions
    ]


def test_cli_check_translation_and_bad_lang(tmp_path: Path) -> None:
    code, out = run("instrument", "check", str(_data_file("de")))
    assert code == 0 and "56 items" in out, out
    code, out = run("instrument", "show", "--lang", "it", "--json")
    assert code != 0 and "'it'" in out and "en, de, fr, es" in out
    text = _data_file("es").read_text(encoding="utf-8")
    path = tmp_path / "bifocals_open_360.es.yaml"
    path.write_text(re.sub(r"^  SI-M4: .*\n", "", text, flags=re.M), encoding="utf-8")
    code, out = run("instrument", "check", str(path))
    assert code != 0 and "SI-M4" in out
