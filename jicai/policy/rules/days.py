"""Counting days (SPEC §4.1) on the State Council's working-day calendar."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta


class MissingCalendarYear(LookupError):
    """A computation needs a year the holiday calendar does not hold. Never guess: name the year."""

    def __init__(self, year: int):
        self.year = year
        self.message_zh = (
            f"节假日日历缺少 {year} 年的数据，请管理员在“节假日日历”中补录该年（国务院办公厅节假日安排）后重试。"
        )
        self.message_en = (
            f"The holiday calendar has no data for {year}: an administrator must enter that year "
            "(the State Council's holiday arrangement), then try again."
        )
        super().__init__(f"{self.message_zh} {self.message_en}")


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of the years the calendar holds (make-up Saturdays included, holidays excluded)."""

    working_days: frozenset[date]
    years: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            raise MissingCalendarYear(day.year)
        return day in self.working_days

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it (art. 203)."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`; `start` itself is not counted (art. 201)."""
        day = start
        for _ in range(n):
            day = self.next_working_day(day + timedelta(days=1))
        return day


def add_days(start: date, n: int, calendar: WorkCalendar | None) -> date:
    """n days after `start` (art. 201: the start day is not counted); with a calendar, a last day that is a
    holiday or rest day rolls to the next working day (art. 203)."""
    end = start + timedelta(days=n)
    return calendar.next_working_day(end) if calendar else end


def month_end(year: int, month: int) -> date:
    """The last day of a month; months past 12 roll into the following years."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, _calendar.monthrange(year, month)[1])
