"""The stored deadlines (jicai.purchasing.due) and the SQL aggregates over them give the answers of `invoice_rows`,
which computes every invoice's deadline and payment status in Python: each invoice's earliest acceptance and due
date, the dashboard's aging and late-by-month tables, a company's owed and unpaid-invoice tables. Checked on the
demo and on a small generated province, at several dates, after imports, after a profile change and after a
calendar change."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from jicai.core.imports import run_import
from jicai.orgs.models import Region
from jicai.policy.models import HolidayCalendar, PolicyProfile
from jicai.policy.rules.payment import NOT_DUE, OVERDUE_UNPAID
from jicai.purchasing import due
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine
from jicai.purchasing.payments import invoice_rows, payment_summary, unpaid_invoices
from jicai.web import company, dashboard

EVERYTHING = date(2100, 1, 1)  # an as-of day after every invoice: invoice_rows then lists them all


def stored() -> dict[int, tuple]:
    return {pk: (a, d) for pk, a, d in Invoice.objects.values_list("pk", "earliest_accepted_on", "due_on")}


def recomputed() -> dict[int, tuple]:
    return {
        r.invoice_id: (r.accepted_on, r.due and r.due.due_on)
        for r in invoice_rows(Invoice.objects.all(), as_of=EVERYTHING)
    }


def reference_aging(rows, region_of: dict[int, int], region_names: dict[int, str]) -> list[dict]:
    """The dashboard's aging table as it was folded from invoice_rows."""
    zero = Decimal("0.00")
    by_institution: dict[str, dict] = {}
    for inv in rows:
        state = inv.payment
        outstanding = state.amount - state.paid
        if outstanding <= 0 or state.status not in (NOT_DUE, OVERDUE_UNPAID):
            continue
        row = by_institution.setdefault(
            inv.institution,
            {
                "institution": inv.institution,
                "institution_name": inv.institution_name,
                "region": region_names.get(region_of[inv.institution_id], ""),
                "invoices": 0,
                "not_due": zero,
                **{f"late_{low}": zero for low, _ in dashboard.AGE_BANDS},
                "overdue": zero,
            },
        )
        row["invoices"] += 1
        if state.status == NOT_DUE:
            row["not_due"] += outstanding
        else:
            low = next(
                lo for lo, hi in dashboard.AGE_BANDS if state.days_late >= lo and (hi is None or state.days_late <= hi)
            )
            row[f"late_{low}"] += outstanding
            row["overdue"] += outstanding
    return sorted(by_institution.values(), key=lambda r: (-r["overdue"], -r["not_due"], r["institution"]))


def reference_late(rows) -> list[dict]:
    months: dict[str, list] = defaultdict(lambda: [0, Decimal("0.00")])
    for inv in rows:
        if inv.due is not None and inv.payment.late_amount > 0:
            months[f"{inv.due.due_on:%Y-%m}"][0] += 1
            months[f"{inv.due.due_on:%Y-%m}"][1] += inv.payment.late_amount
    return [{"month": m, "invoices": n, "late": late} for m, (n, late) in sorted(months.items())]


def reference_owed(rows) -> dict[int, tuple]:
    """A company's owed table as it was folded from invoice_rows: institution → (invoices, outstanding, not due,
    overdue, since, days late)."""
    owed: dict[int, list] = {}
    for inv in rows:
        outstanding = inv.payment.amount - inv.payment.paid
        if outstanding <= 0:
            continue
        row = owed.setdefault(inv.institution_id, [0, Decimal(0), Decimal(0), Decimal(0), None, 0])
        row[0] += 1
        row[1] += outstanding
        row[3 if inv.payment.status == OVERDUE_UNPAID else 2] += outstanding
        starts = [d for d in (inv.accepted_on, inv.confirmed_on) if d is not None]
        if starts and (row[4] is None or min(starts) < row[4]):
            row[4] = min(starts)
        row[5] = max(row[5], inv.payment.days_late)
    return {pk: tuple(row) for pk, row in owed.items()}


