"""The dates and rates of the monthly report (SPEC §4.7): pure functions, no ORM.

Fuling notice: "各医疗机构于每月10日前……报送《涪陵区国家集中采购药品采购及回款进度月报表》". The due day and the lock
days are profile settings (`report_due_day`, `report_lock_days`); art. 203 rolls a due date that falls on a rest
day to the next working day through the same calendar as the payment rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from jicai.policy.rules.days import WorkCalendar, month_end


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def parse_month(text: str) -> date:
    """'2020-09' → 2020-09-01; ValueError when it is not a YYYY-MM month."""
    year, _, month = text.partition("-")
    if not (len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError(text)
    return date(int(year), int(month), 1)


def report_due_on(month: date, due_day: int, calendar: WorkCalendar | None) -> date:
    """The report for data month M is due on day `due_day` of M+1; with a calendar (the Civil Code), a due day
    that is a holiday or rest day rolls to the next working day (art. 203). September 2020 → 2020-10-10 (a
    make-up working day); September 2021 → 2021-10-11."""
    following = month_end(month.year, month.month + 1)
    due = following.replace(day=min(due_day, following.day))
    return calendar.next_working_day(due) if calendar else due


def report_lock_on(month: date, lock_days: int) -> date:
    """The last day submission is open: `lock_days` days after the month's last day (art. 201: the month's end
    itself is not counted). After it only a bureau can reopen the report for the institution."""
    return month_end(month.year, month.month) + timedelta(days=lock_days)


def is_on_time(submitted_on: date, due_on: date) -> bool:
    """On time means submitted by the end of the due date (dates in Asia/Shanghai)."""
    return submitted_on <= due_on


def rate(part: int, expected: int) -> Decimal | None:
    """A reporting rate as a percentage with one decimal, as DHIS2 shows it; None when nothing is expected.

    DHIS2: reporting rate (completeness) = actual reports / expected reports; reporting rate on time
    (timeliness) = reports submitted on time / expected reports."""
    if not expected:
        return None
    return (Decimal(100) * part / expected).quantize(Decimal("0.1"), ROUND_HALF_UP)
