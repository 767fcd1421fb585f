"""schemathesis against /openapi.json: every /api/v1 operation, with a seeded admin token.

No 500s, and every response conforms to the spec (status codes, content type, body schema).
A schema-valid body may still break a domain rule the schema cannot express (an instrument id
that names no loaded instrument, a threshold waiver without a reason): the API answers those with
a documented 400 naming the field, so 400 is an accepted answer to schema-valid data here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig

from bifocals.services.api_tokens import issue_token
from bifocals.web import create_app
from support.closed_campaign import seeded_site
from support.web import store_at

CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""


@pytest.mark.slow
def test_api_conforms(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    seeded_site(url, tmp_path)
    with store_at(url) as store:
        auth = {"Authorization": f"Bearer {issue_token(store, 'admin@example.org', 'fuzz')}"}
    app = create_app(url)
    try:
        schema = schemathesis.openapi.from_asgi(
            "/openapi.json", app, config=SchemathesisConfig.from_str(CONFIG)
        ).include(path_regex="^/api/v1/")
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
