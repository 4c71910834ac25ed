import io
from datetime import date
from decimal import Decimal

from django.db.models import F

from jicai.core import imports
from jicai.core.imports import RowError, run_import
from jicai.core.tests.test_imports import load_samples
from jicai.purchasing.models import Delivery, Invoice, Payment, Usage


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_deliveries_take_institution_and_product_from_the_order(db):
    load_samples(through="deliveries")
    ret = Delivery.objects.get(delivery_id="PS2020100001")
    assert (ret.quantity, ret.institution.code, ret.product.code, ret.order.order_id) == (
        -600,
        "H500102002",
        "XDEMO0001",
        "DD2020090003",
    )
    assert Delivery.objects.get(delivery_id="PS2020100002").accepted_on is None
    # The table has no foreign key constraints of its own on these two: they hold because they are the order's.
    assert Delivery.objects.count() > 2
    assert not Delivery.objects.exclude(institution=F("order__institution"), product=F("order__product")).exists()


def test_a_deliveries_file_without_accepted_on_keeps_acceptances(db):
    load_samples(through="deliveries")
    result = run_import(
        "deliveries", _csv("delivery_id,order_id,quantity,delivered_on\nPS2020090001,DD2020090001,30000,2020-09-21\n")
    )
    assert result.unchanged == 1
    assert Delivery.objects.get(delivery_id="PS2020090001").accepted_on == date(2020, 9, 22)
    # A present column is the truth: a later acceptance date replaces the stored one.
    result = run_import(
        "deliveries",
        _csv("配送单号,订单编号,数量,配送日期,验收日期\nPS2020100002,DD2020100001,1800,2020-10-13,2020-10-14\n"),
    )
    assert result.updated == 1
    assert Delivery.objects.get(delivery_id="PS2020100002").accepted_on == date(2020, 10, 14)


def test_invoices_lines_and_payments(db):
    load_samples(through="payments")
    invoice = Invoice.objects.get(invoice_no="FP50010200003")
    assert sum(line.amount for line in invoice.lines.all()) == invoice.amount == Decimal("1537.20")
    assert Invoice.objects.get(invoice_no="FP37100200001").confirmed_on is None
    payers = dict(Payment.objects.values_list("payment_id", "payer"))
    assert payers == {
        "HK2020100001": "institution",
        "HK2020100002": "institution",
        "HK2020110001": "fund",
        "HK2020110002": "fund",
    }


def test_payer_defaults_to_the_institution(db):
    load_samples(through="invoices")
    result = run_import("payments", _csv("回款编号,发票号,金额,回款日期\nHK1,FP37100200001,3843,2020-12-01\n"))
    assert result.landed
    payment = Payment.objects.get(payment_id="HK1")
    assert (payment.payer, payment.amount) == ("institution", Decimal("3843.00"))


def test_usage_month_is_stored_as_its_first_day(db):
    load_samples(through="usage")
    assert set(Usage.objects.values_list("month", flat=True)) == {date(2020, 9, 1), date(2020, 10, 1)}


def test_chunks_look_up_orders_per_chunk_and_still_find_duplicates_across_chunks(db, monkeypatch):
    load_samples(through="orders")
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    rows = "\n".join(
        [
            "delivery_id,order_id,quantity,delivered_on",
            "P1,DD2020090001,1,2020-09-21",
            "P2,DD2020090002,1,2020-09-21",
            "P3,DD2020090003,1,2020-09-21",
            "P1,DD2020090001,1,2020-09-21",
            "P5,DD-NONE,1,2020-09-21",
        ]
    )
    result = run_import("deliveries", _csv(rows))
    assert result.errors == [
        RowError(5, "delivery_id", "与第 2 行重复"),
        RowError(6, "order_id", "未知的订单编号“DD-NONE”"),
    ]


def _orders_and_deliveries(n: int) -> tuple[str, str]:
    orders = ["order_id,institution_code,product_code,distributor_code,quantity,unit_price,ordered_on"]
    deliveries = ["delivery_id,order_id,quantity,delivered_on,accepted_on"]
    for i in range(n):
        orders.append(f"Q{i:05d},H500102001,XDEMO0001,91500000DEMO0003D3,100,0.1830,2020-09-15")
        deliveries.append(f"S{i:05d},Q{i:05d},100,2020-09-21,2020-09-22")
    return "\n".join(orders), "\n".join(deliveries)


def test_a_200_row_file_takes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    load_samples(through="products")
    orders, deliveries = _orders_and_deliveries(200)
    # Up to 15: on PostgreSQL a write that changes a tenth of a table is followed by ANALYZE (one query to know
    # the table's size, one to analyse it).
    with django_assert_max_num_queries(15):
        assert run_import("orders", _csv(orders)).created == 200
    with django_assert_max_num_queries(15):
        assert run_import("deliveries", _csv(deliveries)).created == 200
    changed = deliveries.replace("S00007,Q00007,100", "S00007,Q00007,90").replace(
        "S00009,Q00009,100", "S00009,Q00009,80"
    )
    with django_assert_max_num_queries(15):
        assert run_import("deliveries", _csv(changed)).updated == 2
