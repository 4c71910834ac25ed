"""The holiday calendar table: loading it from the `chinesecalendar` package and reading it for the rules."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from jicai.policy.rules.days import WorkCalendar

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_years() -> range:
    """The years the installed `chinesecalendar` knows."""
    return range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def package_days(year: int) -> list[tuple[date, bool, str]]:
    """(date, is working day, name) for every day of `year`, as the package has it."""
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        working, holiday = chinese_calendar.get_holiday_detail(day)
        working = not working  # get_holiday_detail answers "is it a holiday or rest day"
        name = HOLIDAY_NAMES.get(holiday, holiday or "")
        if working and day.weekday() >= 5:
            name = f"{name}调休上班" if name else "调休上班"
        days.append((day, working, name))
        day += timedelta(days=1)
    return days


def load_years(model, years) -> int:
    """Write the package's days of `years` into the table, keeping days an administrator entered.
    `model` is the HolidayCalendar model (a migration passes its historical one)."""
    existing = set(model.objects.filter(date__year__in=list(years)).values_list("date", flat=True))
    rows = [
        model(date=d, is_working_day=w, name=n, source="chinesecalendar")
        for year in years
        for d, w, n in package_days(year)
        if d not in existing
    ]
    model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def work_calendar() -> WorkCalendar:
    """The whole table as the rules' WorkCalendar (a few thousand rows: one query)."""
    from jicai.policy.models import HolidayCalendar

    rows = list(HolidayCalendar.objects.values_list("date", "is_working_day"))
    return WorkCalendar(working_days=frozenset(d for d, w in rows if w), years=frozenset(d.year for d, _ in rows))
