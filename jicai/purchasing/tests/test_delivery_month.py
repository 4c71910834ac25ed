"""DeliveryMonth holds each institution × product × month's accepted quantity after every kind of write to the
deliveries (the triggers of migration purchasing.0006), and whole_months splits a day range the way progress reads
it."""

import importlib
import io
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection

from jicai.core.imports import run_import
from jicai.purchasing.models import Delivery, DeliveryMonth
from jicai.volumes.progress import whole_months

DAYS = [f"day{d}" for d in range(1, 32)]


def stored() -> dict:
    """(institution, product, month) → (quantity, the quantity of each day), the rows that hold any."""
    rows = DeliveryMonth.objects.values_list("institution_id", "product_id", "month", "quantity", *DAYS)
    return {(i, p, m): (q, tuple(days)) for i, p, m, q, *days in rows if q or any(days)}


def reference() -> dict:
    sums: dict = defaultdict(lambda: [0] * 32)
    for i, p, day, q in Delivery.objects.exclude(accepted_on=None).values_list(
        "institution_id", "product_id", "accepted_on", "quantity"
    ):
        month = sums[(i, p, day.replace(day=1))]
        month[0] += q
        month[day.day] += q
    return {key: (q, tuple(days)) for key, (q, *days) in sums.items() if q or any(days)}


def delivery_row(d: Delivery, **changes) -> str:
    row = {
        "delivery_id": d.delivery_id,
        "order_id": d.order.order_id,
        "quantity": str(d.quantity),
        "delivered_on": d.delivered_on.isoformat(),
        "accepted_on": d.accepted_on.isoformat() if d.accepted_on else "",
        **changes,
    }
    return ",".join(row) + "\n" + ",".join(row.values()) + "\n"


def test_imports_fill_it(generated_db, db):
    months = stored()
    assert months == reference()
    # Whole months hold many lines: the table is much smaller than the deliveries.
    assert 0 < len(months) < Delivery.objects.count() / 2


def test_the_migration_fills_it_from_the_deliveries_already_there(generated_db, db):
    expected = stored()
    DeliveryMonth.objects.all().delete()
    migration = importlib.import_module("jicai.purchasing.migrations.0006_delivery_month")
    with connection.cursor() as cursor:
        cursor.execute(migration.fill(migration.PostgreSQL if connection.vendor == "postgresql" else migration.SQLite))
    assert stored() == expected


def test_orm_writes_keep_it(generated_db, db):
    accepted = Delivery.objects.exclude(accepted_on=None).order_by("pk")
    first, second, third = accepted[:3]
    first.quantity += 7
    first.save()
    second.accepted_on = date(second.accepted_on.year + 1, 1, 31)  # another month
    second.save(update_fields=["accepted_on"])
    fourth = accepted[3]
    fourth.accepted_on = fourth.accepted_on.replace(day=1 if fourth.accepted_on.day > 1 else 2)  # the same month
    fourth.save()
    third.accepted_on = None  # no longer accepted: counts nowhere
    third.save()
    gone = accepted.last()
    gone.invoice_lines.all().delete()
    gone.delete()
    assert stored() == reference()
    # Set-based updates and raw SQL too.
    Delivery.objects.filter(pk__in=[d.pk for d in accepted[4:40]]).update(accepted_on=date(2020, 2, 29))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE purchasing_delivery SET quantity = quantity * 2 WHERE id % 5 = 0")
        cursor.execute("DELETE FROM purchasing_invoiceline WHERE delivery_id % 7 = 0")
        cursor.execute("DELETE FROM purchasing_delivery WHERE id % 7 = 0")
    clone = accepted.first()
    clone.pk, clone.delivery_id = None, "COPY-1"
    clone.save()
    assert stored() == reference()


def test_imports_that_change_and_repeat_lines_keep_it(generated_db, db):
    d = Delivery.objects.exclude(accepted_on=None).select_related("order").order_by("pk").first()
    before = stored()
    for _ in range(2):  # importing the same file twice changes it once
        result = run_import(
            "deliveries", io.BytesIO(delivery_row(d, quantity=str(d.quantity + 11), accepted_on="2021-02-28").encode())
        )
        assert result.errors == []
        assert stored() == reference()
    assert stored() != before


def test_a_dry_run_leaves_it(generated_db, db):
    d = Delivery.objects.exclude(accepted_on=None).select_related("order").order_by("pk").first()
    before = stored()
    run_import("deliveries", io.BytesIO(delivery_row(d, quantity="123456").encode()), dry_run=True)
    assert stored() == before == reference()


@pytest.mark.parametrize(
    "first, last, months, edges",
    [
        ("2021-01-01", "2021-03-31", ("2021-01-01", "2021-03-01"), []),
        ("2021-01-15", "2021-03-31", ("2021-02-01", "2021-03-01"), [("2021-01-15", "2021-01-31")]),
        ("2021-01-01", "2021-03-30", ("2021-01-01", "2021-02-01"), [("2021-03-01", "2021-03-30")]),
        (
            "2020-12-02",
            "2021-02-27",
            ("2021-01-01", "2021-01-01"),
            [("2020-12-02", "2020-12-31"), ("2021-02-01", "2021-02-27")],
        ),
        ("2020-02-01", "2020-02-29", ("2020-02-01", "2020-02-01"), []),  # a leap February, whole
        ("2021-02-01", "2021-02-27", None, [("2021-02-01", "2021-02-27")]),
        ("2021-01-15", "2021-02-14", None, [("2021-01-15", "2021-01-31"), ("2021-02-01", "2021-02-14")]),
        ("2021-03-05", "2021-03-05", None, [("2021-03-05", "2021-03-05")]),
        ("2021-03-06", "2021-03-05", None, []),  # empty
    ],
)
def test_whole_months_cover_each_day_once(first, last, months, edges):
    day = date.fromisoformat
    expected = (tuple(map(day, months)) if months else None, [tuple(map(day, e)) for e in edges])
    assert whole_months(day(first), day(last)) == expected
