"""Weekly supply checks and the cost of substitutes in a shortage (SPEC §4.13).

威医保发〔2020〕23号: "每周至少一次对辖区内医疗机构中选药品供应情况进行调度分析".
鲁医保发〔2020〕25号: "因非不可抗力导致的中选药品质量和供应问题，相应中选企业要承担药品替换产生的额外费用".
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

NORMAL = "normal"
TIGHT = "tight"
OUT = "out"
STATUSES = (NORMAL, TIGHT, OUT)


def week_of(day: date) -> date:
    """The Monday of the ISO week that contains `day`: a week is stored as its Monday."""
    return day - timedelta(days=day.weekday())


def week_end(week: date) -> date:
    """The Sunday that ends the week starting on Monday `week`."""
    return week_of(week) + timedelta(days=6)


def filled_late(week: date, day: date) -> bool:
    """An answer given after the week's Sunday (a missing check filled in after a reminder)."""
    return day > week_end(week)


def extra_cost(*, substitute_price: Decimal, winning_price: Decimal, quantity: int) -> Decimal:
    """(substitute price − winning price) × quantity, in yuan to the cent (half up).

    A substitute cheaper than the winning product costs nothing extra: the result is never negative."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    return max(Decimal(0), (substitute_price - winning_price) * quantity).quantize(CENT, ROUND_HALF_UP)


def charged_to_company(*, extra: Decimal, force_majeure: bool) -> Decimal:
    """What the awarded manufacturer bears: the extra cost, unless the shortage was caused by force majeure."""
    return Decimal("0.00") if force_majeure else extra


def missing_awards(held: set[int], checked: set[int]) -> set[int]:
    """The awards an institution holds volume for and has not checked this week."""
    return held - checked
