from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


def default_ratio_table() -> dict[str, str]:
    """Share of the baseline that becomes agreed volume, by number of winners ("4" means 4 or more).
    The usual figures of the national rounds; verify against the batch's tender document before real use."""
    return {"1": "0.5", "2": "0.6", "3": "0.7", "4": "0.8"}


def default_cycle_table() -> dict[str, int]:
    """Cycle length in years by number of winners ("4" means 4 or more)."""
    return {"1": 1, "2": 2, "3": 2, "4": 3}


class BatchQuerySet(ScopedQuerySet):
    scope = Scope(public=True)


class Batch(models.Model):
    code = models.CharField(_("批次编码"), max_length=40, unique=True)
    name = models.CharField(_("批次名称"), max_length=100)
    ratio_rule_applies = models.BooleanField(_("适用比例规则"), default=False, help_text=_("第一批25个品种"))
    ratio_table = models.JSONField(_("约定量比例表"), default=default_ratio_table)
    cycle_table = models.JSONField(_("采购周期表"), default=default_cycle_table)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ProductQuerySet(ScopedQuerySet):
    scope = Scope(public=True)  # the listed catalogue is public; volumes and purchases are not


class Product(models.Model):
    code = models.CharField(_("药品代码"), max_length=40, unique=True)
    generic_name = models.CharField(_("通用名"), max_length=100, db_index=True)
    dosage_form = models.CharField(_("剂型"), max_length=40)
    spec = models.CharField(_("规格"), max_length=60)
    unit = models.CharField(_("最小制剂单位"), max_length=10)
    pack_size = models.PositiveIntegerField(_("包装数量"), validators=[MinValueValidator(1)])
    manufacturer = models.ForeignKey(
        "orgs.Company", models.PROTECT, related_name="products", verbose_name=_("生产企业")
    )
    consistency_evaluated = models.BooleanField(_("通过一致性评价"), default=False)
    listed_price = models.DecimalField(_("挂网价（元/最小单位）"), max_digits=14, decimal_places=4)
    strength_factor = models.DecimalField(
        _("折算系数"),
        max_digits=8,
        decimal_places=4,
        default=Decimal(1),
        help_text=_("相对于中选规格的含量倍数"),
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("药品")
        verbose_name_plural = _("药品")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="product_strength_positive", condition=models.Q(strength_factor__gt=0)),
            models.CheckConstraint(name="product_price_not_negative", condition=models.Q(listed_price__gte=0)),
        ]

    def __str__(self):
        return f"{self.generic_name} {self.spec}（{self.manufacturer.name}）"


class AwardQuerySet(ScopedQuerySet):
    scope = Scope(region_above="province", company=("product__manufacturer", "distributors__distributor"))


class Award(models.Model):
    """A winning product of a batch, supplied to one province at its winning price."""

    batch = models.ForeignKey(Batch, models.PROTECT, related_name="awards", verbose_name=_("批次"))
    product = models.ForeignKey(Product, models.PROTECT, related_name="awards", verbose_name=_("中选药品"))
    province = models.ForeignKey(
        "orgs.Region",
        models.PROTECT,
        related_name="awards",
        verbose_name=_("供应省份"),
        limit_choices_to={"level": "province"},
    )
    winning_price = models.DecimalField(_("中选价（元/最小单位）"), max_digits=14, decimal_places=4)
    winners = models.PositiveSmallIntegerField(_("中选企业数"), validators=[MinValueValidator(1)])
    start_date = models.DateField(_("执行日期"))
    cycle_years = models.PositiveSmallIntegerField(_("采购周期（年）"), validators=[MinValueValidator(1)])

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("中选药品")
        verbose_name_plural = _("中选药品")
        ordering = ["batch", "product__generic_name"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "product", "province"], name="award_unique"),
            models.CheckConstraint(name="award_price_positive", condition=models.Q(winning_price__gt=0)),
        ]

    def __str__(self):
        return f"{self.product.generic_name} {self.product.spec}（{self.batch.name}）"


class AwardDistributorQuerySet(ScopedQuerySet):
    scope = Scope(region="region", region_above="region", company=("award__product__manufacturer", "distributor"))


class AwardDistributor(models.Model):
    """A distributor the manufacturer named for an award in a region; institutions cannot name them."""

    award = models.ForeignKey(Award, models.CASCADE, related_name="distributors", verbose_name=_("中选药品"))
    region = models.ForeignKey("orgs.Region", models.PROTECT, verbose_name=_("配送区域"))
    distributor = models.ForeignKey("orgs.Company", models.PROTECT, verbose_name=_("配送企业"))

    objects = AwardDistributorQuerySet.as_manager()

    class Meta:
        verbose_name = _("配送企业")
        verbose_name_plural = _("配送企业")
        constraints = [
            models.UniqueConstraint(fields=["award", "region", "distributor"], name="award_distributor_unique")
        ]

    def __str__(self):
        return f"{self.distributor} → {self.region}"
