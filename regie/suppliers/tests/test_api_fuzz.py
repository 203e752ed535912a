"""Property-based fuzzing of contract management's API operations, sent by a contract manager who may
write (so that requests get past the permission checks): no input may produce a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from regie.core import services
from regie.core.tests.test_api_fuzz import keep_connection  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

PREFIXES = ("/api/organisations", "/api/organisation-contacts", "/api/agreements", "/api/agreement-targets", "/api/obligations")


def test_no_request_makes_contract_management_fail(contracts, keep_connection):  # noqa: F811
    from regie.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    _token, raw = services.token_create(user=contracts.users["cm_it"], name="fuzz")
    operations = [result.ok() for result in schema.get_all_operations()]
    ours = [op for op in operations if op.path.startswith(PREFIXES)]
    assert len(ours) >= 30
    for operation in ours:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=[not_a_server_error])
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])

        check()
