from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jicai.policy.rules.supply import (
    charged_to_company,
    extra_cost,
    filled_late,
    missing_awards,
    week_end,
    week_of,
)

D = date.fromisoformat
prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)


@pytest.mark.parametrize(
    "substitute, winning, quantity, expected",
    [
        ("0.3200", "0.0950", 24_000, "5400.00"),  # the demo's 阿莫西林胶囊 substitute
        ("0.2800", "0.0950", 12_000, "2220.00"),
        ("0.0596", "0.0595", 5, "0.00"),  # 0.0005 yuan is below half a cent
        ("0.0601", "0.0595", 1_000, "0.60"),
        ("0.1835", "0.1830", 1, "0.00"),
        ("0.1850", "0.1830", 1_000_001, "2000.00"),  # 2000.002 → 2000.00
        ("0.1845", "0.1830", 1_000_000, "1500.00"),
        ("0.0500", "0.1830", 1_000, "0.00"),  # a cheaper substitute costs nothing extra
    ],
)
def test_extra_cost(substitute, winning, quantity, expected):
    got = extra_cost(substitute_price=Decimal(substitute), winning_price=Decimal(winning), quantity=quantity)
    assert got == Decimal(expected) and str(got) == expected


def test_extra_cost_rounds_half_up_to_the_cent():
    # (0.1005 − 0.1000) × 9 = 0.0045 → 0.00; × 10 = 0.005 → 0.01 (half up, not to even)
    assert extra_cost(substitute_price=Decimal("0.1005"), winning_price=Decimal("0.1000"), quantity=9) == Decimal("0")
    assert extra_cost(substitute_price=Decimal("0.1005"), winning_price=Decimal("0.1000"), quantity=10) == Decimal(
        "0.01"
    )


@pytest.mark.parametrize("quantity", [0, -5])
def test_extra_cost_needs_a_positive_quantity(quantity):
    with pytest.raises(ValueError):
        extra_cost(substitute_price=Decimal("1"), winning_price=Decimal("0.5"), quantity=quantity)


def test_force_majeure_waives_the_charge():
    assert charged_to_company(extra=Decimal("5400.00"), force_majeure=True) == 0
    assert charged_to_company(extra=Decimal("5400.00"), force_majeure=False) == Decimal("5400.00")


@given(prices, prices, st.integers(min_value=1, max_value=10_000_000), st.integers(min_value=1, max_value=1000))
def test_extra_cost_never_negative_and_monotone(substitute, winning, quantity, more):
    base = extra_cost(substitute_price=substitute, winning_price=winning, quantity=quantity)
    assert base >= 0
    assert extra_cost(substitute_price=substitute, winning_price=winning, quantity=quantity + more) >= base
    assert extra_cost(substitute_price=substitute + 1, winning_price=winning, quantity=quantity) >= base
    assert extra_cost(substitute_price=substitute, winning_price=winning + 1, quantity=quantity) <= base


@pytest.mark.parametrize(
    "day, monday",
    [
        ("2020-12-28", "2020-12-28"),  # a Monday is its own week
        ("2021-01-03", "2020-12-28"),  # the Sunday belongs to the Monday before it (ISO week 53 of 2020)
        ("2021-01-04", "2021-01-04"),
        ("2020-04-15", "2020-04-13"),  # the demo's start, a Wednesday
    ],
)
def test_week_of(day, monday):
    assert week_of(D(day)) == D(monday)
    assert week_end(D(day)) == D(monday) + timedelta(days=6)
    assert D(day).isocalendar()[:2] == D(monday).isocalendar()[:2]


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31)))
def test_week_of_is_the_iso_monday(day):
    monday = week_of(day)
    assert (
        monday.weekday() == 0 and monday <= day <= week_end(day) and monday.isocalendar()[:2] == day.isocalendar()[:2]
    )


def test_filled_late_only_after_the_sunday():
    assert not filled_late(D("2020-12-28"), D("2021-01-03"))
    assert filled_late(D("2020-12-28"), D("2021-01-04"))


def test_missing_awards():
    assert missing_awards({1, 2, 3}, {2, 4}) == {1, 3}
    assert missing_awards({1}, {1}) == set()
