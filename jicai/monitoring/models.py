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