def reference_unpaid(rows) -> set[tuple]:
    return {
        (
            inv.invoice_no,
            inv.supplier_name,
            inv.payment.paid,
            inv.payment.amount - inv.payment.paid,
            min((d for d in (inv.accepted_on, inv.confirmed_on) if d), default=None),
            inv.due and inv.due.due_on,
            inv.payment.days_late,
            inv.payment.status,
        )
        for inv in rows
        if inv.payment.amount - inv.payment.paid > 0
    }


def assert_same_answers(as_of: date, invoices=None) -> list:
    """Every aggregate over the stored deadlines equals its fold of invoice_rows, on `invoices` (default: all)."""
    invoices = Invoice.objects.all() if invoices is None else invoices
    summary = payment_summary(invoices, as_of=as_of, bands=dashboard.AGE_BANDS)  # refreshes what is stale
    owed = summary.owed
    rows = invoice_rows(invoices, as_of=as_of)
    region_names = dict(Region.objects.values_list("id", "name"))
    region_of = {o.institution_id: o.region_id for o in owed}
    aging = dashboard.aging_table(owed, region_names=region_names)
    assert aging.rows == reference_aging(rows, region_of, region_names)
    late = dashboard.late_by_month(summary.late)
    assert late.rows == reference_late(rows)
    folded = {o.institution_id: (o.invoices, o.outstanding, o.not_due, o.overdue, o.since, o.days_late) for o in owed}
    assert folded == reference_owed(rows)
    owed_rows = company.owed_table(owed, region_names=region_names).rows
    assert {r["institution"]: (r["outstanding"], r["since"]) for r in owed_rows} == {
        o.institution: (o.outstanding, o.since) for o in owed
    }
    unpaid = {
        (u.invoice_no, u.supplier_name, u.paid, u.outstanding, u.since, u.due_on, u.days_late, u.status)
        for u in unpaid_invoices(invoices, as_of=as_of)
    }
    assert unpaid == reference_unpaid(rows)
    assert stored() == recomputed()
    assert not Invoice.objects.filter(due_stale=True).exists()
    return rows


DEMO_DAYS = ["2020-06-30", "2020-09-22", "2020-10-15", "2020-12-31", "2021-03-31", "2021-04-14"]


@pytest.mark.parametrize("as_of", DEMO_DAYS)
def test_demo_aggregates_equal_invoice_rows(demo_db, db, as_of):
    rows = assert_same_answers(date.fromisoformat(as_of))
    if as_of >= "2020-12-31":
        assert any(r.payment.late_amount for r in rows)  # the comparison is not between empty tables


def test_demo_by_region_scope(demo_db, db):
    for region in Region.objects.all():
        assert_same_answers(
            date(2021, 3, 31), Invoice.objects.filter(institution__region__path__startswith=region.path)
        )


def test_imports_leave_nothing_stale(generated_db, db):
    """The import of invoices and their lines recomputed every deadline in its own transaction."""
    assert Invoice.objects.exists()
    assert not Invoice.objects.filter(due_stale=True).exists()
    assert stored() == recomputed()


@pytest.mark.parametrize("as_of", ["2020-06-30", "2020-12-31", "2021-04-14", "2021-09-30"])
def test_generated_aggregates_equal_invoice_rows(generated_db, db, as_of):
    rows = assert_same_answers(date.fromisoformat(as_of))
    assert rows and any(r.payment.late_amount for r in rows)


def test_a_profile_change_moves_the_deadlines(generated_db, db):
    before = stored()
    for profile in PolicyProfile.objects.all():  # through the ORM, as the admin saves it
        profile.payment_days, profile.payment_months_after = 20, 1
        profile.save()
    assert Invoice.objects.filter(due_stale=True).exists()
    assert_same_answers(date(2021, 4, 14))
    assert stored() != before


def test_a_region_taking_another_profile(generated_db, db):
    other = PolicyProfile.objects.get(code="cq")
    region = Region.objects.exclude(profile=other).exclude(profile=None).first()
    assert region is not None
    region.profile = other
    region.save()
    assert_same_answers(date(2021, 4, 14))


