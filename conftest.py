import pytest


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
