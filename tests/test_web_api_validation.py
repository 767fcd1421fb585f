"""API validation errors (422): the API's error shape, one problem per field, no secrets echoed,
and the OpenAPI description of that shape (checked by schemathesis with invalid requests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from bifocals.services.api_tokens import issue_token
from bifocals.web import create_app
from bifocals.web.api_models import VALUE_MAX, problems, summary
from support.web import Auth, add_user, store_at, web_client


@pytest.fixture
def admin(sqlite_url: str) -> dict[str, str]:
    add_user(sqlite_url, "admin@example.org", "admin")
    with store_at(sqlite_url) as store:
        return {"Authorization": f"Bearer {issue_token(store, 'admin@example.org', 'tests')}"}


def _detail(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"detail"}
    detail: dict[str, Any] = body["detail"]
    assert set(detail) == {"field", "message", "problems"}
    for p in detail["problems"]:
        assert set(p) == {"field", "value", "message"}
    return detail


def test_body_problems_name_field_value_and_what_to_do(
    sqlite_url: str, admin: dict[str, str], client: TestClient
) -> None:
    body = {"name": "", "deadline": "tomorrow", "thresholds": {"peer": 0}}
    detail = _detail(client.post("/api/v1/campaigns", json=body, headers=admin))
    got = {p["field"]: p for p in detail["problems"]}
    assert set(got) == {"body.name", "body.deadline", "body.thresholds.peer"}
    assert got["body.name"] == {
        "field": "body.name",
        "value": '""',
        "message": "send at least 1 character",
    }
    assert got["body.deadline"]["value"] == '"tomorrow"'
    assert "ISO 8601" in got["body.deadline"]["message"]
    assert got["body.thresholds.peer"]["value"] == "0"
    assert got["body.thresholds.peer"]["message"] == "send a number of at least 1"
    # The same shape as every other API error: a field and a message on top.
    assert detail["field"] == detail["problems"][0]["field"]
    assert detail["message"].startswith("3 problems in the request; first: ")


def test_lists_paths_missing_fields_and_long_values(
    sqlite_url: str, admin: dict[str, str], client: TestClient
) -> None:
    created = client.post("/api/v1/campaigns", json={"name": "Spring"}, headers=admin)
    cid = created.json()["id"]
    rows = [{"code": "x" * 300}, {"name": "no code"}, {"code": "P3", "email": 5}]
    r = client.post(f"/api/v1/campaigns/{cid}/participants", json=rows, headers=admin)
    detail = _detail(r)
    got = {p["field"]: p for p in detail["problems"]}
    assert got["body[0].code"]["message"] == "send at most 200 characters"
    value = got["body[0].code"]["value"]
    assert len(value) == VALUE_MAX and value.endswith("...")  # cut, never the whole input
    assert got["body[1].code"] == {
        "field": "body[1].code",
        "value": None,
        "message": "this field is required; send it",
    }
    assert got["body[2].email"]["value"] == "5"
    assert "send text" in got["body[2].email"]["message"]

    raters = [{"name": "Bo", "group": "boss"}]
    r = client.post(f"/api/v1/campaigns/{cid}/participants/1/raters", json=raters, headers=admin)
    (p,) = _detail(r)["problems"]
    assert p["field"] == "body[0].group" and p["value"] == '"boss"'
    assert p["message"].startswith("send one of 'manager', 'peer', 'direct_report'")

    (p,) = _detail(client.get("/api/v1/campaigns/0", headers=admin))["problems"]
    assert p == {
        "field": "path.campaign_id",
        "value": '"0"',
        "message": "send a number of at least 1",
    }
    (p,) = _detail(client.get("/api/v1/campaigns/abc", headers=admin))["problems"]
    assert p["field"] == "path.campaign_id" and p["message"] == "send a whole number"

    bad_json = client.post(
        "/api/v1/campaigns",
        content=b'{"name": ',
        headers={**admin, "content-type": "application/json"},
    )
    (p,) = _detail(bad_json)["problems"]
    assert p["field"].startswith("body") and "not valid JSON" in p["message"]

    not_utf8 = client.post(
        "/api/v1/campaigns",
        content=b'{"name": "\xff\xfe"}',
        headers={**admin, "content-type": "application/json"},
    )
    assert not_utf8.status_code == 400
    assert not_utf8.json()["detail"]["field"] == "body"
    assert "UTF-8" in not_utf8.json()["detail"]["message"]
    # Every other API error has the same shape too, e.g. 401 without a token.
    anon = client.get("/api/v1/campaigns").json()
    assert anon == {
        "detail": {
            "field": None,
            "message": "sign in or send Authorization: Bearer <token>",
        }
    }


def test_secrets_are_never_echoed() -> None:
    exc = RequestValidationError(
        [
            {
                "type": "string_too_long",
                "loc": ("body", "password"),
                "msg": "m",
                "input": "hunter2-hunter2",
                "ctx": {"max_length": 5},
            },
            {"type": "string_type", "loc": ("body", "csrf_token"), "msg": "m", "input": 7},
            {
                "type": "model_type",
                "loc": ("body",),
                "msg": "m",
                "input": {"name": "ok", "api_key": "sk-live-123", "nested": {"token": "t0k"}},
            },
            {"type": "int_parsing", "loc": ("path", "token_id"), "msg": "m", "input": "x"},
        ]
    )
    found = problems(exc)
    assert [p.value for p in found[:2]] == ["(hidden)", "(hidden)"]
    assert found[2].value is not None
    assert "sk-live-123" not in found[2].value and "t0k" not in found[2].value
    assert '"name": "ok"' in found[2].value
    assert found[3].value == '"x"'  # an id is not a secret
    assert "hunter2" not in summary(found).model_dump_json()


def test_html_pages_list_problems_with_field_and_value(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "admin@example.org", "admin")
    client = auth("admin@example.org")
    r = client.post("/account/tokens/0/revoke")
    assert r.status_code == 422
    assert "path.token_id=&#34;0&#34;: send a number of at least 1" in r.text
    long = "s3cret-" * 200
    r = client.post("/account/password", data={"current": long, "new": "x"})
    assert r.status_code == 422 and "body.current=(hidden)" in r.text
    assert "s3cret" not in r.text


def test_openapi_describes_the_422_shape(tmp_path: Path) -> None:
    """Every operation's 422 points at ValidationProblemBody (not FastAPI's default), and
    invalid requests generated from the spec get 422 bodies that conform to it."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    add_user(url, "admin@example.org", "admin")
    with store_at(url) as store:
        auth = {"Authorization": f"Bearer {issue_token(store, 'admin@example.org', 'fuzz')}"}
    app = create_app(url)
    try:
        with web_client(url) as client:
            spec = client.get("/openapi.json").json()
        assert "HTTPValidationError" not in spec["components"]["schemas"]
        detail = spec["components"]["schemas"]["ValidationProblem"]
        assert set(detail["required"]) == {"field", "message", "problems"}
        refs = [
            op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            for path, item in spec["paths"].items()
            if path.startswith("/api/")
            for op in item.values()
            if "422" in op["responses"]
        ]
        assert len(refs) >= 8
        assert set(refs) == {"#/components/schemas/ValidationProblemBody"}

        schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(
            path_regex="^/api/v1/", method="POST"
        )
        statuses: set[int] = set()
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
            def run(case: schemathesis.Case) -> None:
                response = case.call(headers=auth)
                statuses.add(response.status_code)
                case.validate_response(response)

            run()
        assert 422 in statuses
    finally:
        app.state.store.close()
