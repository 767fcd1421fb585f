"""Replacing an initiative by re-import once its readiness results were seen: any change of
min_respondents is refused, from the web upload and from `bifocals change import --replace`,
and nothing changes. Without the rule, a higher threshold pools a group that was shown alone
with a suppressed one, and the pooled row minus the earlier report is the suppressed person's
five answers.

Real SQLite and PostgreSQL (`db_url`), real HTTP through the app, the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bifocals.change.loader import load_initiative_text
from bifocals.change.model import ADKAR
from bifocals.change.readiness import readiness
from bifocals.cli import app
from bifocals.errors import Conflict
from bifocals.services.change_records import get_initiative, save_initiative
from bifocals.store.app_tables import audit_log
from bifocals.store.change_tables import change_initiatives
from bifocals.web.routers.change import initiative_path
from support.readiness import ALL4, NAME, TEXT, answer, close, count_responses, issue, seed
from support.web import Auth, store_at

LEGAL = {e: "1" for e in ALL4}  # the one person of the legal office: all 1s
OPS = ({**ALL4, "desire": "5"}, {**ALL4, "ability": "3"}, ALL4)
HIGHER = TEXT.replace("min_respondents: 3", "min_respondents: 4")


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


@pytest.fixture
def site_url(seeded: str) -> str:
    """The `client` and `auth` fixtures serve the seeded database."""
    return seeded


def collect(coach: TestClient, visitor: TestClient, token: str) -> None:
    """Three answers from the payroll team (shown alone at 3), one from the legal office (too
    small: suppressed), then the survey is closed."""
    for path, scores in zip(issue(coach, token, "ops", 3), OPS, strict=True):
        assert answer(visitor, path, scores)[0] == 200
    (legal,) = issue(coach, token, "legal", 1)
    assert answer(visitor, legal, LEGAL)[0] == 200
    close(coach, token)


def stored_row(url: str) -> tuple[Any, ...]:
    """Everything a replacement writes on the initiative's row."""
    t = change_initiatives
    with store_at(url) as store, store.engine.connect() as conn:
        row = conn.execute(
            sa.select(t.c.document, t.c.source, t.c.proposals, t.c.imported_at)
        ).one()
    return tuple(row)


def actions(url: str) -> list[str]:
    with store_at(url) as store, store.engine.connect() as conn:
        return [r.action for r in conn.execute(sa.select(audit_log.c.action))]


def upload(client: TestClient, token: str, text: str) -> Any:
    return client.post(
        "/initiatives/import",
        data={"csrf_token": token, "replace": "yes"},
        files={"file": ("payroll.yaml", text, "text/yaml")},
    )


def cli_import(url: str, path: Path, text: str) -> Any:
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, ["change", "import", str(path), "--replace", "--db", url])


def test_a_higher_threshold_after_the_results_were_seen_is_refused(
    seeded: str, tmp_path: Path, auth: Auth, client: TestClient
) -> None:
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    collect(coach, visitor, token)
    before = json.loads(coach.get(initiative_path(NAME) + ".json").text)["readiness"]
    assert [r["key"] for r in before["rows"]] == ["ops", "overall"]
    assert before["suppressed_groups"] == ["Legal office"]
    row_before = stored_row(seeded)
    # The attack is real: under 4 the same answers make one pooled row of the payroll team
    # and the legal office, and that row minus the payroll team's row already shown is the
    # legal office's one answer, element by element (the report rounds means to three
    # decimals; the answers are whole numbers, so rounding gives them back exactly).
    with store_at(seeded) as store:
        ini = get_initiative(store, NAME)
    regrouped = readiness(ini.readiness, ini.stakeholder_groups, min_respondents=4)
    pooled = next(r for r in regrouped.rows if r.key == "pooled")
    ops = before["rows"][0]
    assert pooled.n == 4 and ops["n"] == 3
    leaked = [4 * m - 3 * ops["means"][e] for e, m in zip(ADKAR, pooled.means, strict=True)]
    assert leaked == pytest.approx([1.0] * len(ADKAR), abs=0.01)
    # The web upload refuses it, says why and what to do instead.
    r = upload(coach, token, HIGHER)
    assert r.status_code == 400
    for part in ("readiness.min_respondents", "4 instead of 3", "results were seen"):
        assert part in r.text
    assert "nothing changed" in r.text and "start a new initiative" in r.text
    # So does the command line (the same importer).
    res = cli_import(seeded, tmp_path / "payroll.yaml", HIGHER)
    assert res.exit_code == 1
    assert "4 instead of 3" in res.output and "nothing changed" in res.output
    assert "start a new initiative" in res.output
    # Nothing changed: the row, the answers, the results.
    after = json.loads(coach.get(initiative_path(NAME) + ".json").text)["readiness"]
    assert after == before
    assert stored_row(seeded) == row_before
    assert count_responses(seeded) == 4
    assert "initiative.replace" not in actions(seeded)


