"""Fuzzing the REST API from its own OpenAPI schema (schemathesis): no generated request, valid or not, may get a
server error. Every operation runs against the web tests' world with a user who may use it: the administrator for
imports, institution A's clerk for its monthly report, the 山东 bureau for everything else; writes land in the
test's transaction and are rolled back with it.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from jicai.core.api_views import api_schema

schema = schemathesis.openapi.from_dict(api_schema())
schema.app = get_wsgi_application()

# Bounded so that the whole module runs in well under a minute on SQLite.
MAX_EXAMPLES = 10


@pytest.fixture(scope="module", autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes "old" connections around each request, which would end the test's transaction on
    PostgreSQL; Django's own test client switches this off the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def user_for(path: str) -> str:
    if path.startswith("/api/imports/"):
        return "admin"
    if path.startswith("/api/monthly-reports/{code}/"):
        return "a_clerk"
    return "sd_bureau"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error(case, world, db):
    token = world.tokens[user_for(case.operation.path)]
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code != 401, "the token was refused: the fuzzing would test nothing"
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}\n{response.text[:2000]}"
    )
