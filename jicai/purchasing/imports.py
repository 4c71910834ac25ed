"""Importers of what the provincial platform records: orders, deliveries, invoices and their lines, payments,
and the usage (使用量) institutions report (SPEC §8). Rows keep the platform's ids, so re-imports are idempotent.

Orders, deliveries and invoices are big tables (tens of millions of rows a year): the files that refer to them
look their ids up one chunk of rows at a time instead of loading the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jicai.catalog.models import Product
from jicai.core.imports import (
    Column,
    Importer,
    Row,
    choice,
    integer,
    lookup,
    money,
    parse_date,
    parse_month,
    text_of,
    unit_price,
)
from jicai.orgs.models import Company, Institution
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment, Usage

UNKNOWN_INSTITUTION = "未知的机构编码“{code}”"
UNKNOWN_PRODUCT = "未知的药品代码“{code}”"
UNKNOWN_COMPANY = "未知的企业编码“{code}”"
UNKNOWN_ORDER = "未知的订单编号“{code}”"
UNKNOWN_DELIVERY = "未知的配送单号“{code}”"
UNKNOWN_INVOICE = "未知的发票号“{code}”"
OTHER_INSTITUTION = "配送单属于另一家医疗机构，与发票的医疗机构不一致"


def _codes(rows: list[Row], column: str) -> set[str]:
    return {code for row in rows if (code := row.get(column)) is not None}


def _chunk_lookup(model, code_field: str, codes: set[str], *values: str) -> Mapping[str, Any]:
    """The rows of a big table that one chunk of the file refers to: one query."""
    return lookup(model.objects.filter(**{f"{code_field}__in": codes}), code_field, *values) if codes else {}


class OrderImporter(Importer):
    kind = "orders"
    model = Order
    columns = (
        Column("order_id", "订单编号", text_of(Order, "order_id")),
        Column("institution_code", "机构编码", text_of(Institution, "code")),
        Column("product_code", "药品代码", text_of(Product, "code")),
        Column("distributor_code", "配送企业编码", text_of(Company, "code")),
        Column("quantity", "数量", integer(minimum=1)),
        Column("unit_price", "单价", unit_price(minimum=0)),
        Column("ordered_on", "下单日期", parse_date),
    )
    key = ("order_id",)
    fields = ("institution", "product", "distributor", "quantity", "unit_price", "ordered_on")
    key_columns = ("order_id",)
    audit_columns = {"institution": "institution_code", "product": "product_code", "distributor": "distributor_code"}

    def prepare(self) -> None:
        self.institutions = lookup(Institution.objects, "code")
        self.products = lookup(Product.objects, "code")
        self.companies = lookup(Company.objects, "code")

    def convert(self, row: Row) -> tuple:
        return (
            row.get("order_id"),
            self.resolve(row, "institution_code", self.institutions, UNKNOWN_INSTITUTION),
            self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT),
            self.resolve(row, "distributor_code", self.companies, UNKNOWN_COMPANY),
            row.get("quantity"),
            row.get("unit_price"),
            row.get("ordered_on"),
        )


class DeliveryImporter(Importer):
    """Delivery lines; a return is a negative quantity. The order's institution and product are copied onto
    the row so that progress sums over one table."""

    kind = "deliveries"
    model = Delivery
    columns = (
        Column("delivery_id", "配送单号", text_of(Delivery, "delivery_id")),
        Column("order_id", "订单编号", text_of(Order, "order_id")),
        Column("quantity", "数量", integer(nonzero=True)),
        Column("delivered_on", "配送日期", parse_date),
        Column("accepted_on", "验收日期", parse_date, required=False),
    )
    key = ("delivery_id",)
    fields = ("order", "institution", "product", "quantity", "delivered_on", "accepted_on")
    key_columns = ("delivery_id",)
    audit_columns = {"order": "order_id", "institution": "institution_code", "product": "product_code"}
    optional_fields = {"accepted_on": "accepted_on"}

    def prefetch(self, rows: list[Row]) -> None:
        self.orders = _chunk_lookup(Order, "order_id", _codes(rows, "order_id"), "institution_id", "product_id")

    def convert(self, row: Row) -> tuple:
        order = self.resolve(row, "order_id", self.orders, UNKNOWN_ORDER) or (None, None, None)
        row.not_before("accepted_on", "delivered_on", "配送日期")
        return (
            row.get("delivery_id"),
            *order,
            row.get("quantity"),
            row.get("delivered_on"),
            row.get("accepted_on"),
        )


class InvoiceImporter(Importer):
    kind = "invoices"
    model = Invoice
    columns = (
        Column("invoice_no", "发票号", text_of(Invoice, "invoice_no")),
        Column("supplier_code", "开票企业编码", text_of(Company, "code")),
        Column("institution_code", "机构编码", text_of(Institution, "code")),
        Column("amount", "金额", money(positive=True)),
        Column("issued_on", "开票日期", parse_date),
        Column("confirmed_on", "发票确认日期", parse_date, required=False),
    )
    key = ("invoice_no",)
    fields = ("supplier", "institution", "amount", "issued_on", "confirmed_on")
    key_columns = ("invoice_no",)
    audit_columns = {"supplier": "supplier_code", "institution": "institution_code"}
    optional_fields = {"confirmed_on": "confirmed_on"}

    def prepare(self) -> None:
        self.institutions = lookup(Institution.objects, "code")
        self.companies = lookup(Company.objects, "code")

    def convert(self, row: Row) -> tuple:
        row.not_before("confirmed_on", "issued_on", "开票日期")
        return (
            row.get("invoice_no"),
            self.resolve(row, "supplier_code", self.companies, UNKNOWN_COMPANY),
            self.resolve(row, "institution_code", self.institutions, UNKNOWN_INSTITUTION),
            row.get("amount"),
            row.get("issued_on"),
            row.get("confirmed_on"),
        )


class InvoiceLineImporter(Importer):
    """Lines that tie an invoice's amount to deliveries; a delivery of another institution is refused."""

    kind = "invoice_lines"
    model = InvoiceLine
    columns = (
        Column("invoice_no", "发票号", text_of(Invoice, "invoice_no")),
        Column("delivery_id", "配送单号", text_of(Delivery, "delivery_id")),
        Column("amount", "金额", money(nonzero=True)),
    )
    key = ("invoice", "delivery")
    fields = ("amount",)
    key_columns = ("invoice_no", "delivery_id")

    def prefetch(self, rows: list[Row]) -> None:
        self.invoices = _chunk_lookup(Invoice, "invoice_no", _codes(rows, "invoice_no"), "institution_id")
        self.deliveries = _chunk_lookup(Delivery, "delivery_id", _codes(rows, "delivery_id"), "institution_id")

    def convert(self, row: Row) -> tuple:
        invoice = self.resolve(row, "invoice_no", self.invoices, UNKNOWN_INVOICE)
        delivery = self.resolve(row, "delivery_id", self.deliveries, UNKNOWN_DELIVERY)
        if invoice and delivery and invoice[1] != delivery[1]:
            row.error("delivery_id", OTHER_INSTITUTION)
        return (invoice and invoice[0], delivery and delivery[0], row.get("amount"))


