from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
