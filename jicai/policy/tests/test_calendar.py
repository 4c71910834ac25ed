from datetime import date

import pytest

from jicai.policy.rules.days import MissingCalendarYear, WorkCalendar, add_days


def test_loaded_from_package_with_make_up_days(calendar):
    assert calendar.is_working_day(date(2020, 9, 27))  # Sunday, make-up working day
    assert calendar.is_working_day(date(2020, 10, 10))  # Saturday, make-up working day
    assert not calendar.is_working_day(date(2020, 10, 8))
    assert not calendar.is_working_day(date(2020, 1, 31))  # Spring Festival extended in 2020


@pytest.mark.parametrize(
    "start, n, due",
    [(date(2020, 9, 25), 10, date(2020, 10, 15)), (date(2020, 1, 20), 10, date(2020, 2, 11))],
)
def test_working_days_after(calendar, start, n, due):
    assert calendar.add_working_days(start, n) == due


def test_art_203_rolls_a_sunday_forward(calendar):
    assert add_days(date(2021, 1, 29), 30, calendar) == date(2021, 3, 1)  # 2021-02-28 is a Sunday
    assert add_days(date(2021, 1, 29), 30, None) == date(2021, 2, 28)


def test_missing_year_is_named():
    cal = WorkCalendar(working_days=frozenset(), years=frozenset({2026}))
    with pytest.raises(MissingCalendarYear, match="2027"):
        cal.add_working_days(date(2026, 12, 30), 5)
