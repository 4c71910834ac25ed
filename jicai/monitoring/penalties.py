"""Budget deductions for an agreement year (SPEC §4.10): shortfall and late payment per institution, with evidence."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jicai.policy.rules.penalties import Deduction, deduction, shortfall_deduction
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows


@dataclass
class Penalty:
    institution: str
    institution_name: str
    deduction: Deduction
    shortfalls: list[dict] = field(default_factory=list)  # per award: agreed, purchased, price, amount
    late_invoices: list[dict] = field(default_factory=list)  # per invoice: number, due, late amount


def penalties(institutions, *, year_no: int, as_of: date) -> list[Penalty]:
    """Deductions of agreement year `year_no` for `institutions` (a scoped queryset), with payments known on
    `as_of`. An invoice belongs to the year in which its earliest delivery was accepted."""
    rows = progress_rows(AgreedVolume.objects.filter(institution__in=institutions), as_of=as_of, year_no=year_no)
    prices = dict(
        AgreedVolume.objects.filter(institution__in=institutions, year_no=year_no)
        .values_list("award_id", "award__winning_price")
        .distinct()
    )
    by_inst: dict[str, Penalty] = {}
    shortfalls: dict[str, list[Decimal]] = defaultdict(list)
    windows: dict[int, tuple[date, date]] = {}
    for r in rows:
        pen = by_inst.setdefault(
            r.institution, Penalty(r.institution, r.institution_name, deduction(shortfalls=[], late_amounts=[]))
        )
        price = prices[r.award_id]
        amount = shortfall_deduction(agreed=r.progress.agreed, purchased=r.progress.purchased, winning_price=price)
        shortfalls[r.institution].append(amount)
        windows.setdefault(r.institution_id, (r.year_start, r.year_end))
        if amount:
            pen.shortfalls.append(
                {
                    "product": r.product,
                    "generic_name": r.generic_name,
                    "agreed": r.progress.agreed,
                    "purchased": r.progress.purchased,
                    "winning_price": price,
                    "amount": amount,
                }
            )
    late: dict[str, list[Decimal]] = defaultdict(list)
    for inv in invoice_rows(Invoice.objects.filter(institution_id__in=windows), as_of=as_of):
        start, end = windows[inv.institution_id]
        if inv.accepted_on and start <= inv.accepted_on <= end and inv.payment.late_amount:
            late[inv.institution].append(inv.payment.late_amount)
            by_inst[inv.institution].late_invoices.append(
                {
                    "invoice_no": inv.invoice_no,
                    "due_on": inv.due.due_on,
                    "amount": inv.amount,
                    "late_amount": inv.payment.late_amount,
                    "status": inv.payment.status,
                }
            )
    for code, pen in by_inst.items():
        pen.deduction = deduction(shortfalls=shortfalls[code], late_amounts=late[code])
    return sorted(by_inst.values(), key=lambda p: p.institution)
