"""Payment standards and listing (SPEC §4.12), after the national 2019 supporting measures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PRICE = Decimal("0.0001")


def award_standard(winning_price: Decimal, strength_factor: Decimal) -> Decimal:
    """The payment standard of a product of the generic name: the winning price × its strength factor."""
    return (winning_price * strength_factor).quantize(PRICE, ROUND_HALF_UP)


def non_winning_standard(
    *, listed_price: Decimal, winning_price: Decimal, evaluated: bool, year_no: int, phase_in_years: int
) -> Decimal:
    """A non-winning product's payment standard in agreement year `year_no` (prices per the same strength).

    Priced at 2× the winning price or more: its price less 30 %, stepping down in equal steps to reach the
    winning price in year `phase_in_years`. Below 2×: the winning price. Not consistency-evaluated: at most the
    winning price at once.
    """
    if not evaluated or listed_price < 2 * winning_price:
        return min(listed_price, winning_price)
    first = listed_price * Decimal("0.7")
    if phase_in_years <= 1 or year_no >= phase_in_years:
        return winning_price
    step = (first - winning_price) * (year_no - 1) / (phase_in_years - 1)
    return (first - step).quantize(PRICE, ROUND_HALF_UP)


def delisted(evaluated_manufacturers: int, evaluated: bool) -> bool:
    """When 3 or more manufacturers of a generic name have passed consistency evaluation, the products of that
    name that have not lose their listing."""
    return not evaluated and evaluated_manufacturers >= 3
