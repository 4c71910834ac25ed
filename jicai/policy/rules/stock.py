"""Rush buying and buying without using (SPEC §4.9).

Fuling notice: "严禁为完成采购进度，在集中采购落地实施初期突击采购、只采不用等错误做法。"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

RUSH_BUYING = "突击采购"
BUYING_WITHOUT_USING = "只采不用"
NO_USAGE_NOTE = "无使用量数据，仅检查突击采购，未检查只采不用"


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    figures: dict = field(default_factory=dict)


def rush_buying(*, agreed: int, purchased_early: int, rush_months: int, rush_share: Decimal) -> Finding | None:
    """Purchases in the first `rush_months` months of the year above `rush_share` of the agreed volume."""
    limit = rush_share * agreed
    if agreed <= 0 or purchased_early <= limit:
        return None
    return Finding(
        RUSH_BUYING,
        f"协议年度前{rush_months}个月采购 {purchased_early}，超过约定采购量 {agreed} 的 {rush_share:.0%}",
        {
            "agreed": agreed,
            "purchased_early": purchased_early,
            "rush_months": rush_months,
            "rush_share": str(rush_share),
        },
    )


def buying_without_using(*, purchased: int, used: int, baseline: int, max_stock_months: Decimal) -> Finding | None:
    """Estimated stock (purchases − usage since the year's start) above `max_stock_months` of average use
    (baseline / 12)."""
    stock = purchased - used
    monthly = Decimal(baseline) / 12
    if stock <= max_stock_months * monthly:
        return None
    months = (Decimal(stock) / monthly) if monthly else None
    held = f"约 {months:.1f} 个月用量" if months is not None else "无基数用量"
    return Finding(
        BUYING_WITHOUT_USING,
        f"估算库存 {stock}（采购 {purchased} − 使用 {used}），{held}，超过 {max_stock_months} 个月",
        {
            "purchased": purchased,
            "used": used,
            "stock": stock,
            "monthly_use": str(monthly.quantize(Decimal("1"))),
            "max_stock_months": str(max_stock_months),
        },
    )


@dataclass(frozen=True)
class StockChecks:
    findings: list[Finding]
    usage_checked: bool
    note: str = ""


def stock_checks(
    *,
    agreed: int,
    purchased_early: int,
    purchased: int,
    used: int | None,
    baseline: int,
    rush_months: int,
    rush_share: Decimal,
    max_stock_months: Decimal,
) -> StockChecks:
    """Both checks; without usage data (`used` is None) only the first runs, and the answer says so."""
    findings = [
        rush_buying(agreed=agreed, purchased_early=purchased_early, rush_months=rush_months, rush_share=rush_share)
    ]
    if used is None:
        return StockChecks([f for f in findings if f], usage_checked=False, note=NO_USAGE_NOTE)
    findings.append(
        buying_without_using(purchased=purchased, used=used, baseline=baseline, max_stock_months=max_stock_months)
    )
    return StockChecks([f for f in findings if f], usage_checked=True)
