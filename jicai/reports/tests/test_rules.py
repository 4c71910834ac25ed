"""The report's dates and rates (SPEC §4.7) with the worked examples."""

from datetime import date
from decimal import Decimal

import pytest

from jicai.policy.rules.days import MissingCalendarYear
from jicai.reports.rules import is_on_time, parse_month, rate, report_due_on, report_lock_on

D = date.fromisoformat


@pytest.mark.parametrize(
    ("month", "due"),
    [
        ("2020-09-01", "2020-10-10"),  # 2020-10-10 was a make-up working day (a Saturday)
        ("2021-09-01", "2021-10-11"),  # 2021-10-10 is a Sunday
        ("2020-05-01", "2020-06-10"),  # a Wednesday
        ("2020-12-01", "2021-01-11"),  # 2021-01-10 is a Sunday: the report runs into the next year
        ("2021-01-01", "2021-02-10"),
    ],
)
def test_due_date_rolls_by_art_203(calendar, month, due):
    assert report_due_on(D(month), 10, calendar) == D(due)


def test_due_date_without_the_civil_code_does_not_roll():
    assert report_due_on(D("2021-09-01"), 10, None) == D("2021-10-10")


def test_due_day_past_the_months_end_is_its_last_day():
    assert report_due_on(D("2021-01-01"), 31, None) == D("2021-02-28")


def test_a_missing_calendar_year_is_named(calendar):
    with pytest.raises(MissingCalendarYear, match="2031"):
        report_due_on(D("2031-03-01"), 10, calendar)


def test_lock_date_counts_from_the_months_end():
    assert report_lock_on(D("2020-09-01"), 20) == D("2020-10-20")
    assert report_lock_on(D("2021-02-01"), 20) == D("2021-03-20")


def test_on_time_means_by_the_end_of_the_due_date():
    assert is_on_time(D("2020-10-10"), D("2020-10-10"))
    assert not is_on_time(D("2020-10-11"), D("2020-10-10"))


def test_rates_as_dhis2_reports_them():
    assert rate(9, 12) == Decimal("75.0")
    assert rate(2, 3) == Decimal("66.7")
    assert rate(0, 0) is None


@pytest.mark.parametrize("text", ["2020-9", "2020/09", "202009", "2020-13", "x"])
def test_parse_month_rejects(text):
    with pytest.raises(ValueError):
        parse_month(text)


def test_parse_month():
    assert parse_month("2020-09") == D("2020-09-01")
