"""A token that changes whenever the data the pages show may have changed, so that a page that takes seconds to
compute at province scale (the region dashboard) is computed once per change and served from the cache until the
next one.

The token changes on every write to a data table, whatever the path: the ORM, bulk inserts, imports through their
staging tables, raw SQL. It is watched at the one place they all pass, the database cursor (an execute wrapper on
every connection), rather than at each write path, so that a new write path cannot forget it. A write changes the
token at once (so later reads of the same transaction miss the cache) and again when the transaction commits (so
that a page another request computed in between, from the data as they were before the commit, is not served
after it). Writes to the tables of sessions, accounts and the audit trail do not count: they change nothing a
cached page shows.
"""

from __future__ import annotations

import hashlib
import re
import threading
from contextlib import contextmanager
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

KEY = "jicai:data-version"
TIMEOUT = 3600  # a cached page is recomputed at least hourly; its key names the token, so old entries are never read

# The statement's first table: INSERT [OR IGNORE] INTO, UPDATE, DELETE FROM; TRUNCATE (of several tables) always counts.
_WRITE = re.compile(
    r'\s*(?:(?:INSERT(?:\s+OR\s+\w+)?|REPLACE)\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)|\s*(TRUNCATE)\b', re.IGNORECASE
)
# Tables whose writes leave every cached page as it was: sessions, users' sign-ins, the audit trail, import records,
# the staging tables of imports and of the due-date cache.
_IGNORED = re.compile(r"django_session|django_admin_log|auth_user|core_\w+|stage_\w+|jicai_\w+_stage")


_derived = threading.local()


def current() -> str:
    token = cache.get(KEY)
    if token is None:
        cache.add(KEY, uuid4().hex, None)
        token = cache.get(KEY)
    return token


def key(name: str, *parts) -> str:
    """A cache key for `name` computed from `parts` as the data are now."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    return f"jicai:{name}:{current()}:{digest}"


def changed() -> None:
    cache.set(KEY, uuid4().hex, None)


@contextmanager
def derived():
    """Writes that store only what every reader would compute anyway (the invoices' due-date cache, refreshed by
    the readers themselves) leave the token as it is: the writes that made them necessary changed it already."""
    _derived.active = True
    try:
        yield
    finally:
        _derived.active = False


def watch_writes(sender, connection, **kwargs) -> None:
    """connection_created: watch this connection's writes (once: the wrapper list outlives reconnections)."""
    if _on_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_on_write)


def is_data_write(sql: str) -> bool:
    match = _WRITE.match(sql)
    return bool(match) and (match.group(2) is not None or not _IGNORED.fullmatch(match.group(1)))


def _on_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if is_data_write(sql) and not getattr(_derived, "active", False):
        changed()
        connection = context["connection"]
        if connection.in_atomic_block and not any(entry[1] is changed for entry in connection.run_on_commit):
            transaction.on_commit(changed, using=connection.alias)
    return result
