"""Budget deductions at the end of an agreement year (SPEC §4.10, Chongqing profile).

渝医保发〔2020〕28号: institutions that do not complete the agreed volume, or pay late, have next year's 医保总额
reduced by the same amount ("等额扣减").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def yuan(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def shortfall_deduction(*, agreed: int, purchased: int, winning_price: Decimal) -> Decimal:
    """max(0, agreed − purchased) × winning price, per award."""
    return yuan(max(0, agreed - purchased) * winning_price)


@dataclass(frozen=True)
class Deduction:
    shortfall_amount: Decimal
    late_amount: Decimal

    @property
    def total(self) -> Decimal:
        return self.shortfall_amount + self.late_amount


def deduction(*, shortfalls: list[Decimal], late_amounts: list[Decimal]) -> Deduction:
    """An institution's deduction: its awards' shortfalls plus the late amounts of its invoices of the year
    (an invoice belongs to the year in which its earliest delivery was accepted)."""
    return Deduction(yuan(sum(shortfalls, Decimal(0))), yuan(sum(late_amounts, Decimal(0))))
