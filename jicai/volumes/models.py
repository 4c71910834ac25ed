from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


class BaselineQuerySet(ScopedQuerySet):
    scope = Scope(region="institution__region", institution="institution", company=("product__manufacturer",))


class Baseline(models.Model):
    """An institution's usage of a product in a base year (基数), in smallest units."""

    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, related_name="baselines", verbose_name=_("医疗机构")
    )
    product = models.ForeignKey("catalog.Product", models.PROTECT, verbose_name=_("药品"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quantity = models.BigIntegerField(_("使用量"), validators=[MinValueValidator(0)])

    objects = BaselineQuerySet.as_manager()

    class Meta:
        verbose_name = _("基数")
        verbose_name_plural = _("基数")
        constraints = [
            models.UniqueConstraint(fields=["institution", "product", "year"], name="baseline_unique"),
            models.CheckConstraint(name="baseline_not_negative", condition=models.Q(quantity__gte=0)),
        ]

    def __str__(self):
        return f"{self.institution} {self.product.generic_name} {self.year}: {self.quantity}"


class AgreedVolumeQuerySet(ScopedQuerySet):
    scope = Scope(region="institution__region", institution="institution", company=("award__product__manufacturer",))


class AgreedVolume(models.Model):
    """约定采购量: what an institution must buy of an award in an agreement year. A floor, not a ceiling."""

    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, related_name="agreed_volumes", verbose_name=_("医疗机构")
    )
    award = models.ForeignKey(
        "catalog.Award", models.PROTECT, related_name="agreed_volumes", verbose_name=_("中选药品")
    )
    year_no = models.PositiveSmallIntegerField(_("协议年度"), validators=[MinValueValidator(1)])
    quantity = models.BigIntegerField(_("约定采购量"), validators=[MinValueValidator(0)])

    objects = AgreedVolumeQuerySet.as_manager()

    class Meta:
        verbose_name = _("约定采购量")
        verbose_name_plural = _("约定采购量")
        constraints = [
            models.UniqueConstraint(fields=["institution", "award", "year_no"], name="agreed_volume_unique"),
            models.CheckConstraint(name="agreed_volume_not_negative", condition=models.Q(quantity__gte=0)),
        ]

    def __str__(self):
        return f"{self.institution} {self.award} 第{self.year_no}年: {self.quantity}"


class AgreedVolumeChangeQuerySet(ScopedQuerySet):
    scope = Scope(
        region="volume__institution__region",
        institution="volume__institution",
        company=("volume__award__product__manufacturer",),
    )


class AgreedVolumeChange(models.Model):
    """Every change of an agreed volume, with who, when and why."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("分解")
        REALLOCATION = "reallocation", _("调剂")
        IMPORT = "import", _("导入")

    volume = models.ForeignKey(AgreedVolume, models.CASCADE, related_name="changes", verbose_name=_("约定采购量"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    old_quantity = models.BigIntegerField(_("原数量"), null=True, blank=True)
    new_quantity = models.BigIntegerField(_("新数量"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("原因"), blank=True)

    objects = AgreedVolumeChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("约定采购量变更")
        verbose_name_plural = _("约定采购量变更")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.volume}: {self.old_quantity} → {self.new_quantity}"