def test_the_cli_refuses_after_a_read_on_the_cli(
    seeded: str, tmp_path: Path, auth: Auth, client: TestClient
) -> None:
    """Results seen with `bifocals change report` (audited as actor "cli") count as seen."""
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    collect(coach, visitor, token)
    read = CliRunner().invoke(app, ["change", "report", NAME, "--json", "--db", seeded])
    assert read.exit_code == 0, read.output
    assert json.loads(read.stdout)["readiness"]["suppressed_groups"] == ["Legal office"]
    row_before = stored_row(seeded)
    res = cli_import(seeded, tmp_path / "payroll.yaml", HIGHER)
    assert res.exit_code == 1 and "readiness.min_respondents" in res.output
    assert stored_row(seeded) == row_before


@pytest.mark.parametrize("new_min", [1, 2, 4, 9])
def test_any_other_threshold_is_refused_once_seen(
    seeded: str, new_min: int, auth: Auth, client: TestClient
) -> None:
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    collect(coach, visitor, token)
    assert coach.get(initiative_path(NAME) + ".json").status_code == 200
    text = TEXT.replace("min_respondents: 3", f"min_respondents: {new_min}")
    with store_at(seeded) as store:
        ini, data = load_initiative_text(text, "payroll.yaml")
        with pytest.raises(Conflict, match=f"{new_min} instead of 3") as refused:
            save_initiative(store, ini, data, "payroll.yaml", replace_existing=True)
        assert refused.value.field == "readiness.min_respondents"
        assert get_initiative(store, NAME).min_respondents == 3


def test_a_higher_threshold_is_accepted_while_nobody_has_seen_the_results(
    seeded: str, auth: Auth, client: TestClient
) -> None:
    """Closed but not shown yet: nothing to compare with, so raising the bar is fine (and the
    results are then shown under the new threshold only)."""
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    collect(coach, visitor, token)
    r = upload(coach, token, HIGHER)
    assert r.status_code == 303, r.text
    shown = json.loads(coach.get(initiative_path(NAME) + ".json").text)["readiness"]
    assert shown["min_respondents"] == 4
    assert [r["key"] for r in shown["rows"]] == ["pooled", "overall"]


def test_edits_that_do_not_regroup_the_answers_are_accepted_once_seen(
    seeded: str, auth: Auth, client: TestClient
) -> None:
    """Renaming a stakeholder group, changing its size or the vision does not put the answers
    together differently: accepted, and the figures stay the same."""
    edited = TEXT.replace("Everyone paid", "All paid").replace(
        "name: Legal office, size: 2", "name: Legal team, size: 3"
    )
    assert edited.count("Legal team") == 1
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    collect(coach, visitor, token)
    before = json.loads(coach.get(initiative_path(NAME) + ".json").text)["readiness"]
    assert upload(coach, token, edited).status_code == 303
    after = json.loads(coach.get(initiative_path(NAME) + ".json").text)["readiness"]
    assert after["suppressed_groups"] == ["Legal team"]
    assert after["rows"] == before["rows"]
