import pytest


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, concurrency) ends by emptying every table, including the rows the
    migrations load (holiday calendar, policy profiles). Restore them once its fixtures are gone, so the next test
    file on the same worker finds the database as the migrations left it, whichever order the workers run files in."""
    yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None or marker is None or not marker.kwargs.get("transaction"):
        return  # the last test: the test database is already gone
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=False):
            if contents := getattr(connection, "_test_serialized_contents", None):
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Tests hash passwords with MD5: the production hasher (PBKDF2, a million rounds) took seconds per user made
    by the fixtures. Sign-in, password checks and changes behave the same; production settings are not touched."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _process_cache():
    """Each test worker caches in its own memory: the file cache of var/ would be shared by workers whose test
    databases differ."""
    from django.test import override_settings

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(_process_cache):
    """Each test starts with an empty cache: tests roll their data back without a write the data version sees."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def calendar(db):
    """The holiday table as the rules see it (loaded by the migrations from the chinesecalendar package)."""
    from jicai.policy.calendar import work_calendar

    return work_calendar()


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo data set, loaded once for a module through the importers and rolled back after it."""
    from django.db import transaction

    from jicai.core import demo

    with django_db_blocker.unblock(), transaction.atomic():
        demo.load()
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def generated_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small province from `jicai generate`, loaded once for a module through every importer and rolled back
    after it; yields the folder of its files."""
    from django.db import transaction

    from jicai.core.generate import Size, generate
    from jicai.core.imports import KINDS, run_import

    out = tmp_path_factory.mktemp("generated")
    generate(out, size=Size(institutions=12, awards=8, deliveries=1500), seed=3)
    with django_db_blocker.unblock(), transaction.atomic():
        for kind in KINDS:
            assert run_import(kind, out / f"{kind}.csv").errors == [], kind
        yield out
        transaction.set_rollback(True)
