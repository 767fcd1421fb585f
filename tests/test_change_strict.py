"""An initiative file with a typo fails loudly: unknown keys anywhere, dangling references,
YAML syntax, and the words the terminal report uses. Real files through the real loader and CLI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bifocals.change.loader import demo_initiative_text, initiative_from_data, load_initiative
from bifocals.cli import app
from bifocals.errors import ValidationError
from bifocals.store import open_store

DEMO = "Move the order system to the cloud"
TEXT = demo_initiative_text()


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def write(tmp_path: Path, text: str, name: str = "cloud.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> tuple[str, int]:
    """The demo with the first `old` replaced by `new`, and the line where it is."""
    assert old in TEXT, old
    at = TEXT.index(old)
    return TEXT[:at] + new + TEXT[at + len(old) :], TEXT.count("\n", 0, at) + 1


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as err:
        load_initiative(path)
    return [str(p) for p in err.value.problems]


# (text in the demo, its misspelling, the field path of the problem, the suggestion)
TYPOS = [
    ("stakeholder_groups:", "stakeholder_grups:", "stakeholder_grups", "stakeholder_groups"),
    ("weight: 25", "wieght: 25", "themes.0.wieght", "weight"),
    ("size: 140", "sise: 140", "stakeholder_groups.0.sise", "size"),
    ("technology: 2, roles: 1", "tecnology: 2, roles: 1", "stakeholder_groups.0.impact.tecnology",
     "technology"),
    ("time_share: 0.2", "time_shar: 0.2", "people.0.time_shar", "time_share"),
    ("status: done,\n     evidence: Vision", "satus: done,\n     evidence: Vision",
     "duties.0.satus", "status"),
    ("owners: [elena, amara]", "owner: [elena, amara]", "duties.0.owner", "owners"),
    ("    raci: {accountable: [tomasz]", "    raaci: {accountable: [tomasz]", "workstreams.0.raaci",
     "raci"),
    ("{accountable: [tomasz]", "{acountable: [tomasz]", "workstreams.0.raci.acountable",
     "accountable"),
    ("    status: decided", "    stauts: decided", "decisions.0.stauts", "status"),
    ("{recommend: [tomasz]", "{recomend: [tomasz]", "decisions.0.rapid.recomend", "recommend"),
    ("workstream: platform, themes: {resilience: 0.5, security: 0.5}",
     "workstream: platform, theme: {resilience: 0.5, security: 0.5}", "tasks.0.theme", "themes"),
    ("{resilience: 0.5, security: 0.5}", "{resilience: 0.5, securty: 0.5}",
     "tasks.0.themes.securty", "security"),
    ("min_respondents: 3", "min_respondent: 5", "readiness.min_respondent", "min_respondents"),
    ("{group: warehouse, scores: [4, 3, 2, 2, 1]}", "{group: warehouse, score: [4, 3, 2, 2, 1]}",
     "readiness.responses.0.score", "scores"),
    ("{group: warehouse, scores: [4, 3, 2, 2, 1]}",
     "{group: warehouse, scores: {awareness: 4, desir: 3}}", "readiness.responses.0.scores.desir",
     "desire"),
    ("    root_cause: Fear", "    rootcause: Fear", "resistance.0.rootcause", "root_cause"),
    ("{id: urgency, status: done", "{id: urgency, stat: done", "kotter.0.stat", "status"),
    ("  sponsorship: [3", "  sponsorshp: [3", "health_check.sponsorshp", "sponsorship"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "field", "hint"), TYPOS)
def test_an_unknown_key_anywhere_is_an_error_with_a_suggestion(
    tmp_path: Path, old: str, new: str, field: str, hint: str
) -> None:
    text, line = edited(old, new)
    path = write(tmp_path, text)
    found = [p for p in problems_of(path) if f"field '{field}'" in p]
    assert len(found) == 1, problems_of(path)
    msg = found[0]
    assert msg.startswith(f"{path}:{line}:"), msg
    assert f"did you mean '{hint}'?" in msg, msg
    assert hint in msg.split("?", 1)[1], msg  # the allowed keys are listed after the suggestion


def test_a_threshold_typo_no_longer_falls_back_to_the_default(tmp_path: Path) -> None:
    text, line = edited("min_respondents: 3", "min_respondent: 5")
    msg = problems_of(write(tmp_path, text))
    assert msg == [
        f"{tmp_path / 'cloud.yaml'}:{line}: field 'readiness.min_respondent' = 'min_respondent': "
        "unknown key; did you mean 'min_respondents'? allowed in `readiness`: min_respondents, "
        "barrier_threshold, responses"
    ]


def test_the_demo_and_its_stored_form_still_load(tmp_path: Path) -> None:
    ini, data = load_initiative(write(tmp_path, TEXT))
    assert len(ini.tasks) == 44
    # A document stored before keys were checked may carry one: it stays readable.
    data["readiness"]["note"] = "kept from an older import"
    assert initiative_from_data(data) == ini


@pytest.mark.parametrize(
    ("section", "typo", "what"),
    [
        ("stakeholder_groups:", "stakeholder_grups:", "stakeholder group"),
        ("people:", "peeple:", "person"),
        ("workstreams:", "work_streams:", "workstream"),
        ("periods:", "period:", "effort (one number per period)"),
    ],
)
def test_a_misspelt_section_does_not_cascade(
    db_url: str, tmp_path: Path, section: str, typo: str, what: str
) -> None:
    text, _ = edited(section, typo)
    path = write(tmp_path, text)
    code, _, err = run("change", "import", str(path), "--db", db_url)
    assert code == 1 and "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.lstrip().startswith("- ")]
    assert len(lines) <= 2, err
    joined = " ".join(err.split())
    assert f"did you mean '{section[:-1]}'?" in joined
    assert f"cannot check this {what}: the file has no `{section[:-1]}` section" in joined
    assert f"is `{typo[:-1]}` meant to be it?" in joined
    assert "more references" in joined
    assert "known: ," not in joined and not joined.rstrip().endswith("known:")
    with open_store(db_url) as store:
        from bifocals.services.change_records import list_initiatives

        assert list_initiatives(store) == []


def test_a_broken_section_is_named_once(tmp_path: Path) -> None:
    text, _ = edited(
        "stakeholder_groups:\n  - {id: warehouse",
        "stakeholder_groups: warehouse\nunused:\n  - {id: warehouse",
    )
    msgs = problems_of(write(tmp_path, text))
    dangling = [m for m in msgs if "cannot check this stakeholder group" in m]
    assert len(dangling) == 1, msgs
    assert "the `stakeholder_groups` section has problems" in dangling[0]
    assert any("field 'stakeholder_groups'" in m and "must be a list" in m for m in msgs)


def test_a_misspelt_workstream_is_named_with_a_suggestion(tmp_path: Path) -> None:
    text, line = edited("workstream: platform", "workstream: platfrom")
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line}: field 'tasks.0.workstream' = 'platfrom': unknown workstream; did you "
        "mean 'platform'? known: cutover, integration, migration, people, platform"
    ]
    text, _ = edited("owners: [elena, amara]", "owners: [elena, amaro]")
    (msg,) = problems_of(write(tmp_path, text))
    assert "unknown person; did you mean 'amara'?" in msg and "duties.0.owners.1" in msg


def test_a_missing_workstream_says_required(tmp_path: Path) -> None:
    text, _ = edited("workstream: platform, ", "")
    (msg,) = problems_of(write(tmp_path, text))
    assert "field 'tasks.0.workstream' = None: required" in msg and "platform" in msg


def test_a_yaml_syntax_error_reads_naturally(db_url: str, tmp_path: Path) -> None:
    text, line = edited("    name: Cloud platform and landing zone", "     name: Cloud platform")
    path = write(tmp_path, text)
    code, _, err = run("change", "import", str(path), "--db", db_url)
    joined = " ".join(err.split())
    assert code == 1 and "Traceback" not in err
    assert f"{path}:{line}:10: not valid YAML: YAML says mapping values" in joined, joined
    assert "What to do:" in joined and "indented deeper than the keys beside it" in joined
    assert "The line reads: 'name: Cloud platform'" in joined
    assert "(syntax)" not in joined and "= None" not in joined


def test_unquoted_comma_and_bad_date(tmp_path: Path) -> None:
    text, line = edited("{id: urgency, status: done", "{id: urgency, status: done: ok")
    (msg,) = problems_of(write(tmp_path, text))
    assert f":{line}:" in msg and "not valid YAML" in msg and "What to do:" in msg
    text, line = edited("date: 2026-05-12", "date: 2026-13-12")
    (msg,) = problems_of(write(tmp_path, text))
    assert f":{line}: field 'resistance.0.date' = '2026-13-12'" in msg and "YYYY-MM-DD" in msg


@pytest.fixture
def wide_console() -> Iterator[None]:
    """A terminal wide enough that table cells do not wrap."""
    from bifocals.cli.common import console

    before = console._width
    console.width = 200
    yield
    console._width = before


@pytest.mark.usefixtures("wide_console")
def test_terminal_report_uses_the_html_words(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, TEXT)
    assert run("change", "import", str(path), "--db", db_url)[0] == 0
    code, out, err = run("change", "report", DEMO, "--db", db_url)
    assert code == 0, err
    for word in ("Problem", "Warning", "Note"):
        assert f"│ {word} " in out, word
    for word in ("error", "info"):
        assert f"│ {word} " not in out, word
    assert "Findings (3 problems, 6 warnings, 10 notes)" in out
    # Duty coverage and readiness, as the help promises.
    assert "Duty coverage" in out and "Watch the external environment" in out and "nobody" in out
    assert "Readiness" in out and "Warehouse staff" in out and "2.9 ▲" in out
    # Finance operations has two answers: named as left out, and no row of its own.
    block = out[out.index("Readiness (ADKAR") : out.index("Findings (")]
    assert "Left out to protect anonymity: Finance operations." in block
    assert block.count("Finance operations") == 1  # no row, no numbers of its own
    code, out, _ = run("change", "report", DEMO, "--db", db_url, "--json")
    findings = json.loads(out)["findings"]
    labels = {"error": "Problem", "warning": "Warning", "info": "Note"}
    assert findings and all(f["label"] == labels[f["severity"]] for f in findings)
    code, out, _ = run("change", "report", "--help")
    assert "duty coverage, readiness" in " ".join(out.split())


def test_names_that_would_clash_with_web_addresses_are_refused() -> None:
    from bifocals.change.loader import load_initiative_text

    text = demo_initiative_text()
    (line_no, first) = next(
        (i + 1, line) for i, line in enumerate(text.splitlines()) if line.startswith("name:")
    )
    for bad in ("Move the order system to the cloud.json", "Cloud.PDF", "A/readiness/links"):
        with pytest.raises(ValidationError) as caught:
            load_initiative_text(text.replace(first, f"name: {bad}", 1), "x.yaml")
        assert "web address" in str(caught.value) and f"x.yaml:{line_no}" in str(caught.value)

    ok = load_initiative_text(text.replace(first, "name: Merge ERP A/B & co", 1), "x.yaml")
    assert ok[0].name == "Merge ERP A/B & co"  # a slash alone is fine
