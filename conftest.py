import pytest


@pytest.fixture
def calendar(db):
    """The holiday table as the rules see it (loaded by the migrations from the chinesecalendar package)."""
    from jicai.policy.calendar import work_calendar

    return work_calendar()
