"""Payment deadlines and status of many invoices at once (SPEC §4.6), set-based: two queries in all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min

from jicai.orgs.models import Region
from jicai.policy.calendar import work_calendar
from jicai.policy.models import PolicyProfile, payment_rule
from jicai.policy.rules.days import WorkCalendar
from jicai.policy.rules.payment import NOT_DUE, Due, InvoicePayment, invoice_payment, payment_due
from jicai.purchasing.models import Payment


@dataclass(frozen=True)
class InvoiceRow:
    invoice_id: int
    invoice_no: str
    institution_id: int
    institution: str
    institution_name: str
    supplier: str
    supplier_name: str
    amount: Decimal
    issued_on: date
    confirmed_on: date | None
    accepted_on: date | None  # earliest acceptance of its deliveries: starts the clock
    rule: str
    due: Due | None  # None while none of its deliveries is accepted
    payment: InvoicePayment


def invoice_rows(invoices, *, as_of: date, calendar: WorkCalendar | None = None) -> list[InvoiceRow]:
    """Due date and payment status on `as_of` of every invoice in `invoices` (already scoped) issued by then."""
    invoices = (
        invoices.filter(issued_on__lte=as_of)
        .select_related("institution", "supplier")
        .annotate(accepted_on=Min("lines__delivery__accepted_on"))
        .order_by("institution__code", "issued_on", "invoice_no")
    )
    paid: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for invoice_id, paid_on, amount in Payment.objects.filter(
        invoice__in=invoices.values("pk"), paid_on__lte=as_of
    ).values_list("invoice_id", "paid_on", "amount"):
        paid[invoice_id].append((paid_on, amount))
    calendar = calendar or work_calendar()
    profile_of_region = Region.objects.profile_map()
    rules = {p.pk: (p.payment_rule, payment_rule(p)) for p in PolicyProfile.objects.all()}
    national = ("national", payment_rule(PolicyProfile(payment_rule="national")))
    rows = []
    for inv in invoices:
        name, rule = rules.get(profile_of_region.get(inv.institution.region_id), national)
        due = payment_due(rule, inv.accepted_on, inv.confirmed_on, calendar) if inv.accepted_on else None
        state = (
            invoice_payment(inv.amount, due.due_on, paid[inv.pk], as_of)
            if due
            else InvoicePayment(
                inv.amount, sum((a for _, a in paid[inv.pk]), Decimal(0)), Decimal(0), Decimal(0), NOT_DUE, 0
            )
        )
        rows.append(
            InvoiceRow(
                invoice_id=inv.pk,
                invoice_no=inv.invoice_no,
                institution_id=inv.institution_id,
                institution=inv.institution.code,
                institution_name=inv.institution.name,
                supplier=inv.supplier.code,
                supplier_name=inv.supplier.name,
                amount=inv.amount,
                issued_on=inv.issued_on,
                confirmed_on=inv.confirmed_on,
                accepted_on=inv.accepted_on,
                rule=name,
                due=due,
                payment=state,
            )
        )
    return rows
