"""Agreement years, purchase progress, statuses and the year-end projection (SPEC §4.2, §4.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

COMPLETED = "已完成"
NORMAL = "正常"
LAGGING = "滞后"
SEVERELY_LAGGING = "严重滞后"
STATUSES = (COMPLETED, NORMAL, LAGGING, SEVERELY_LAGGING)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def agreement_year(start: date, k: int) -> tuple[date, date]:
    """Year k runs from start + (k−1) years to start + k years − 1 day (2020-04-15: 2020-04-15 … 2021-04-14)."""
    return add_years(start, k - 1), add_years(start, k) - timedelta(days=1)


def year_no_on(start: date, day: date) -> int:
    """The agreement year that contains `day` (0 before the start)."""
    if day < start:
        return 0
    k = day.year - start.year + 1
    while agreement_year(start, k)[0] > day:
        k -= 1
    return k


def time_progress(year_start: date, year_end: date, as_of: date) -> Decimal:
    """序时进度: days elapsed (start through as-of, inclusive) / days in the agreement year, within 0 … 1."""
    total = (year_end - year_start).days + 1
    elapsed = min(max((as_of - year_start).days + 1, 0), total)
    return Decimal(elapsed) / Decimal(total)


def completion(purchased: int, agreed: int) -> Decimal:
    """执行进度 = purchased / agreed; an agreed volume of zero is complete."""
    return Decimal(1) if agreed <= 0 else Decimal(purchased) / Decimal(agreed)


def progress_status(done: Decimal, elapsed: Decimal, lag_ratio: Decimal) -> str:
    """已完成 ≥ 1; 正常 ≥ time progress; 滞后 ≥ lag_ratio × time progress; otherwise 严重滞后."""
    if done >= 1:
        return COMPLETED
    if done >= elapsed:
        return NORMAL
    if done >= lag_ratio * elapsed:
        return LAGGING
    return SEVERELY_LAGGING


@dataclass(frozen=True)
class Progress:
    agreed: int
    purchased: int
    completion: Decimal
    time_progress: Decimal
    status: str
    projected: Decimal  # completion expected at the year's end at the pace of the last `window` days


@dataclass(frozen=True)
class YearClock:
    """What progress needs of the agreement year, the day and the projection window: the same for every agreed
    volume that shares them, so a whole province computes it once per window."""

    time_progress: Decimal
    remaining: int  # days of the year after as_of
    window_days: int  # days the recent pace is measured over


def year_clock(year_start: date, year_end: date, as_of: date, window: int = 90) -> YearClock:
    return YearClock(
        time_progress=time_progress(year_start, year_end, as_of),
        remaining=max((year_end - max(as_of, year_start - timedelta(days=1))).days, 0),
        window_days=min(window, max((as_of - year_start).days + 1, 1)),
    )


def progress_at(
    clock: YearClock, *, agreed: int, purchased: int, purchased_in_window: int, lag_ratio: Decimal
) -> Progress:
    done = completion(purchased, agreed)
    projected_units = purchased + Decimal(purchased_in_window) / clock.window_days * clock.remaining
    return Progress(
        agreed=agreed,
        purchased=purchased,
        completion=done,
        time_progress=clock.time_progress,
        status=progress_status(done, clock.time_progress, lag_ratio),
        projected=completion(int(projected_units.to_integral_value(ROUND_HALF_UP)), agreed),
    )


def progress(
    *,
    agreed: int,
    purchased: int,
    purchased_in_window: int,
    year_start: date,
    year_end: date,
    as_of: date,
    lag_ratio: Decimal,
    window: int = 90,
) -> Progress:
    return progress_at(
        year_clock(year_start, year_end, as_of, window),
        agreed=agreed,
        purchased=purchased,
        purchased_in_window=purchased_in_window,
        lag_ratio=lag_ratio,
    )


def wan(units: int) -> str:
    """A quantity in 万 units with exactly 4 decimals: an exact unit count (SPEC §3)."""
    sign = "-" if units < 0 else ""
    whole, rest = divmod(abs(units), 10_000)
    return f"{sign}{whole}.{rest:04d}"
