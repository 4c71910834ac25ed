from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


class RegionQuerySet(ScopedQuerySet):
    scope = Scope(region="", region_above="")

    def profile_map(self) -> dict[int, int | None]:
        """Region id → id of the profile in force there (its own, else the nearest ancestor's), in one query."""
        rows = sorted(Region.objects.values_list("id", "path", "profile_id"), key=lambda r: r[1].count("/"))
        by_path: dict[str, int | None] = {}
        result = {}
        for rid, path, profile_id in rows:
            parent = path[: path.rstrip("/").rfind("/") + 1]
            by_path[path] = profile_id or by_path.get(parent)
            result[rid] = by_path[path]
        return result


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")

    code = models.CharField(_("区划编码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级区划")
    )
    # Materialised path of codes ("500000/500102/"): "this region and below" is one indexed prefix match.
    path = models.CharField(_("路径"), max_length=200, unique=True, editable=False)
    profile = models.ForeignKey(
        "policy.PolicyProfile",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("政策配置"),
        help_text=_("空白则沿用上级区划的配置"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def ancestor_codes(self) -> list[str]:
        return self.path.strip("/").split("/")

    def effective_profile(self):
        """The profile in force here: this region's own, else the nearest ancestor's."""
        owner = (
            Region.objects.filter(code__in=self.ancestor_codes(), profile__isnull=False)
            .select_related("profile")
            .order_by("-path")
            .first()
        )
        return owner.profile if owner else None


class CompanyQuerySet(ScopedQuerySet):
    scope = Scope(public=True)  # a public registry; what companies sell and bill is scoped


class Company(models.Model):
    code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    is_manufacturer = models.BooleanField(_("生产企业"), default=False)
    is_distributor = models.BooleanField(_("配送企业"), default=False)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["code"]

    def __str__(self):
        return self.name


class InstitutionQuerySet(ScopedQuerySet):
    # A company sees the institutions it supplies, bills, or that hold volume of its products.
    scope = Scope(
        region="region",
        institution="",
        company=(
            "agreed_volumes__award__product__manufacturer",
            "orders__product__manufacturer",
            "orders__distributor",
            "invoices__supplier",
        ),
    )


class Institution(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("公立")
        MILITARY = "military", _("军队")
        PRIVATE = "private", _("民营")
        PHARMACY = "pharmacy", _("零售药店")
        PRIMARY = "primary", _("基层")

    class Participation(models.TextChoices):
        MANDATORY = "mandatory", _("必须")
        VOLUNTARY = "voluntary", _("自愿")
        NONE = "none", _("不参加")

    code = models.CharField(_("机构编码"), max_length=32, unique=True)
    name = models.CharField(_("机构名称"), max_length=200)
    region = models.ForeignKey(Region, models.PROTECT, related_name="institutions", verbose_name=_("区划"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    participation = models.CharField(_("参与方式"), max_length=10, choices=Participation.choices)
    email = models.EmailField(_("通知邮箱"), blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("医疗机构")
        verbose_name_plural = _("医疗机构")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's one organisation (a region's bureau or health commission, an institution, a company) and role."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("查看")
        CLERK = "clerk", _("经办")
        MANAGER = "manager", _("负责人")

    class Body(models.TextChoices):
        BUREAU = "bureau", _("医疗保障局")
        HEALTH = "health", _("卫生健康委员会")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, verbose_name=_("用户"))
    region = models.ForeignKey(Region, models.CASCADE, null=True, blank=True, verbose_name=_("区划"))
    body = models.CharField(_("部门"), max_length=10, choices=Body.choices, blank=True)
    institution = models.ForeignKey(Institution, models.CASCADE, null=True, blank=True, verbose_name=_("医疗机构"))
    company = models.ForeignKey(Company, models.CASCADE, null=True, blank=True, verbose_name=_("企业"))
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("用户所属机构")
        verbose_name_plural = _("用户所属机构")
        constraints = [
            models.CheckConstraint(
                name="membership_one_organisation",
                condition=(
                    models.Q(region__isnull=False, institution__isnull=True, company__isnull=True) & ~models.Q(body="")
                )
                | models.Q(region__isnull=True, institution__isnull=False, company__isnull=True, body="")
                | models.Q(region__isnull=True, institution__isnull=True, company__isnull=False, body=""),
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}（{self.get_role_display()}）"

    @property
    def organisation(self):
        if self.region_id:
            return f"{self.region.name}{self.get_body_display()}"
        return self.institution or self.company

    @property
    def read_only_body(self) -> bool:
        return self.body == self.Body.HEALTH
