"""Each invoice's stored paid-off day (jicai.purchasing.paid_off) equals the day its payments, added up in date order,
first reach its amount, after every kind of write; the unpaid invoices that rely on it are those of invoice_rows."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from jicai.core.imports import run_import
from jicai.purchasing.models import Invoice, Payment
from jicai.purchasing.payments import invoice_rows, unpaid_invoices


def stored() -> dict[int, date | None]:
    return dict(Invoice.objects.values_list("pk", "paid_off_on"))


def reference() -> dict[int, date | None]:
    paid: dict[int, list] = defaultdict(list)
    for invoice_id, paid_on, amount in Payment.objects.values_list("invoice_id", "paid_on", "amount"):
        paid[invoice_id].append((paid_on, amount))
    result = {}
    for pk, amount in Invoice.objects.values_list("pk", "amount"):
        total, result[pk] = Decimal(0), None
        for paid_on, part in sorted(paid[pk]):
            total += part
            if total >= amount:
                result[pk] = paid_on
                break
    return result


def payment_row(payment: Payment, **changes) -> dict:
    row = {
        "payment_id": payment.payment_id,
        "invoice_no": payment.invoice.invoice_no,
        "amount": str(payment.amount),
        "paid_on": payment.paid_on.isoformat(),
    }
    return {**row, **changes}


def paid_off_invoice() -> Invoice:
    return Invoice.objects.exclude(paid_off_on=None).order_by("pk").first()


def test_imports_store_every_paid_off_day(generated_db, db):
    days = stored()
    assert days == reference()
    assert any(d is None for d in days.values()) and any(d is not None for d in days.values())


@pytest.mark.parametrize("as_of", ["2020-09-30", "2021-03-31", "2021-12-31"])
def test_unpaid_invoices_are_those_of_invoice_rows(generated_db, db, as_of):
    day = date.fromisoformat(as_of)
    expected = {r.invoice_no for r in invoice_rows(Invoice.objects.all(), as_of=day) if r.payment.paid < r.amount}
    assert expected and {u.invoice_no for u in unpaid_invoices(Invoice.objects.all(), as_of=day)} == expected


def test_a_payments_file_that_lowers_adds_and_moves_payments(generated_db, db):
    lowered = Payment.objects.filter(invoice=paid_off_invoice()).select_related("invoice").first()
    moved = (
        Payment.objects.filter(invoice__paid_off_on__isnull=False)
        .exclude(invoice=lowered.invoice)
        .select_related("invoice")
        .first()
    )
    unpaid = Invoice.objects.filter(paid_off_on=None).order_by("pk").first()
    rows = [
        payment_row(lowered, amount="0.01"),
        payment_row(moved, invoice_no=unpaid.invoice_no),
        {
            "payment_id": "TEST-EARLY",
            "invoice_no": unpaid.invoice_no,
            "amount": str(unpaid.amount),
            "paid_on": "2020-01-02",
        },
    ]
    result = run_import("payments", rows)
    assert result.errors == [] and (result.created, result.updated) == (1, 2)
    assert stored() == reference()
    assert Invoice.objects.get(pk=unpaid.pk).paid_off_on == date(2020, 1, 2)  # paid off earlier than ever
    assert Invoice.objects.get(pk=lowered.invoice_id).paid_off_on is None
    assert Invoice.objects.get(pk=moved.invoice_id).paid_off_on is None  # the payment it lost


def test_a_dry_run_changes_nothing(generated_db, db):
    before = stored()
    unpaid = Invoice.objects.filter(paid_off_on=None).order_by("pk").first()
    row = {
        "payment_id": "TEST-DRY",
        "invoice_no": unpaid.invoice_no,
        "amount": str(unpaid.amount),
        "paid_on": "2021-01-04",
    }
    assert run_import("payments", [row], dry_run=True).errors == []
    assert stored() == before


def test_an_invoices_file_that_raises_an_amount(generated_db, db):
    invoice = paid_off_invoice()
    row = {
        "invoice_no": invoice.invoice_no,
        "supplier_code": invoice.supplier.code,
        "institution_code": invoice.institution.code,
        "amount": str(invoice.amount + 100),
        "issued_on": invoice.issued_on.isoformat(),
        "confirmed_on": invoice.confirmed_on.isoformat() if invoice.confirmed_on else "",
    }
    assert run_import("invoices", [row]).updated == 1
    assert Invoice.objects.get(pk=invoice.pk).paid_off_on is None
    assert stored() == reference()


def test_single_rows_saved_through_the_orm(generated_db, db):
    invoice = paid_off_invoice()
    payment = invoice.payments.order_by("paid_on").last()
    payment.paid_on += timedelta(days=30)  # paid off later
    payment.save()
    assert Invoice.objects.get(pk=invoice.pk).paid_off_on == payment.paid_on
    other = Invoice.objects.filter(paid_off_on=None).order_by("pk").first()
    moved = Payment.objects.filter(invoice__paid_off_on__isnull=False).exclude(invoice=invoice).first()
    moved.invoice = other
    moved.save()
    Payment.objects.filter(invoice__paid_off_on__isnull=False).exclude(invoice=invoice).last().delete()
    raised = paid_off_invoice()
    raised.amount += 1
    raised.save()
    assert stored() == reference()


def test_the_admin_lists_the_paid_off_day(generated_db, db, admin_client):
    invoice = paid_off_invoice()
    page = admin_client.get("/admin/purchasing/invoice/", {"q": invoice.invoice_no})
    assert page.status_code == 200
    assert "全额回款日" in page.content.decode() and f"{invoice.paid_off_on:%Y年%-m月%-d日}" in page.content.decode()
