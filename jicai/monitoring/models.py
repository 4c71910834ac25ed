from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


class WarningQuerySet(ScopedQuerySet):
    scope = Scope(
        region="institution__region",
        institution="institution",
        company=("award__product__manufacturer", "product__manufacturer"),
    )

    def open(self):
        return self.filter(closed_on__isnull=True)


class Warning(models.Model):
    """A finding of a check (SPEC §4), stored once: a later run updates it while it holds and closes it after."""

    class Kind(models.TextChoices):
        LAGGING = "lagging", _("采购进度滞后")
        SEVERELY_LAGGING = "severely_lagging", _("采购进度严重滞后")
        OVERDUE = "overdue", _("逾期未回款")
        RUSH_BUYING = "rush_buying", _("突击采购")
        BUYING_WITHOUT_USING = "buying_without_using", _("只采不用")
        RATIO_RULE = "ratio_rule", _("中选药品使用量低于非中选药品采购量")
        DELISTED = "delisted", _("采购已取消挂网的药品")
        UNNAMED_DISTRIBUTOR = "unnamed_distributor", _("非指定配送企业配送")

    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    institution = models.ForeignKey("orgs.Institution", models.CASCADE, verbose_name=_("医疗机构"))
    award = models.ForeignKey("catalog.Award", models.CASCADE, null=True, blank=True, verbose_name=_("中选药品"))
    product = models.ForeignKey("catalog.Product", models.CASCADE, null=True, blank=True, verbose_name=_("药品"))
    subject = models.CharField(_("对象"), max_length=80, help_text=_("发票号、订单编号或品种"))
    message = models.TextField(_("说明"))
    figures = models.JSONField(_("数据"), default=dict)
    first_seen = models.DateField(_("首次发现"))
    last_seen = models.DateField(_("最近确认"))
    closed_on = models.DateField(_("解除日期"), null=True, blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-last_seen", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "institution", "subject"],
                condition=models.Q(closed_on__isnull=True),
                name="warning_open_once",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.institution} {self.subject}"


class PrepaymentQuerySet(ScopedQuerySet):
    # The fund's advance belongs to the institution; companies see none.
    scope = Scope(region="institution__region", institution="institution")


class Prepayment(models.Model):
    """One entry of the prepayment ledger (SPEC §4.11): the fund's advance to an institution for an award's
    agreement year, or an offset of it by the institution's own payment of that year's invoices."""

    class Kind(models.TextChoices):
        PREPAID = "prepaid", _("预付")
        OFFSET = "offset", _("冲抵")

    institution = models.ForeignKey("orgs.Institution", models.CASCADE, verbose_name=_("医疗机构"))
    award = models.ForeignKey("catalog.Award", models.CASCADE, verbose_name=_("中选药品"))
    year_no = models.PositiveSmallIntegerField(_("协议年度"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    on = models.DateField(_("日期"))
    payment = models.ForeignKey(
        "purchasing.Payment", models.PROTECT, null=True, blank=True, verbose_name=_("回款"), help_text=_("冲抵时")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    objects = PrepaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("医保基金预付")
        verbose_name_plural = _("医保基金预付")
        ordering = ["institution", "award", "year_no", "on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "award", "year_no"],
                condition=models.Q(kind="prepaid"),
                name="prepayment_prepaid_once",
            ),
            models.UniqueConstraint(
                fields=["payment", "award"], condition=models.Q(kind="offset"), name="prepayment_offset_once"
            ),
            models.CheckConstraint(name="prepayment_amount_positive", condition=models.Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.institution} {self.get_kind_display()} {self.amount}"


class BudgetDeductionQuerySet(ScopedQuerySet):
    scope = Scope(region="institution__region", institution="institution")


class BudgetDeduction(models.Model):
    """A deduction from an institution's next-year 医保总额 (SPEC §4.10): proposed from the records, confirmed by a
    bureau; once confirmed it never changes. `evidence` holds the rows that make up the amount."""

    class Kind(models.TextChoices):
        SHORTFALL = "shortfall", _("未完成约定采购量")
        LATE = "late", _("未按时回款")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    institution = models.ForeignKey("orgs.Institution", models.CASCADE, verbose_name=_("医疗机构"))
    year_no = models.PositiveSmallIntegerField(_("协议年度"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("扣减金额"), max_digits=16, decimal_places=2)
    evidence = models.JSONField(_("依据"), default=list)
    as_of = models.DateField(_("计算日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField(_("提出时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.TextField(_("确认意见"), blank=True)

    objects = BudgetDeductionQuerySet.as_manager()

    class Meta:
        verbose_name = _("医保总额扣减")
        verbose_name_plural = _("医保总额扣减")
        ordering = ["year_no", "institution__code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year_no", "kind"], name="budget_deduction_once"),
            models.CheckConstraint(name="budget_deduction_amount_positive", condition=models.Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.institution} 第{self.year_no}年 {self.get_kind_display()} {self.amount}"


class JobRun(models.Model):
    """One scheduled job done for one day (`jicai tick`): a second tick for the same day skips it."""

    job = models.CharField(_("任务"), max_length=40)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("运行时间"), auto_now_add=True)
    result = models.JSONField(_("结果"), default=dict)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")
        ordering = ["-on", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "on"], name="job_run_once")]

    def __str__(self):
        return f"{self.on} {self.job}"
