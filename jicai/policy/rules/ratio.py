"""The batch-1 ratio rule (SPEC §4.8).

鲁医保发〔2020〕25号: "采购周期内每年采购中选药品使用量不得低于非中选药品采购量" — quantities converted by strength
factor. Shandong exemption: non-winning purchases priced at or below the winning price, made after the
institution completed its agreed volume, do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class NonWinningPurchase:
    quantity: int  # already converted to the award's specification
    unit_price: Decimal  # per unit of the award's specification
    purchased_on: date


@dataclass(frozen=True)
class RatioCheck:
    winning_usage: int
    non_winning_counted: int
    non_winning_exempt: int
    holds: bool


def ratio_rule(
    *,
    winning_usage: int,
    purchases: list[NonWinningPurchase],
    winning_price: Decimal,
    completed_on: date | None,
    exemption: bool,
) -> RatioCheck:
    exempt = 0
    if exemption and completed_on is not None:
        exempt = sum(p.quantity for p in purchases if p.unit_price <= winning_price and p.purchased_on > completed_on)
    counted = sum(p.quantity for p in purchases) - exempt
    return RatioCheck(winning_usage, counted, exempt, holds=winning_usage >= counted)
