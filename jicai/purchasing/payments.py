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
    # Plain tuples rather than model instances, and each distinct deadline computed once: a city's invoices share
    # a few hundred (rule, acceptance, confirmation) combinations.
    dues: dict[tuple, Due] = {}
    rows = []
    for (
        pk,
        invoice_no,
        institution_id,
        institution_code,
        institution_name,
        region_id,
        supplier_code,
        supplier_name,
        amount,
        issued_on,
        confirmed_on,
        accepted_on,
    ) in invoices.values_list(
        "pk",
        "invoice_no",
        "institution_id",
        "institution__code",
        "institution__name",
        "institution__region_id",
        "supplier__code",
        "supplier__name",
        "amount",
        "issued_on",
        "confirmed_on",
        "accepted_on",
    ):
        name, rule = rules.get(profile_of_region.get(region_id), national)
        due = None
        if accepted_on:
            key = (rule, accepted_on, confirmed_on)
            if key not in dues:
                dues[key] = payment_due(rule, accepted_on, confirmed_on, calendar)
            due = dues[key]
        state = (
            invoice_payment(amount, due.due_on, paid[pk], as_of)
            if due
            else InvoicePayment(amount, sum((a for _, a in paid[pk]), Decimal(0)), Decimal(0), Decimal(0), NOT_DUE, 0)
        )
        rows.append(
            InvoiceRow(
                invoice_id=pk,
                invoice_no=invoice_no,
                institution_id=institution_id,
                institution=institution_code,
                institution_name=institution_name,
                supplier=supplier_code,
                supplier_name=supplier_name,
                amount=amount,
                issued_on=issued_on,
                confirmed_on=confirmed_on,
                accepted_on=accepted_on,
                rule=name,
                due=due,
                payment=state,
            )
        )
    return rows
