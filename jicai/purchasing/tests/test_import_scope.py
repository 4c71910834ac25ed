"""An institution imports its own purchasing records only (jicai.core.import_rights, the scoped importers).

The world is the web tests' (jicai/web/tests/conftest.py): institution A (H-WH-A, clerk a_clerk) and B (H-JN-B)
in 山东, C (H-FL-C) in 重庆, each with ORD-x, DLV-x, INV-x, PAY-x.
"""

import io

import pytest
from django.core.exceptions import PermissionDenied

from jicai.core.import_rights import ADMIN, INSTITUTION, importer_kind, kinds_for
from jicai.core.imports import run_import
from jicai.purchasing.models import Delivery, Invoice, Order, Payment, Usage
from jicai.web.tests.conftest import build_world

P1, M1 = "XP-P1", "91370000000000001M"


@pytest.fixture
def world(db):
    return build_world()


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def _orders(*rows: str) -> io.BytesIO:
    return _csv("订单编号,机构编码,药品代码,配送企业编码,数量,单价,下单日期\n" + "".join(r + "\n" for r in rows))


def _errors(result) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in result.errors]


def test_the_table_of_who_imports_what(world):
    u = world.users
    assert importer_kind(u["admin"]) == ADMIN and importer_kind(u["a_clerk"]) == INSTITUTION
    assert kinds_for(u["a_clerk"]) == ["orders", "deliveries", "invoices", "invoice_lines", "payments", "usage"]
    assert "regions" in kinds_for(u["admin"])
    for name in ("a_viewer", "sd_bureau", "wh_bureau", "wh_health", "m1", "dist", "no_membership"):
        assert kinds_for(u[name]) == [], name


def test_an_institution_imports_its_own_orders_and_deliveries(world):
    clerk = world.users["a_clerk"]
    result = run_import("orders", _orders(f"ORD-A2,H-WH-A,{P1},{M1},500,0.1830,2020-10-01"), user=clerk)
    assert result.landed and result.created == 1, result.errors
    deliveries = "配送单号,订单编号,数量,配送日期,验收日期\nDLV-A2,ORD-A2,500,2020-10-05,2020-10-06\n"
    result = run_import("deliveries", _csv(deliveries), user=clerk)
    assert result.landed and result.created == 1, result.errors
    delivery = Delivery.objects.get(delivery_id="DLV-A2")
    assert (delivery.institution.code, delivery.order.order_id) == ("H-WH-A", "ORD-A2")
    # Its own existing order may be corrected.
    result = run_import("orders", _orders(f"ORD-A,H-WH-A,{P1},{M1},1200,0.1830,2020-09-01"), user=clerk)
    assert result.updated == 1 and Order.objects.get(order_id="ORD-A").quantity == 1200


def test_a_row_naming_another_institution_is_refused_with_line_and_column(world):
    result = run_import(
        "orders",
        _orders(f"ORD-A3,H-WH-A,{P1},{M1},10,0.1830,2020-10-01", f"ORD-X,H-JN-B,{P1},{M1},10,0.1830,2020-10-01"),
        user=world.users["a_clerk"],
    )
    assert _errors(result) == [(3, "机构编码", "只能导入本机构（H-WH-A）的数据，此处为“H-JN-B”")]
    assert not Order.objects.filter(order_id__in=("ORD-A3", "ORD-X")).exists()  # all or nothing


def test_an_order_id_of_another_institution_is_refused_and_left_as_it_was(world):
    before = Order.objects.values().get(order_id="ORD-B")
    result = run_import("orders", _orders(f"ORD-B,H-WH-A,{P1},{M1},1,0.1830,2020-10-01"), user=world.users["a_clerk"])
    assert _errors(result) == [(2, "订单编号", "订单编号“ORD-B”已被其他机构使用，不能导入或修改")]
    assert Order.objects.values().get(order_id="ORD-B") == before
    assert "H-JN-B" not in result.errors[0].message and world.objects["b"].name not in result.errors[0].message