def test_a_calendar_change_moves_the_deadlines(generated_db, db):
    # The first due date on a working day becomes a holiday: that deadline rolls to the next working day.
    due.refresh()
    first = Invoice.objects.exclude(due_on=None).order_by("due_on").values_list("due_on", flat=True).first()
    day = HolidayCalendar.objects.get(date=first)
    day.is_working_day = False
    day.save()
    assert_same_answers(date(2021, 4, 14))
    assert not Invoice.objects.filter(due_on=first).exists()


def test_calendar_commands_recompute(generated_db, db):
    year = max(HolidayCalendar.objects.years()) + 1
    Invoice.objects.update(due_stale=False, due_on=None)  # wrong on purpose: only a recomputation repairs it
    call_command("calendar", "init", str(year))
    assert stored() == recomputed()


def test_single_rows_saved_through_the_orm(generated_db, db):
    due.refresh()
    line = InvoiceLine.objects.select_related("delivery", "invoice").order_by("pk").first()
    delivery = line.delivery
    delivery.accepted_on = delivery.accepted_on - timedelta(days=40)  # the invoice's clock starts earlier
    delivery.save()
    invoice = Invoice.objects.exclude(pk=line.invoice_id).order_by("pk").first()
    invoice.confirmed_on = invoice.issued_on
    invoice.save()
    InvoiceLine.objects.filter(invoice=invoice).first().delete()
    assert Invoice.objects.filter(due_stale=True).count() >= 2
    assert_same_answers(date(2021, 4, 14))


def test_a_reimport_that_moves_an_acceptance(generated_db, db):
    due.refresh()
    delivery = Delivery.objects.filter(invoice_lines__isnull=False).order_by("pk").first()
    moved = delivery.accepted_on - timedelta(days=25)
    header = "delivery_id,order_id,quantity,delivered_on,accepted_on\n"
    row = f"{delivery.delivery_id},{delivery.order.order_id},{delivery.quantity},{moved},{moved}\n"
    assert (
        run_import("deliveries", [dict(zip(header.strip().split(","), row.strip().split(","), strict=True))]).updated
        == 1
    )
    assert not Invoice.objects.filter(due_stale=True).exists()  # recomputed inside the import
    assert stored() == recomputed()
    assert Invoice.objects.filter(lines__delivery=delivery, earliest_accepted_on__lte=moved).exists()


def test_new_lines_imported_for_an_existing_invoice(generated_db, db):
    due.refresh()
    invoice = Invoice.objects.exclude(earliest_accepted_on=None).order_by("pk").first()
    existing = Delivery.objects.filter(invoice_lines__invoice=invoice).first()
    early = invoice.earliest_accepted_on - timedelta(days=45)
    delivery = Delivery.objects.create(  # a delivery accepted earlier than any the invoice holds, not yet billed
        delivery_id="TEST-EARLY",
        order=existing.order,
        institution=existing.institution,
        product=existing.product,
        quantity=1,
        delivered_on=early,
        accepted_on=early,
    )
    line = {"invoice_no": invoice.invoice_no, "delivery_id": delivery.delivery_id, "amount": "1.00"}
    result = run_import("invoice_lines", [line])
    assert result.errors == [] and result.created == 1
    assert not Invoice.objects.filter(due_stale=True).exists()  # recomputed inside the import
    invoice.refresh_from_db()
    assert invoice.earliest_accepted_on == early
    assert stored() == recomputed()


def test_many_stale_invoices_are_recomputed_batch_by_batch(generated_db, db, monkeypatch):
    monkeypatch.setattr(due, "BATCH", 7)  # the small province's invoices in many batches, the last one partial
    Invoice.objects.update(due_stale=True, due_on=None, earliest_accepted_on=None)
    assert due.refresh() == Invoice.objects.count()
    assert not Invoice.objects.filter(due_stale=True).exists()
    assert stored() == recomputed()
