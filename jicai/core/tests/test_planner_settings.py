"""Every PostgreSQL connection plans with jicai's settings (config.settings; docs/deploy.md says why), unless
DATABASE_URL chooses its own."""

import os

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings are PostgreSQL's")


@pytest.mark.skipif("options=" in os.environ.get("DATABASE_URL", ""), reason="DATABASE_URL chooses its own")
def test_connections_plan_without_jit_with_more_memory_and_cheap_probes(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(name) FROM unnest(%s::text[]) AS name", [["jit", "work_mem", "random_page_cost"]]
        )
        assert [v for (v,) in cursor.fetchall()] == ["off", "64MB", "1.1"]
