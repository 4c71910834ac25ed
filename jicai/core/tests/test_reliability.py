"""An import killed mid-way (SIGKILL) leaves the database as it was, and a second run lands whole.

The import runs as `jicai import deliveries BIG.csv` in a child process against its own database (a SQLite file
in a temporary JICAI_VAR, or the PostgreSQL database `<name>_kill` next to the test database), migrated once
for the module. The child is killed while it checks rows and again once it has started to write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROWS = 50_000
JICAI = [sys.executable, "-c", "from jicai.core.console import main; main()"]
PHASE_WRITE = "写入数据库".encode()
PHASE_READ = "校验".encode()
SPILL = 256 * 1024  # bytes of write-ahead log: pages of the new rows are on disk, not yet committed


def _pg_admin(sql: str, *args) -> list[tuple]:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        cursor = admin.execute(sql, args or None)
        return cursor.fetchall() if cursor.description else []


def _pg_inserting(env) -> bool:
    """The child's INSERT … SELECT into the deliveries table is running (PostgreSQL)."""
    rows = _pg_admin(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' AND query LIKE %s",
        env["DATABASE_URL"].rsplit("/", 1)[1],
        'INSERT INTO "purchasing_delivery"%',
    )
    return rows[0][0] > 0


@pytest.fixture(scope="module")
def child_env(tmp_path_factory, django_db_setup):
    """The environment of a child process with its own, migrated database holding the orders to deliver."""
    base = tmp_path_factory.mktemp("kill")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JICAI_VAR=str(base / "var"), DJANGO_SETTINGS_MODULE="config.settings", FORCE_COLOR="1")
    env.pop("PYTEST_CURRENT_TEST", None)
    name = None
    if connection.vendor == "postgresql":
        name = f"{settings.DATABASES['default']['NAME'].removeprefix('test_')}_kill"
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
        env["DATABASE_URL"] = url
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(f'CREATE DATABASE "{name}"')
    _run(env, "migrate", "--noinput", "-v0")
    orders = base / "orders.csv"
    with orders.open("w") as f:
        f.write("order_id,institution_code,product_code,distributor_code,quantity,unit_price,ordered_on\n")
        f.writelines(f"K{i:07d},H500102001,XDEMO0001,91500000DEMO0003D3,100,0.1830,2020-09-15\n" for i in range(ROWS))
    deliveries = base / "deliveries.csv"
    with deliveries.open("w") as f:
        f.write("delivery_id,order_id,quantity,delivered_on,accepted_on\n")
        f.writelines(f"KS{i:07d},K{i:07d},100,2020-09-21,2020-09-22\n" for i in range(ROWS))
    _shell(
        env,
        "from pathlib import Path\n"
        "from jicai.core.imports import KINDS, run_import\n"
        f"for kind in list(KINDS)[: list(KINDS).index('orders') + 1]:\n"
        f"    assert run_import(kind, Path({str(settings.BASE_DIR / 'samples')!r}) / f'{{kind}}.csv').landed\n"
        f"assert run_import('orders', Path({str(orders)!r})).landed\n",
    )
    env["BIG"] = str(deliveries)
    yield env
    if name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')


def _run(env, *args) -> subprocess.CompletedProcess:
    result = subprocess.run([*JICAI, *args], env=env, capture_output=True, cwd=settings.BASE_DIR, timeout=300)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result


def _shell(env, code: str) -> str:
    return _run(env, "shell", "-c", code).stdout.decode()


def _counts(env) -> dict[str, int]:
    out = _shell(env, "import json\nfrom jicai.core.backup import database_rows\nprint(json.dumps(database_rows()))")
    return json.loads(out.strip().splitlines()[-1])


def _wal_size(env) -> int:
    wal = Path(env["JICAI_VAR"]) / "jicai.sqlite3-wal"
    return wal.stat().st_size if wal.exists() else 0


def _import_and_kill(env, phase: bytes) -> bool:
    """Start the import, SIGKILL it once stderr shows `phase` and, for the write, once the rows are going in
    (SQLite: the write-ahead log grows; PostgreSQL: its INSERT into the deliveries table is running).
    Returns whether it was killed while still running and past that point."""
    wal_before = _wal_size(env)
    child = subprocess.Popen(
        [*JICAI, "import", "deliveries", env["BIG"]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=settings.BASE_DIR,
    )
    seen = b""
    try:
        while phase not in seen:
            chunk = os.read(child.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
        wrote = phase != PHASE_WRITE
        deadline = time.monotonic() + 5
        while not wrote and time.monotonic() < deadline and child.poll() is None:
            pg = "DATABASE_URL" in env
            wrote = _pg_inserting(env) if pg else _wal_size(env) > wal_before + SPILL
            time.sleep(0 if pg else 0.002)
        running = child.poll() is None
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL or not running
    return running and wrote


def test_an_import_killed_mid_way_leaves_the_database_as_it_was(child_env):
    before = _counts(child_env)
    assert before["purchasing.order"] > ROWS
    for phase in (PHASE_READ, PHASE_WRITE):
        assert _import_and_kill(child_env, phase), f"not killed mid-way ({phase.decode()})"
        assert _counts(child_env) == before, phase.decode()
    _run(child_env, "import", "deliveries", child_env["BIG"])
    after = _counts(child_env)
    assert after["purchasing.delivery"] == before["purchasing.delivery"] + ROWS
    del after["purchasing.delivery"], before["purchasing.delivery"]
    assert after == before