def test_deliveries_are_scoped_by_key_and_by_order(world):
    before = Delivery.objects.values().get(delivery_id="DLV-B")
    result = run_import(
        "deliveries",
        _csv("delivery_id,order_id,quantity,delivered_on\nDLV-B,ORD-A,5,2020-10-01\nDLV-A9,ORD-C,5,2020-10-01\n"),
        user=world.users["a_clerk"],
    )
    assert _errors(result) == [
        (2, "delivery_id", "配送单号“DLV-B”已被其他机构使用，不能导入或修改"),
        (3, "order_id", "未知的订单编号“ORD-C”"),  # another institution's order is as unknown as a missing one
    ]
    assert Delivery.objects.values().get(delivery_id="DLV-B") == before


def test_invoices_lines_payments_and_usage_are_scoped(world):
    clerk = world.users["a_clerk"]
    invoices = "invoice_no,supplier_code,institution_code,amount,issued_on\n"
    result = run_import("invoices", _csv(invoices + f"INV-B,{M1},H-WH-A,10.00,2020-10-01\n"), user=clerk)
    assert _errors(result) == [(2, "invoice_no", "发票号“INV-B”已被其他机构使用，不能导入或修改")]
    result = run_import("invoice_lines", _csv("invoice_no,delivery_id,amount\nINV-A,DLV-B,1.00\n"), user=clerk)
    assert _errors(result) == [(2, "delivery_id", "未知的配送单号“DLV-B”")]
    payments = "payment_id,invoice_no,amount,paid_on\nPAY-B,INV-A,1.00,2020-10-01\nPAY-A2,INV-C,1.00,2020-10-01\n"
    result = run_import("payments", _csv(payments), user=clerk)
    assert _errors(result) == [
        (2, "payment_id", "回款编号“PAY-B”已被其他机构使用，不能导入或修改"),
        (3, "invoice_no", "未知的发票号“INV-C”"),
    ]
    usage = f"institution_code,product_code,month,quantity\nH-FL-C,{P1},2020-09,5\nH-WH-A,{P1},2020-09,5\n"
    result = run_import("usage", _csv(usage), user=clerk)
    assert _errors(result) == [(2, "institution_code", "只能导入本机构（H-WH-A）的数据，此处为“H-FL-C”")]
    assert not Usage.objects.exists()
    assert Invoice.objects.get(invoice_no="INV-B").institution.code == "H-JN-B"
    assert Payment.objects.get(payment_id="PAY-B").invoice.invoice_no == "INV-B"
    # The institution's own payment and usage land.
    ok = run_import(
        "payments", _csv("payment_id,invoice_no,amount,paid_on\nPAY-A2,INV-A,83.00,2020-10-20\n"), user=clerk
    )
    assert ok.landed, ok.errors
    own_usage = f"institution_code,product_code,month,quantity\nH-WH-A,{P1},2020-09,5\n"
    assert run_import("usage", _csv(own_usage), user=clerk).landed


def test_an_administrator_still_writes_for_every_institution(world):
    result = run_import("orders", _orders(f"ORD-B,H-JN-B,{P1},{M1},7,0.1830,2020-10-01"), user=world.users["admin"])
    assert result.updated == 1 and Order.objects.get(order_id="ORD-B").quantity == 7
    assert run_import("orders", _orders(f"ORD-N,H-FL-C,{P1},{M1},7,0.1830,2020-10-01")).landed  # the CLI: no user


@pytest.mark.parametrize("name", ["sd_bureau", "m1"])
def test_bureaus_and_companies_cannot_run_a_purchasing_import(world, name):
    with pytest.raises(PermissionDenied):
        run_import("orders", _orders(f"ORD-Z,H-WH-A,{P1},{M1},7,0.1830,2020-10-01"), user=world.users[name])
    assert not Order.objects.filter(order_id="ORD-Z").exists()
