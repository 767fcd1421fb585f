"""schemathesis against /openapi.json: every /api/v1 operation, with a seeded admin token.

No 500s, and every response conforms to the spec (status codes, content type, body schema).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from bifocals.services.api_tokens import issue_token
from bifocals.web import create_app
from test_web_app_support import store_at
from test_web_reports_support import seeded_site


@pytest.mark.slow
def test_api_conforms(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    seeded_site(url, tmp_path)
    with store_at(url) as store:
        auth = {"Authorization": f"Bearer {issue_token(store, 'admin@example.org', 'fuzz')}"}
    app = create_app(url)
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(
            path_regex="^/api/v1/"
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 11
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=auth)

            run()
    finally:
        app.state.store.close()
