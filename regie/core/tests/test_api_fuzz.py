"""Property-based fuzzing of the whole API from its OpenAPI schema: no input may produce a server error.

Every operation of /api/openapi.json gets generated requests (valid and invalid) from schemathesis's
strategies, sent with a personal token of an organisation manager.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from regie.core import services

pytestmark = pytest.mark.django_db


def test_no_request_makes_the_api_fail(org):
    from regie.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    _token, raw = services.token_create(user=org.users["manager_a"], name="fuzz")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=[not_a_server_error])
            assert response.status_code < 500

        check()
