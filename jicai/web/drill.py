"""The bottom of the drill-down (region → institution → award → deliveries and invoices): one institution's
deliveries and invoices of one award, as `Table`s the page sorts and paginates. Pure functions over rows the view
has read through `visible_to`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jicai.web.company import PAYMENT_CSS
from jicai.web.dashboard import Table


def deliveries_table(deliveries) -> Table:
    """Deliveries (with their order and distributor selected), returns marked: they subtract from progress."""
    table = Table(
        "deliveries",
        [
            ("delivery_id", _("配送单号"), "text"),
            ("order_id", _("订单编号"), "text"),
            ("distributor", _("配送企业"), "text"),
            ("delivered_on", _("配送日期"), "date"),
            ("accepted_on", _("验收日期"), "date"),
            ("quantity", _("数量"), "int"),
        ],
    )
    for d in deliveries:
        table.rows.append(
            {
                "delivery_id": d.delivery_id,
                "order_id": d.order.order_id,
                "distributor": d.order.distributor.name,
                "delivered_on": d.delivered_on,
                "accepted_on": d.accepted_on,
                "quantity": d.quantity,
                "css": "severe" if d.quantity < 0 else "",
            }
        )
    return table


def invoices_table(invoices) -> Table:
    """Invoices (rows of `invoice_rows`) with their due date and payment status on the as-of day."""
    table = Table(
        "invoices",
        [
            ("invoice_no", _("发票号"), "text"),
            ("supplier_name", _("开票企业"), "text"),
            ("amount", _("金额（元）"), "money"),
            ("paid", _("已回款（元）"), "money"),
            ("accepted_on", _("最早验收日期"), "date"),
            ("confirmed_on", _("发票确认日期"), "date"),
            ("due_on", _("回款截止日"), "date"),
            ("late_amount", _("逾期金额（元）"), "money"),
            ("days_late", _("逾期天数"), "int"),
            ("status", _("状态"), "text"),
        ],
    )
    for inv in invoices:
        table.rows.append(
            {
                "invoice_no": inv.invoice_no,
                "supplier_name": inv.supplier_name,
                "amount": inv.amount,
                "paid": inv.payment.paid,
                "accepted_on": inv.accepted_on,
                "confirmed_on": inv.confirmed_on,
                "due_on": inv.due.due_on if inv.due else None,
                "late_amount": inv.payment.late_amount,
                "days_late": inv.payment.days_late,
                "status": inv.payment.status,
                "css": PAYMENT_CSS.get(inv.payment.status, ""),
            }
        )
    return table
