"""The payroll initiative with its ADKAR readiness survey, and the steps of that survey over HTTP:
issue links, answer one, close, count the stored answers."""

from __future__ import annotations

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.change.loader import load_initiative_text
from bifocals.services.change_records import save_initiative
from bifocals.services.initiatives import assign_by_email
from bifocals.store.change_tables import readiness_responses
from bifocals.web.routers.change import initiative_path
from support.web import add_user, store_at

NAME = "Move payroll to the new system"


TEXT = f"""\
name: {NAME}
vision: Everyone paid right, on time, from one system.
why_now: The old system loses support next year.
periods: [Q1, Q2]
themes:
  - {{id: accuracy, name: Accuracy, weight: 2}}
  - {{id: speed, name: Speed, weight: 1}}
stakeholder_groups:
  - {{id: ops, name: Payroll team, size: 12, impact: {{process: 4, technology: 3}}}}
  - {{id: legal, name: Legal office, size: 2, impact: {{process: 1}}}}
people:
  - {{id: ann, name: Ann, position: CFO, time_share: 0.3, manager: true}}
workstreams:
  - {{id: ws, name: Migration, raci: {{accountable: [ann], responsible: [ann]}}}}
tasks:
  - {{id: t1, name: Map the pay rules, workstream: ws, themes: [accuracy], effort: [10, 5]}}
readiness:
  min_respondents: 3
"""


LINK = re.compile(r'value="https?://[^"/]+(/readiness/[A-Za-z0-9_-]+)"')


KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed(url: str) -> None:
    """The payroll initiative run by coach@; other@ is a facilitator of nothing."""
    add_user(url, "admin@example.org", "admin")
    add_user(url, "coach@example.org", "facilitator")
    add_user(url, "other@example.org", "facilitator")
    with store_at(url) as store:
        ini, data = load_initiative_text(TEXT, "payroll.yaml")
        save_initiative(store, ini, data, "payroll.yaml")
        assign_by_email(store, NAME, "coach@example.org")


def issue(client: TestClient, token: str, group: str, count: int, label: str = "") -> list[str]:
    """Create readiness links on the dashboard; the paths shown once."""
    r = client.post(
        initiative_path(NAME) + "/readiness/links",
        data={"csrf_token": token, "group": group, "count": str(count), "label": label},
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text
    assert "shown only this once" in r.text
    return LINK.findall(r.text)


def answer(
    client: TestClient, path: str, scores: dict[str, str], comment: str = "", key: str = ""
) -> tuple[int, str, str]:
    """Open a readiness link as a respondent and send the form: (status, text, key used)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    key = key or KEY.search(page.text).group(1)  # type: ignore[union-attr]
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    data = {f"adkar_{k}": v for k, v in scores.items()}
    r = client.post(
        path, data={**data, "comment": comment, "idempotency_key": key, "csrf_token": csrf}
    )
    return r.status_code, r.text, key


ALL4 = {e: "4" for e in ("awareness", "desire", "knowledge", "ability", "reinforcement")}


def count_responses(url: str) -> int:
    with store_at(url) as store, store.engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(readiness_responses)).scalar_one()
        )


def close(client: TestClient, token: str) -> None:
    r = client.post(initiative_path(NAME) + "/readiness/close", data={"csrf_token": token})
    assert r.status_code == 303
