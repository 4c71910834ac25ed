import pytest


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Tests hash passwords with MD5: the production hasher (PBKDF2, a million rounds) took seconds per user made
    by the fixtures. Sign-in, password checks and changes behave the same; production settings are not touched."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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
