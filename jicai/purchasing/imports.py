"""Importers of what the provincial platform records: orders, deliveries, invoices and their lines, payments,
and the usage (使用量) institutions report (SPEC §8). Rows keep the platform's ids, so re-imports are idempotent.

Orders, deliveries and invoices are big tables (tens of millions of rows a year): the files that refer to them
look their ids up one chunk of rows at a time instead of loading the whole table.

An institution's clerk imports its own records only (`jicai.core.import_rights`): its institution column must
be its own code, the orders, deliveries and invoices a row names are looked up among what the user may see, and a
platform id already used by another institution is a row error, never an overwrite. An administrator's import
(and the CLI's) writes for every institution, as the provincial platform's files do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jicai.catalog.models import Product
from jicai.core.import_rights import institution_scope
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
from jicai.purchasing import due, paid_off
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment, Usage

UNKNOWN_INSTITUTION = "未知的机构编码“{code}”"
UNKNOWN_PRODUCT = "未知的药品代码“{code}”"
UNKNOWN_COMPANY = "未知的企业编码“{code}”"
UNKNOWN_ORDER = "未知的订单编号“{code}”"
UNKNOWN_DELIVERY = "未知的配送单号“{code}”"
UNKNOWN_INVOICE = "未知的发票号“{code}”"
OTHER_INSTITUTION = "配送单属于另一家医疗机构，与发票的医疗机构不一致"
NOT_OWN_INSTITUTION = "只能导入本机构（{own}）的数据，此处为“{code}”"
TAKEN = "{what}“{code}”已被其他机构使用，不能导入或修改"


def _codes(rows: list[Row], column: str) -> set[str]:
    return {code for row in rows if (code := row.get(column)) is not None}


def _chunk_lookup(queryset, code_field: str, codes: set[str], *values: str) -> Mapping[str, Any]:
    """The rows of a big table that one chunk of the file refers to: one query."""
    return lookup(queryset.filter(**{f"{code_field}__in_list": codes}), code_field, *values) if codes else {}


class ScopedImporter(Importer):
    """An importer of records that belong to one institution. `own` is the importing user's institution, or None
    for an unscoped import; every helper below does what it did before scoping when `own` is None."""

    def __init__(self, *, user=None):
        super().__init__(user=user)
        self.own = institution_scope(self.user)

    def visible(self, model):
        """The rows of `model` the importing user may refer to."""
        return model.objects.all() if self.own is None else model.objects.visible_to(self.user)

    def institution_codes(self) -> Mapping[str, Any]:
        return lookup(Institution.objects, "code") if self.own is None else {self.own.code: self.own.pk}

    def institution(self, row: Row, column: str = "institution_code") -> int | None:
        """The row's institution id; for a scoped import only the user's own code is accepted."""
        if self.own is not None and row.get(column) not in (None, self.own.code):
            row.error(column, NOT_OWN_INSTITUTION.format(own=self.own.code, code=row.get(column)))
            return None
        return self.resolve(row, column, self.institutions, UNKNOWN_INSTITUTION)

    def taken_by_others(self, rows: list[Row], column: str, model, key_field: str, institution: str) -> set[str]:
        """The keys of this chunk that rows of other institutions already hold (one query; none unscoped)."""
        codes = _codes(rows, column)
        if self.own is None or not codes:
            return set()
        others = model.objects.filter(**{f"{key_field}__in_list": codes}).exclude(**{institution: self.own.pk})
        return set(others.order_by().values_list(key_field, flat=True))

    def not_taken(self, row: Row, column: str, taken: set[str], what: str) -> None:
        if row.get(column) in taken:
            row.error(column, TAKEN.format(what=what, code=row.get(column)))


class OrderImporter(ScopedImporter):
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
        self.institutions = self.institution_codes()
        self.products = lookup(Product.objects, "code")
        self.companies = lookup(Company.objects, "code")

    def prefetch(self, rows: list[Row]) -> None:
        self.taken = self.taken_by_others(rows, "order_id", Order, "order_id", "institution")

    def convert(self, row: Row) -> tuple:
        self.not_taken(row, "order_id", self.taken, "订单编号")
        return (
            row.get("order_id"),
            self.institution(row),
            self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT),
            self.resolve(row, "distributor_code", self.companies, UNKNOWN_COMPANY),
            row.get("quantity"),
            row.get("unit_price"),
            row.get("ordered_on"),
        )


class DeliveryImporter(ScopedImporter):
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
        orders = self.visible(Order)
        self.orders = _chunk_lookup(orders, "order_id", _codes(rows, "order_id"), "institution_id", "product_id")
        self.taken = self.taken_by_others(rows, "delivery_id", Delivery, "delivery_id", "institution")

    def convert(self, row: Row) -> tuple:
        self.not_taken(row, "delivery_id", self.taken, "配送单号")
        order = self.resolve(row, "order_id", self.orders, UNKNOWN_ORDER) or (None, None, None)
        row.not_before("accepted_on", "delivered_on", "配送日期")
        return (
            row.get("delivery_id"),
            *order,
            row.get("quantity"),
            row.get("delivered_on"),
            row.get("accepted_on"),
        )


class InvoiceImporter(ScopedImporter):
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
        self.institutions = self.institution_codes()
        self.companies = lookup(Company.objects, "code")

    def prefetch(self, rows: list[Row]) -> None:
        self.taken = self.taken_by_others(rows, "invoice_no", Invoice, "invoice_no", "institution")

    def convert(self, row: Row) -> tuple:
        self.not_taken(row, "invoice_no", self.taken, "发票号")
        row.not_before("confirmed_on", "issued_on", "开票日期")
        return (
            row.get("invoice_no"),
            self.resolve(row, "supplier_code", self.companies, UNKNOWN_COMPANY),
            self.institution(row),
            row.get("amount"),
            row.get("issued_on"),
            row.get("confirmed_on"),
        )


class InvoiceLineImporter(ScopedImporter):
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
        invoices, deliveries = self.visible(Invoice), self.visible(Delivery)
        self.invoices = _chunk_lookup(invoices, "invoice_no", _codes(rows, "invoice_no"), "institution_id")
        # Any invoice the file names may gain an earlier acceptance: marked chunk by chunk (a province's file names
        # millions; holding their ids to the end took a gigabyte) inside the import's transaction, so a rejected or
        # checked-only file marks nothing. jicai.purchasing.due recomputes them once the file is written.
        due.mark_ids([pk for pk, _ in self.invoices.values()])
        self.deliveries = _chunk_lookup(deliveries, "delivery_id", _codes(rows, "delivery_id"), "institution_id")

    def convert(self, row: Row) -> tuple:
        invoice = self.resolve(row, "invoice_no", self.invoices, UNKNOWN_INVOICE)
        delivery = self.resolve(row, "delivery_id", self.deliveries, UNKNOWN_DELIVERY)
        if invoice and delivery and invoice[1] != delivery[1]:
            row.error("delivery_id", OTHER_INSTITUTION)
        return (invoice and invoice[0], delivery and delivery[0], row.get("amount"))


class PaymentImporter(ScopedImporter):
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
        self.invoices = _chunk_lookup(self.visible(Invoice), "invoice_no", _codes(rows, "invoice_no"))
        paid_off.touch(self.invoices.values())  # settled once the file is written (jicai.purchasing.paid_off)
        self.taken = self.taken_by_others(rows, "payment_id", Payment, "payment_id", "invoice__institution")

    def convert(self, row: Row) -> tuple:
        self.not_taken(row, "payment_id", self.taken, "回款编号")
        return (
            row.get("payment_id"),
            self.resolve(row, "invoice_no", self.invoices, UNKNOWN_INVOICE),
            row.get("amount"),
            row.get("paid_on"),
            row.get("payer"),
        )


class UsageImporter(ScopedImporter):
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
        self.institutions = self.institution_codes()
        self.products = lookup(Product.objects, "code")

    def convert(self, row: Row) -> tuple:
        return (
            self.institution(row),
            self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT),
            row.get("month"),
            row.get("quantity"),
        )