class PaymentImporter(Importer):
    kind = "payments"
    model = Payment
    columns = (
        Column("payment_id", "回款编号", text_of(Payment, "payment_id")),
        Column("invoice_no", "发票号", text_of(Invoice, "invoice_no")),
        Column("amount", "金额", money(positive=True)),
        Column("paid_on", "回款日期", parse_date),
        Column("payer", "付款方", choice(Payment.Payer), required=False, default=Payment.Payer.INSTITUTION),
    )
    key = ("payment_id",)
    fields = ("invoice", "amount", "paid_on", "payer")
    key_columns = ("payment_id",)
    audit_columns = {"invoice": "invoice_no"}
    optional_fields = {"payer": "payer"}

    def prefetch(self, rows: list[Row]) -> None:
        self.invoices = _chunk_lookup(Invoice, "invoice_no", _codes(rows, "invoice_no"))

    def convert(self, row: Row) -> tuple:
        return (
            row.get("payment_id"),
            self.resolve(row, "invoice_no", self.invoices, UNKNOWN_INVOICE),
            row.get("amount"),
            row.get("paid_on"),
            row.get("payer"),
        )


class UsageImporter(Importer):
    kind = "usage"
    model = Usage
    columns = (
        Column("institution_code", "机构编码", text_of(Institution, "code")),
        Column("product_code", "药品代码", text_of(Product, "code")),
        Column("month", "月份", parse_month),
        Column("quantity", "使用量", integer(minimum=0)),
    )
    key = ("institution", "product", "month")
    fields = ("quantity",)
    key_columns = ("institution_code", "product_code", "month")

    def prepare(self) -> None:
        self.institutions = lookup(Institution.objects, "code")
        self.products = lookup(Product.objects, "code")

    def convert(self, row: Row) -> tuple:
        return (
            self.resolve(row, "institution_code", self.institutions, UNKNOWN_INSTITUTION),
            self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT),
            row.get("month"),
            row.get("quantity"),
        )
