"""The web tests' world (see jicai/web/tests/conftest.py), with an API token for each of its users."""

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jicai.web.tests.conftest import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        w.tokens = {name: Token.objects.create(user=u).key for name, u in w.users.items() if u is not None}
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def api_for(world, db):
    """api_for("a_clerk") is an API client that sends that user's token (None or "anonymous": no token)."""

    def client(name: str | None) -> APIClient:
        c = APIClient()
        if name and name != "anonymous":
            c.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[name]}")
        return c

    return client
