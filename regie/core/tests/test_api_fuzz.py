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


@pytest.fixture
def keep_connection():
    """Called as a WSGI app (not through the test client), Django would close the test's connection at
    the end of each request; the test client avoids that the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_request_makes_the_api_fail(org, keep_connection):
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
