from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyProfile(models.Model):
    """Every setting of SPEC §5. A region uses its own profile or inherits its parent's."""

    class PaymentRule(models.TextChoices):
        CQ = "cq", _("重庆：发票确认后N个工作日与验收后M日取较早者")
        SD = "sd", _("山东：验收之日起至第N个月末")
        NATIONAL = "national", _("全国：验收后N日")

    class DayCounting(models.TextChoices):
        CIVIL_CODE = "civil_code", _("民法典（首日不计，末日遇节假日顺延）")
        PLAIN = "plain", _("自然日（末日不顺延）")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    payment_rule = models.CharField(_("回款规则"), max_length=20, choices=PaymentRule.choices)
    payment_working_days = models.PositiveSmallIntegerField(_("发票确认后工作日数"), default=10)
    payment_days = models.PositiveSmallIntegerField(_("验收后日数"), default=30)
    payment_months_after = models.PositiveSmallIntegerField(_("验收后第几个月末"), default=2)
    day_counting = models.CharField(
        _("期间计算"), max_length=20, choices=DayCounting.choices, default=DayCounting.CIVIL_CODE
    )
    report_due_day = models.PositiveSmallIntegerField(_("月报表报送日"), default=10)
    report_lock_days = models.PositiveSmallIntegerField(_("月末后锁定天数"), default=20)
    lag_ratio = models.DecimalField(_("滞后系数"), max_digits=4, decimal_places=3, default=Decimal("0.8"))
    projection_days = models.PositiveSmallIntegerField(_("预测所用天数"), default=90)
    rush_months = models.PositiveSmallIntegerField(_("突击采购观察月数"), default=3)
    rush_share = models.DecimalField(_("突击采购比例"), max_digits=4, decimal_places=3, default=Decimal("0.5"))
    max_stock_months = models.DecimalField(
        _("库存上限（月用量）"), max_digits=5, decimal_places=2, default=Decimal("3")
    )
    prepay_share = models.DecimalField(_("预付比例"), max_digits=4, decimal_places=3, default=Decimal("0.3"))
    penalties_enabled = models.BooleanField(_("扣减医保总额"), default=False)
    prepayment_enabled = models.BooleanField(_("医保基金预付"), default=False)
    ratio_rule_exemption = models.BooleanField(
        _("比例规则山东豁免"), default=False, help_text=_("完成约定量后以不高于中选价采购的非中选药品不计入")
    )
    phase_in_years = models.PositiveSmallIntegerField(_("支付标准过渡年数"), default=3)
    next_year_at_least_previous = models.BooleanField(_("次年约定量不低于上年"), default=True)

    class Meta:
        verbose_name = _("政策配置")
        verbose_name_plural = _("政策配置")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class HolidayCalendarQuerySet(models.QuerySet):
    def years(self) -> list[int]:
        return sorted({d.year for d in self.dates("date", "year")})


class HolidayCalendar(models.Model):
    """One row per calendar day of every year the system holds (SPEC §4.1)."""

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar 软件包")
        ADMIN = "admin", _("管理员录入")

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("节日或调休说明"))
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.ADMIN)

    objects = HolidayCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("节假日日历")
        verbose_name_plural = _("节假日日历")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_working_day else '休息日'} {self.name}".strip()


def payment_rule(profile: PolicyProfile):
    """The pure rule's view of a profile's payment settings."""
    from jicai.policy.rules.payment import PaymentRule

    return PaymentRule(
        kind=profile.payment_rule,
        working_days=profile.payment_working_days,
        days=profile.payment_days,
        months_after=profile.payment_months_after,
        civil_code=profile.day_counting == PolicyProfile.DayCounting.CIVIL_CODE,
    )
