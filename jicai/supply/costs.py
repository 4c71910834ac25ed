"""The extra cost of substitutes, per company. 鲁医保发〔2020〕25号:
"因非不可抗力导致的中选药品质量和供应问题，相应中选企业要承担药品替换产生的额外费用".
One row source for the page, the export and the CLI; two queries whatever the size.

A substitute's extra cost is 已计入 (charged) once the bureau closed its case as not force majeure,
不可抗力免除 (waived) when it closed it as force majeure, and 待定 (pending) while the case is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from jicai.policy.rules.supply import charged_to_company
from jicai.supply.models import ShortageCase, SubstitutePurchase

CHARGED, WAIVED, PENDING = "charged", "waived", "pending"
OUTCOME = {CHARGED: _("已计入企业"), WAIVED: _("不可抗力免除"), PENDING: _("待定（事件未关闭）")}

ZERO = Decimal("0.00")


def outcome(status: str, force_majeure: bool) -> str:
    if status != ShortageCase.Status.CLOSED:
        return PENDING
    return WAIVED if charged_to_company(extra=Decimal(1), force_majeure=force_majeure) == 0 else CHARGED


PURCHASE_COLUMNS = [
    ("company", _("中选企业")),
    ("case", _("事件编号")),
    ("generic_name", _("药品通用名")),
    ("spec", _("规格")),
    ("institution", _("采购机构")),
    ("description", _("替代药品")),
    ("bought_on", _("采购日期")),
    ("unit_price", _("替代单价")),
    ("winning_price", _("中选价")),
    ("quantity", _("数量")),
    ("extra_cost", _("额外费用（元）")),
    ("outcome", _("处理")),
    ("cause", _("原因")),
]

COMPANY_COLUMNS = [
    ("company", _("中选企业")),
    ("cases", _("短缺事件数")),
    ("charged", _("已计入企业（元）")),
    ("pending", _("待定（元）")),
    ("waived", _("不可抗力免除（元）")),
]


def purchase_rows(cases) -> list[dict]:
    """One dict per substitute purchase of `cases` (already scoped), with its outcome."""
    rows = (
        SubstitutePurchase.objects.filter(case__in=cases)
        .values(
            "case_id",
            "case__company__name",
            "case__award__product__generic_name",
            "case__award__product__spec",
            "case__status",
            "case__force_majeure",
            "case__cause",
            "institution__name",
            "description",
            "bought_on",
            "unit_price",
            "winning_price",
            "quantity",
            "extra_cost",
        )
        .order_by("case__company__name", "case_id", "bought_on", "id")
    )
    return [
        {
            "company": r["case__company__name"],
            "case": r["case_id"],
            "generic_name": r["case__award__product__generic_name"],
            "spec": r["case__award__product__spec"],
            "institution": r["institution__name"],
            "description": r["description"],
            "bought_on": r["bought_on"],
            "unit_price": r["unit_price"],
            "winning_price": r["winning_price"],
            "quantity": r["quantity"],
            "extra_cost": r["extra_cost"],
            "outcome": str(OUTCOME[outcome(r["case__status"], r["case__force_majeure"])]),
            "outcome_code": outcome(r["case__status"], r["case__force_majeure"]),
            "cause": r["case__cause"],
        }
        for r in rows
    ]


@dataclass
class CompanyCost:
    company: str
    cases: int = 0
    charged: Decimal = ZERO
    pending: Decimal = ZERO
    waived: Decimal = ZERO

    def as_dict(self) -> dict:
        return {
            "company": self.company,
            "cases": self.cases,
            "charged": self.charged,
            "pending": self.pending,
            "waived": self.waived,
        }


def company_rows(cases) -> tuple[list[CompanyCost], list[dict]]:
    """Per company: its cases and the extra cost charged, pending and waived; and the purchases behind them."""
    purchases = purchase_rows(cases)
    out: dict[str, CompanyCost] = {}
    for name, n in cases.order_by().values_list("company__name").annotate(n=Count("id")):
        out[name] = CompanyCost(name, cases=n)
    for p in purchases:
        c = out.setdefault(p["company"], CompanyCost(p["company"]))
        setattr(c, p["outcome_code"], getattr(c, p["outcome_code"]) + p["extra_cost"])
    return sorted(out.values(), key=lambda c: (-c.charged, -c.pending, c.company)), purchases
