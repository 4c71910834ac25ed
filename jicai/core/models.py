from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AuditEventQuerySet":
        """A bureau reads what happened to objects in its region and below, and what its own people and the
        people of the institutions below it did; an institution its own; a company nothing (SPEC §1)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        membership = getattr(user, "membership", None)
        if membership is None or membership.company_id:
            return self.none()
        if membership.region_id:
            path = membership.region.path
            return self.filter(
                Q(region__path__startswith=path)
                | Q(institution__region__path__startswith=path)
                | Q(user__membership__region__path__startswith=path)
                | Q(user__membership__institution__region__path__startswith=path)
            )
        inst = membership.institution_id
        return self.filter(Q(institution_id=inst) | Q(user__membership__institution_id=inst))


class AuditEvent(models.Model):
    """Who changed what, when and why: every write of a service and every changed import row.

    `region` and `institution` say whose object it was (filled by `jicai.core.audit.record`), so that a bureau
    can read the trail of its area."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("用户"))
    action = models.CharField(_("操作"), max_length=40)
    model = models.CharField(_("对象类型"), max_length=60)
    key = models.CharField(_("对象标识"), max_length=200)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    region = models.ForeignKey(
        "orgs.Region", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("区划")
    )
    institution = models.ForeignKey(
        "orgs.Institution", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("医疗机构")
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["model", "key"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model} {self.key}"


class LoginFailure(models.Model):
    """One failed sign-in; counted per username and per address to lock out guessing (jicai.core.accounts)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("登录失败")
        verbose_name_plural = _("登录失败")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip or ''}"


class LoginLock(models.Model):
    """A username ("user:NAME") or an address ("ip:ADDR") refused until `until`, or until an administrator
    unlocks it."""

    key = models.CharField(_("锁定对象"), max_length=200, unique=True)
    until = models.DateTimeField(_("锁定至"))
    failures = models.PositiveIntegerField(_("失败次数"))
    created_at = models.DateTimeField(_("锁定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")

    def __str__(self):
        return self.key


class ImportRecordQuerySet(ScopedQuerySet):
    # An institution sees its own uploads, a bureau those of its region and below, an administrator all.
    scope = Scope(region="region", institution="institution", company=("company",))


class ImportRecord(models.Model):
    """One file checked (a dry run) or imported through the web or the API: who, for which organisation, what
    came of it, and the first row errors (so that "my uploads" shows why a file was refused)."""

    MAX_ERRORS = 200

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("用户"))
    # The uploader's organisation; `region` is where its bureau sits (an institution's region, a bureau's own).
    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("医疗机构")
    )
    region = models.ForeignKey(
        "orgs.Region", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("区划")
    )
    company = models.ForeignKey(
        "orgs.Company", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("企业")
    )
    kind = models.CharField(_("导入类型"), max_length=30)
    file_name = models.CharField(_("文件名"), max_length=255)
    dry_run = models.BooleanField(_("仅校验"))
    landed = models.BooleanField(_("已写入"))
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误（前 200 处）"), default=list, blank=True)

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("上传记录")
        verbose_name_plural = _("上传记录")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.file_name}"

    @property
    def outcome(self) -> str:
        if self.error_count:
            return _("校验未通过") if self.dry_run else _("导入失败")
        return _("校验通过") if self.dry_run else _("已导入")
