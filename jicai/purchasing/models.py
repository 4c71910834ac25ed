"""What institutions buy, receive, are billed, pay and dispense. Rows from the provincial platform keep its ids."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


class OrderQuerySet(ScopedQuerySet):
    scope = Scope(
        region="institution__region",
        institution="institution",
        company=("product__manufacturer", "distributor"),
    )


class Order(models.Model):
    order_id = models.CharField(_("订单编号"), max_length=40)
    institution = models.ForeignKey(
        "orgs.Institution", models.PROTECT, related_name="orders", verbose_name=_("医疗机构")
    )
    product = models.ForeignKey("catalog.Product", models.PROTECT, verbose_name=_("药品"))
    distributor = models.ForeignKey(
        "orgs.Company", models.PROTECT, related_name="distributed_orders", verbose_name=_("配送企业")
    )
    quantity = models.BigIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=4)
    ordered_on = models.DateField(_("下单日期"))

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        constraints = [
            models.UniqueConstraint(fields=["order_id"], name="order_id_unique"),
            models.CheckConstraint(name="order_quantity_positive", condition=models.Q(quantity__gt=0)),
            models.CheckConstraint(name="order_price_not_negative", condition=models.Q(unit_price__gte=0)),
        ]

    def __str__(self):
        return self.order_id


class DeliveryQuerySet(ScopedQuerySet):
    scope = Scope(
        region="institution__region",
        institution="institution",
        company=("product__manufacturer", "order__distributor"),
    )


class Delivery(models.Model):
    """A delivery line; a return is a negative quantity. Institution and product are copied from the order
    so that progress sums over one table (tens of millions of rows a year).

    Being the order's, they need no foreign key constraint of their own in the database: the order's hold them,
    and checking two more keys per row took a quarter of a delivery import on PostgreSQL. For the same reason the
    table has no index on the institution alone (`delivery_progress` begins with it) and its id is unique through
    a constraint, which spares PostgreSQL the extra `LIKE` index that `unique=True` adds to a text column."""

    delivery_id = models.CharField(_("配送单号"), max_length=40)
    order = models.ForeignKey(Order, models.PROTECT, related_name="deliveries", verbose_name=_("订单"))
    institution = models.ForeignKey(
        "orgs.Institution", models.PROTECT, db_index=False, db_constraint=False, verbose_name=_("医疗机构")
    )
    product = models.ForeignKey("catalog.Product", models.PROTECT, db_constraint=False, verbose_name=_("药品"))
    quantity = models.BigIntegerField(_("数量"), help_text=_("退货为负数"))
    delivered_on = models.DateField(_("配送日期"))
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("配送")
        verbose_name_plural = _("配送")
        # Quantity is in the index so that progress sums it from the index alone, without reading each row.
        indexes = [models.Index(fields=["institution", "product", "accepted_on", "quantity"], name="delivery_progress")]
        constraints = [
            models.UniqueConstraint(fields=["delivery_id"], name="delivery_id_unique"),
            models.CheckConstraint(name="delivery_quantity_nonzero", condition=~models.Q(quantity=0)),
        ]

    def __str__(self):
        return self.delivery_id


class DeliveryMonth(models.Model):
    """Accepted quantity per institution, product and calendar month, in all and day by day (`day1` … `day31`):
    progress reads a province's window from here, whole months from `quantity` and the days at a window's edges
    from their own columns of the same row, instead of summing ten million delivery lines.

    Kept by database triggers on the delivery table (migration `purchasing.0006_delivery_month`), so that no write
    path (import, ORM, bulk update, raw SQL) can leave it behind; nothing else writes it. On SQLite the table is
    stored in key order (WITHOUT ROWID), so that the months of one institution and product lie together."""

    pk = models.CompositePrimaryKey("institution", "product", "month")
    institution = models.ForeignKey(
        "orgs.Institution", models.DO_NOTHING, db_index=False, db_constraint=False, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", models.DO_NOTHING, db_index=False, db_constraint=False, related_name="+"
    )
    month = models.DateField(_("月份"))  # its first day
    quantity = models.BigIntegerField(_("数量"))

    class Meta:
        verbose_name = _("每月验收量")
        verbose_name_plural = _("每月验收量")

    def __str__(self):
        return f"{self.institution_id}/{self.product_id}/{self.month:%Y-%m}"


for _day in range(1, 32):
    DeliveryMonth.add_to_class(f"day{_day}", models.BigIntegerField(default=0))
del _day
Delivery.triggers_write = (DeliveryMonth,)  # jicai.core.bulk analyses it after a bulk write of deliveries


class InvoiceQuerySet(ScopedQuerySet):
    # Under 两票制 the distributor bills the hospital; the manufacturer still sees what is owed for its products.
    scope = Scope(
        region="institution__region",
        institution="institution",
        company=("supplier", "lines__delivery__product__manufacturer"),
    )


class Invoice(models.Model):
    invoice_no = models.CharField(_("发票号"), max_length=40)
    supplier = models.ForeignKey("orgs.Company", models.PROTECT, related_name="invoices", verbose_name=_("开票企业"))
    # invoice_unpaid begins with the institution: no index of its own.
    institution = models.ForeignKey(
        "orgs.Institution", models.PROTECT, related_name="invoices", db_index=False, verbose_name=_("医疗机构")
    )
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    issued_on = models.DateField(_("开票日期"))
    confirmed_on = models.DateField(_("发票确认日期"), null=True, blank=True)
    # A cache of its payment deadline, kept by jicai.purchasing.due so that aging is a SQL aggregate: the earliest
    # acceptance of its deliveries and the due date under its region's rule (null while none is accepted). A new
    # row starts stale, and anything that could move the deadline marks it stale again; readers refresh first.
    earliest_accepted_on = models.DateField(_("最早验收日期"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("回款截止日"), null=True, blank=True, editable=False)
    due_stale = models.BooleanField(_("回款截止日待重算"), default=True, editable=False)
    # The first day its payments add up to its amount (null while they do not), kept by jicai.purchasing.paid_off
    # so that the unpaid invoices of a day are found without reading every payment.
    paid_off_on = models.DateField(_("全额回款日"), null=True, blank=True, editable=False)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        constraints = [
            models.UniqueConstraint(fields=["invoice_no"], name="invoice_no_unique"),
            models.CheckConstraint(name="invoice_amount_positive", condition=models.Q(amount__gt=0)),
        ]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(due_stale=True), name="invoice_due_stale"),
            # An institution's invoices not paid off by a day: one index range each (the monthly report).
            models.Index(fields=["institution", "paid_off_on"], name="invoice_unpaid"),
        ]

    def __str__(self):
        return self.invoice_no


class InvoiceLineQuerySet(ScopedQuerySet):
    scope = Scope(
        region="invoice__institution__region",
        institution="invoice__institution",
        company=("invoice__supplier", "delivery__product__manufacturer"),
    )


class InvoiceLine(models.Model):
    # invoice_line_unique begins with the invoice: no index of its own.
    invoice = models.ForeignKey(Invoice, models.CASCADE, related_name="lines", db_index=False, verbose_name=_("发票"))
    delivery = models.ForeignKey(Delivery, models.PROTECT, related_name="invoice_lines", verbose_name=_("配送"))
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("发票明细")
        verbose_name_plural = _("发票明细")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "delivery"], name="invoice_line_unique"),
        ]

    def __str__(self):
        return f"{self.invoice} / {self.delivery}"


class PaymentQuerySet(ScopedQuerySet):
    scope = Scope(
        region="invoice__institution__region",
        institution="invoice__institution",
        company=("invoice__supplier", "invoice__lines__delivery__product__manufacturer"),
    )


class Payment(models.Model):
    class Payer(models.TextChoices):
        INSTITUTION = "institution", _("医疗机构")
        FUND = "fund", _("医保基金")

    payment_id = models.CharField(_("回款编号"), max_length=40)
    invoice = models.ForeignKey(Invoice, models.PROTECT, related_name="payments", verbose_name=_("发票"))
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("回款日期"))
    payer = models.CharField(_("付款方"), max_length=12, choices=Payer.choices, default=Payer.INSTITUTION)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("回款")
        verbose_name_plural = _("回款")
        constraints = [
            models.UniqueConstraint(fields=["payment_id"], name="payment_id_unique"),
            models.CheckConstraint(name="payment_amount_positive", condition=models.Q(amount__gt=0)),
        ]

    def __str__(self):
        return self.payment_id


class UsageQuerySet(ScopedQuerySet):
    scope = Scope(region="institution__region", institution="institution", company=("product__manufacturer",))


class Usage(models.Model):
    """Quantity dispensed in a month (使用量); `month` is the month's first day."""

    # usage_unique begins with the institution: no index of its own.
    institution = models.ForeignKey("orgs.Institution", models.CASCADE, db_index=False, verbose_name=_("医疗机构"))
    product = models.ForeignKey("catalog.Product", models.PROTECT, verbose_name=_("药品"))
    month = models.DateField(_("月份"))
    quantity = models.BigIntegerField(_("使用量"))

    objects = UsageQuerySet.as_manager()

    class Meta:
        verbose_name = _("使用量")
        verbose_name_plural = _("使用量")
        constraints = [
            models.UniqueConstraint(fields=["institution", "product", "month"], name="usage_unique"),
            models.CheckConstraint(name="usage_not_negative", condition=models.Q(quantity__gte=0)),
        ]

    def __str__(self):
        return f"{self.institution} {self.product.generic_name} {self.month:%Y-%m}: {self.quantity}"
