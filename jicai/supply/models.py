"""Supply monitoring (SPEC §4.13): the weekly check of every award by every institution, shortage cases with
the company's answer and the bureau's decision, substitute purchases and their extra cost, and reminders for
missing checks."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet
from jicai.policy.rules import supply as rules


class SupplyCheckQuerySet(ScopedQuerySet):
    # Companies see the checks of their own awards: how their product is supplied, hospital by hospital.
    scope = Scope(region="institution__region", institution="institution", company=("award__product__manufacturer",))


class SupplyCheck(models.Model):
    """One institution's answer for one award in one ISO week (stored as its Monday)."""

    class Status(models.TextChoices):
        NORMAL = rules.NORMAL, _("正常")
        TIGHT = rules.TIGHT, _("紧张")
        OUT = rules.OUT, _("断供")

    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, related_name="supply_checks", verbose_name=_("医疗机构")
    )
    award = models.ForeignKey("catalog.Award", models.CASCADE, related_name="supply_checks", verbose_name=_("中选药品"))
    week = models.DateField(_("周（周一）"))
    status = models.CharField(_("供应情况"), max_length=10, choices=Status.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("填报人")
    )
    checked_at = models.DateTimeField(_("填报时间"))

    objects = SupplyCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("供应情况周报")
        verbose_name_plural = _("供应情况周报")
        ordering = ["-week", "institution", "award"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "award", "week"], name="supply_check_once_a_week"),
        ]
        indexes = [models.Index(fields=["week", "status"])]

    def __str__(self):
        return f"{self.institution} {self.week:%Y-%m-%d} {self.award_id}: {self.get_status_display()}"

    @property
    def late(self) -> bool:
        return rules.filled_late(self.week, timezone.localdate(self.checked_at))


class SupplyReminderQuerySet(ScopedQuerySet):
    scope = Scope(region="institution__region", institution="institution")


class SupplyReminder(models.Model):
    """A reminder to an institution that has not checked all its awards in a week: at most one per week."""

    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, related_name="supply_reminders", verbose_name=_("医疗机构")
    )
    week = models.DateField(_("周（周一）"))
    missing = models.PositiveIntegerField(_("未填报品种数"))
    at = models.DateTimeField(_("时间"))
    emailed_to = models.CharField(_("邮件发送至"), max_length=500, blank=True)

    objects = SupplyReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("供应周报催报")
        verbose_name_plural = _("供应周报催报")
        ordering = ["-week", "institution"]
        constraints = [models.UniqueConstraint(fields=["institution", "week"], name="supply_reminder_once_a_week")]

    def __str__(self):
        return f"{self.institution} {self.week:%Y-%m-%d}"


class ShortageCaseQuerySet(ScopedQuerySet):
    scope = Scope(region="region", institution="institution", company=("company",))


class ShortageCase(models.Model):
    """断供 / 供应紧张 of an award: opened by an institution or a bureau, answered by the awarded manufacturer,
    closed by the bureau, which decides whether the cause was force majeure."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("待企业答复")
        ANSWERED = "answered", _("企业已答复")
        CLOSED = "closed", _("已关闭")

    class Kind(models.TextChoices):
        TIGHT = rules.TIGHT, _("紧张")
        OUT = rules.OUT, _("断供")

    award = models.ForeignKey(
        "catalog.Award", models.PROTECT, related_name="shortage_cases", verbose_name=_("中选药品")
    )
    company = models.ForeignKey(
        "orgs.Company", models.PROTECT, related_name="shortage_cases", verbose_name=_("中选企业")
    )
    region = models.ForeignKey("orgs.Region", models.PROTECT, verbose_name=_("所在区划"))
    institution = models.ForeignKey(
        "orgs.Institution",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="shortage_cases",
        verbose_name=_("报告机构"),
        help_text=_("医保局立案时可为空：涉及整个区划"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.OUT)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    opened_on = models.DateField(_("报告日期"))
    description = models.TextField(_("情况说明"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("报告人")
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer = models.TextField(_("企业答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("答复人")
    )
    cause = models.CharField(_("原因"), max_length=500, blank=True)
    force_majeure = models.BooleanField(_("不可抗力"), default=False)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    conclusion = models.TextField(_("处理结论"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("关闭人")
    )

    objects = ShortageCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("短缺事件")
        verbose_name_plural = _("短缺事件")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="shortage_closed_has_date",
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.award}（{self.opened_on:%Y-%m-%d}）"

    @property
    def charged(self) -> bool:
        """The company bears the extra cost: the bureau closed the case and the cause was not force majeure."""
        return self.status == self.Status.CLOSED and not self.force_majeure


class SubstitutePurchaseQuerySet(ScopedQuerySet):
    scope = Scope(region="case__region", institution="institution", company=("case__company",))


class SubstitutePurchase(models.Model):
    """What an institution bought instead of the winning product during a shortage. The winning price is kept as
    it was on the day, so the extra cost stays the evidence it was when recorded."""

    case = models.ForeignKey(ShortageCase, models.CASCADE, related_name="substitutes", verbose_name=_("短缺事件"))
    institution = models.ForeignKey("orgs.Institution", models.PROTECT, verbose_name=_("采购机构"))
    description = models.CharField(_("替代药品"), max_length=200)
    unit_price = models.DecimalField(_("替代单价（元/最小单位）"), max_digits=14, decimal_places=4)
    winning_price = models.DecimalField(_("中选价（元/最小单位）"), max_digits=14, decimal_places=4)
    quantity = models.BigIntegerField(_("数量"), validators=[MinValueValidator(1)])
    bought_on = models.DateField(_("采购日期"))
    extra_cost = models.DecimalField(_("额外费用（元）"), max_digits=16, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("登记人")
    )

    objects = SubstitutePurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("替代采购")
        verbose_name_plural = _("替代采购")
        ordering = ["case", "bought_on", "id"]
        constraints = [
            models.CheckConstraint(name="substitute_quantity_positive", condition=models.Q(quantity__gt=0)),
            models.CheckConstraint(name="substitute_price_positive", condition=models.Q(unit_price__gt=0)),
            models.CheckConstraint(name="substitute_extra_not_negative", condition=models.Q(extra_cost__gte=0)),
        ]

    def __str__(self):
        return f"{self.description} × {self.quantity}"
