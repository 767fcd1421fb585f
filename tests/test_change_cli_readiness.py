"""`bifocals change report` while the web readiness survey takes answers: the groups without
answers are said to be held back until it closes, not to have none."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from support.readiness import ALL4, NAME, answer, close, issue, seed
from support.web import Auth


@pytest.fixture
def site_url(db_url: str) -> str:
    """The `client` and `auth` fixtures serve the seeded database."""
    seed(db_url)
    return db_url


def report_text(url: str) -> str:
    res = CliRunner().invoke(app, ["change", "report", NAME, "--db", url], terminal_width=200)
    assert res.exit_code == 0, res.output
    return " ".join(res.stdout.split())


def test_groups_are_held_back_while_the_survey_takes_answers(site_url: str, auth: Auth) -> None:
    before = report_text(site_url)
    assert "No answers yet: Payroll team, Legal office." in before
    coach = auth("coach@example.org")
    links = issue(coach, coach.token, "ops", 3)
    for path in links:
        assert answer(coach, path, ALL4)[0] == 200
    taking = report_text(site_url)
    assert "No answers yet" not in taking
    assert (
        "No readiness answers shown yet (the web survey's answers are held back until it "
        "closes): Payroll team, Legal office." in taking
    )
    close(coach, coach.token)
    closed = report_text(site_url)
    assert "held back" not in closed and "No answers yet: Legal office." in closed
