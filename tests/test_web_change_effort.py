"""Effort imports on the initiative's page: upload, preview, apply; who may; CSRF; size limits;
problems listed with file, line, field and value; nothing stored until applied."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.services.accounts import create_user
from bifocals.services.change_records import save_initiative
from bifocals.services.effort import MAX_EXPORT_BYTES
from bifocals.services.initiatives import assign_by_email
from bifocals.store.app_tables import audit_log
from bifocals.store.change_tables import effort_imports
from bifocals.web.routers.change import initiative_path
from support.change_pages import seed as seed_change_pages
from support.effort_exports import DEMO, JiraIssue, cost_quarter_export, jira_csv
from support.web import PASSWORD, Auth, login, store_at, web_client

BASE = initiative_path(DEMO)


def seed(url: str) -> None:
    """The change pages' accounts (an admin, coach@ managing the demo initiative, a
    participant p01@), and other@ managing another initiative."""
    seed_change_pages(url)
    with store_at(url) as store:
        create_user(store, "other@example.org", "facilitator", PASSWORD)
        text = demo_initiative_text().replace(DEMO, "Other move")
        ini, data = load_initiative_text(text, "other.yaml")
        save_initiative(store, ini, data, "other.yaml")
        assign_by_email(store, "Other move", "other@example.org")


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


@pytest.fixture
def site_url(seeded: str) -> str:
    """The `client` and `auth` fixtures serve the seeded database."""
    return seeded


def upload(
    client: TestClient,
    token: str,
    data: bytes,
    kind: str = "jira",
    name: str = "jira.csv",
    mapping: bytes | None = None,
    base: str = BASE,
) -> httpx.Response:
    files = {"file": (name, data, "text/csv")}
    if mapping is not None:
        files["mapping"] = ("map.yaml", mapping, "application/yaml")
    return client.post(f"{base}/effort", data={"csrf_token": token, "kind": kind}, files=files)


def imports(url: str) -> list[sa.Row[Any]]:
    with store_at(url) as store, store.engine.connect() as conn:
        return list(conn.execute(sa.select(effort_imports)))


def test_upload_preview_then_apply(seeded: str, auth: Auth) -> None:
    client = auth("coach@example.org")
    token = client.token
    dash = client.get(BASE)
    assert f'action="{BASE}/effort"' in dash.text and 'id="effort"' in dash.text
    assert 'href="#effort"' in dash.text
    r = upload(client, token, cost_quarter_export())
    assert r.status_code == 303, r.text
    where = r.headers["location"]
    assert re.fullmatch(re.escape(BASE) + r"/effort/\d+", where)
    page = client.get(where)
    assert page.status_code == 200
    text = page.text
    assert "Preview only: nothing has changed yet." in text
    assert "replaces the effort of 2026-Q3 with 120 hours from 12 items" in text
    assert "Pay for what we use" in text and "69.3°" in text
    assert re.search(r"Untagged:</strong> 0 items, 0% of the effort", text)
    # Previewed, not applied: the dashboard still shows the file's effort.
    assert "Jira export" not in client.get(BASE).text
    assert [r.applied_at for r in imports(seeded)] == [None]
    done = client.post(where + "/apply")
    assert done.status_code == 303
    assert done.headers["location"] == BASE + "#alignment"
    dash = client.get(BASE).text
    assert "The effort of 2026-Q3 now comes from jira.csv (12 items, 120 hours)." in dash
    assert "Jira export jira.csv, imported" in dash  # the period table's source column
    assert "Applied imports" in dash
    # Applying again changes nothing.
    again = client.post(where + "/apply")
    assert again.status_code == 303
    assert "Nothing changed" in client.get(BASE).text
    with store_at(seeded) as store, store.engine.connect() as conn:
        actions = conn.execute(
            sa.select(audit_log.c.actor, audit_log.c.target).where(
                audit_log.c.action == "initiative.effort.import"
            )
        ).all()
    assert [tuple(a) for a in actions] == [("coach@example.org", f"initiative:{DEMO}")]


def test_problems_are_listed_and_nothing_is_stored(seeded: str) -> None:
    bad = jira_csv(
        [
            JiraIssue("PAY-1", "Late", "2026-06-01", "2026-12-01", 2, ["cost"]),
            JiraIssue("PAY-2", "Typo", "2026-06-01", "2026-07-01", 2, ["theme:secure"]),
        ]
    )
    with web_client(seeded) as client:
        token = login(client, "coach@example.org")
        r = upload(client, token, bad, mapping=b"labels: {x: [nothing]}\n")
        assert r.status_code == 400
        text = r.text
        assert "Nothing was applied from jira.csv" in text and "3 problems" in text
        assert (
            '<td role="cell" data-label="File">map.yaml</td><td role="cell" class="num" '
            'data-label="Line">1</td><td role="cell" data-label="Field">labels.x.0</td>'
        ) in text
        assert (
            '<td role="cell" data-label="Field">Resolved</td><td role="cell" '
            'data-label="Value"><code>01/Dec/26 4:15 PM</code></td>'
        ) in text
        assert "theme:secure" in text and "did you mean &#39;security&#39;?" in text
        assert 'id="effort-form"' in text  # upload the corrected file from here
    assert imports(seeded) == []


def test_size_limit_and_format(seeded: str, auth: Auth) -> None:
    client = auth("coach@example.org")
    token = client.token
    big = b"Issue key,Summary,Created\n" + b"x" * MAX_EXPORT_BYTES
    r = upload(client, token, big)
    assert r.status_code == 400 and "larger than 5,000,000 bytes" in r.text
    r = upload(client, token, cost_quarter_export(), kind="trello")
    assert r.status_code == 422
    assert imports(seeded) == []


def test_who_may_import(seeded: str, auth: Auth) -> None:
    client = auth("coach@example.org")
    token = client.token
    r = upload(client, token, cost_quarter_export())
    preview = r.headers["location"]
    other_base = initiative_path("Other move")
    client = auth("other@example.org")
    token = client.token
    # Not assigned: 404, as for a name that does not exist.
    assert client.get(preview).status_code == 404
    assert client.post(preview + "/apply").status_code == 404
    r = upload(client, token, cost_quarter_export())
    assert r.status_code == 404 and DEMO not in r.text
    # A preview of one initiative is not found under another.
    pid = preview.rsplit("/", 1)[1]
    assert client.get(f"{other_base}/effort/{pid}").status_code == 404
    r = upload(client, token, cost_quarter_export(), base=initiative_path("No such"))
    assert r.status_code == 404
    client = auth("p01@example.org")
    token = client.token
    assert client.get(preview).status_code == 403
    assert upload(client, token, cost_quarter_export()).status_code == 403
    client = auth("admin@example.org")
    token = client.token
    assert client.get(preview).status_code == 200
    assert client.post(preview + "/apply").status_code == 303
    assert [r.applied_at is not None for r in imports(seeded)] == [True]


def test_a_page_left_open_applies_only_the_preview_it_showed(seeded: str, auth: Auth) -> None:
    client = auth("coach@example.org")
    token = client.token
    where = upload(client, token, cost_quarter_export()).headers["location"]
    shown = re.search(r'name="digest" value="([0-9a-f]{64})"', client.get(where).text)
    assert shown is not None
    wrong = client.post(where + "/apply", data={"digest": "0" * 64})
    assert wrong.status_code == 303 and wrong.headers["location"] == BASE + "#effort"
    assert "nothing was applied" in client.get(BASE).text
    assert [r.applied_at for r in imports(seeded)] == [None]
    right = client.post(where + "/apply", data={"digest": shown[1]})
    assert right.status_code == 303 and right.headers["location"] == BASE + "#alignment"
    assert [r.applied_at is not None for r in imports(seeded)] == [True]


def test_forms_need_the_csrf_token(seeded: str) -> None:
    with web_client(seeded) as client:
        token = login(client, "coach@example.org")
        r = client.post(
            f"{BASE}/effort",
            data={"kind": "jira"},
            files={"file": ("jira.csv", cost_quarter_export(), "text/csv")},
        )
        assert r.status_code == 403
        preview = upload(client, token, cost_quarter_export()).headers["location"]
        assert client.post(preview + "/apply", data={}).status_code == 403
    assert [r.applied_at for r in imports(seeded)] == [None]
