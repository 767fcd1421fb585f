"""Helpers for the programme tests: a roster file, CLI runs, answering a survey link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.store.tables import participants, raters
from support.survey import KEY, full_answers
from support.web import store_at

HEADER = "participant,participant_name,participant_email,rater_name,rater_email,group"

# 2 participants x 5 raters (self + manager + 3 peers), the "done when" cohort.
ROSTER_LINES = [
    "P1,Ana Lima,ana@ex.org,Bo Chen,bo@ex.org,manager",
    "P1,Ana Lima,ana@ex.org,Cy Diaz,cy@ex.org,peer",
    "P1,Ana Lima,ana@ex.org,Di Evans,di@ex.org,peer",
    "P1,Ana Lima,ana@ex.org,Ed Fox,ed@ex.org,peer",
    "P2,Gil Hart,gil@ex.org,Bo Chen,bo@ex.org,peer",
    "P2,Gil Hart,gil@ex.org,Ivy Jones,ivy@ex.org,manager",
    "P2,Gil Hart,gil@ex.org,Jo Kim,jo@ex.org,peer",
    "P2,Gil Hart,gil@ex.org,Lu Moreau,lu@ex.org,peer",
]


def roster_file(path: Path, lines: list[str] | None = None) -> Path:
    """Write a roster CSV (the default cohort unless `lines` is given)."""
    path.write_text(HEADER + "\n" + "\n".join(ROSTER_LINES if lines is None else lines) + "\n")
    return path


def cli(db: str, *args: str) -> tuple[int, str, str]:
    """Run `bifocals campaign ARGS --db DB`; exit code, stdout, stderr."""
    res = CliRunner().invoke(
        app, ["campaign", *args, "--db", db], terminal_width=200, env={"COLUMNS": "200"}
    )
    return res.exit_code, res.stdout, res.stderr


def people(url: str, name: str) -> dict[str, list[tuple[str, str | None, str | None, str]]]:
    """participant code -> sorted (rater name, e-mail, participant name, group) of a campaign."""
    from bifocals.store.tables import campaigns

    with store_at(url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                participants.c.code,
                participants.c.name.label("pname"),
                raters.c.name,
                raters.c.email,
                raters.c.group,
            )
            .join(raters, raters.c.participant_id == participants.c.id)
            .join(campaigns, campaigns.c.id == participants.c.campaign_id)
            .where(campaigns.c.name == name)
        ).all()
    out: dict[str, list[tuple[str, str | None, str | None, str]]] = {}
    for r in rows:
        out.setdefault(r.code, []).append((r.name, r.email, r.pname, r.group))
    return {k: sorted(v, key=lambda x: (x[3], x[0] or "")) for k, v in out.items()}


def answer(client: TestClient, url: str, value: str = "4") -> int:
    """Open a survey link (absolute URL) with the client and submit a full set of answers;
    returns the submit's status code (200 with "your answers are in" when it went in)."""
    path = urlsplit(url).path
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = KEY.search(page.text)
    assert found, "no idempotency key on the survey page"
    form = {**full_answers(value), "idempotency_key": found.group(1), "action": "submit"}
    done = client.post(path, data=form)
    assert done.status_code != 200 or "your answers are in" in done.text
    return done.status_code
