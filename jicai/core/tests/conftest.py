"""The web tests' world (see jicai/web/tests/conftest.py) with two more users (wh_viewer, c_clerk), and an API
token for each user."""

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jicai.core.testing import make_user
from jicai.web.tests.conftest import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        # Two more kinds of user: a bureau's viewer, and the clerk of a second institution (C, in 重庆).
        w.users["wh_viewer"] = make_user(w.objects["wh"], role="viewer", username="wh_viewer")
        w.users["c_clerk"] = make_user(w.objects["c"], role="clerk", username="c_clerk")
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
