"""The monthly report (月报表, SPEC §4.7): one per institution and data month, and its frozen revisions.

`MonthlyReport` holds what the institution is still editing (the unpaid reasons and the four signature fields)
and the report's state; every submission writes a `ReportRevision` that is never changed again: a correction is
a new revision. The bureau's decisions are `ReportReview` rows. All writes go through `jicai.reports.services`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jicai.core.scoping import Scope, ScopedQuerySet


class MonthlyReportQuerySet(ScopedQuerySet):
    # The report belongs to its institution; bureaus and health commissions see their region and below;
    # companies see none.
    scope = Scope(region="institution__region", institution="institution")

    def for_month(self, month):
        return self.filter(month=month.replace(day=1))


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已验收")
        RETURNED = "returned", _("已退回")

    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, related_name="monthly_reports", verbose_name=_("医疗机构")
    )
    month = models.DateField(_("数据月份"), help_text=_("该月第一天"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(_("最新版本号"), default=0, help_text=_("0 表示尚未提交"))
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    reopened = models.BooleanField(_("锁定后重新开放"), default=False)
    # What the institution enters: the four signature fields and, per invoice number, why it is unpaid.
    leader = models.CharField(_("分管领导"), max_length=50, blank=True)
    preparer = models.CharField(_("填表人"), max_length=50, blank=True)
    prepared_on = models.DateField(_("填表时间"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    reasons = models.JSONField(_("未回款原因"), default=dict, blank=True, help_text=_("发票号 → 原因"))

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报表")
        verbose_name_plural = _("月报表")
        ordering = ["-month", "institution__code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="monthly_report_unique"),
            models.CheckConstraint(name="monthly_report_month_first_day", condition=models.Q(month__day=1)),
        ]

    def __str__(self):
        return f"{self.institution} {self.month:%Y-%m}"


class ReportRevisionQuerySet(ScopedQuerySet):
    scope = Scope(region="report__institution__region", institution="report__institution")


class ReportRevision(models.Model):
    """One submission, frozen: the rows as they were computed and signed, never changed afterwards."""

    class Source(models.TextChoices):
        WEB = "web", _("网页填报")
        UPLOAD = "upload", _("上传报表")
        CLI = "cli", _("命令行")
        API = "api", _("接口报送")

    report = models.ForeignKey(MonthlyReport, models.CASCADE, related_name="revisions", verbose_name=_("月报表"))
    number = models.PositiveIntegerField(_("版本号"))
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("提交人")
    )
    source = models.CharField(_("方式"), max_length=10, choices=Source.choices, default=Source.WEB)
    on_time = models.BooleanField(_("按时"))
    rows = models.JSONField(_("报表行"), default=list)
    leader = models.CharField(_("分管领导"), max_length=50, blank=True)
    preparer = models.CharField(_("填表人"), max_length=50, blank=True)
    prepared_on = models.DateField(_("填表时间"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    reasons = models.JSONField(_("未回款原因"), default=dict, blank=True)

    objects = ReportRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报表版本")
        verbose_name_plural = _("月报表版本")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_revision_unique"),
        ]

    def __str__(self):
        return f"{self.report} 第{self.number}版"


class ReportReviewQuerySet(ScopedQuerySet):
    scope = Scope(region="report__institution__region", institution="report__institution")


class ReportReview(models.Model):
    """The bureau's decision on a revision: accepted, or returned with a comment."""

    class Decision(models.TextChoices):
        ACCEPT = "accepted", _("验收")
        RETURN = "returned", _("退回")
        REOPEN = "reopened", _("重新开放")

    report = models.ForeignKey(MonthlyReport, models.CASCADE, related_name="reviews", verbose_name=_("月报表"))
    revision = models.PositiveIntegerField(_("版本号"))
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))

    objects = ReportReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报表审核")
        verbose_name_plural = _("月报表审核")
        ordering = ["report", "at", "id"]

    def __str__(self):
        return f"{self.report} {self.get_decision_display()}"


class ReportReminderQuerySet(ScopedQuerySet):
    scope = Scope(region="institution__region", institution="institution")


class ReportReminder(models.Model):
    """A reminder from the bureau to an institution that has not submitted a month's report: shown in the system,
    and e-mailed where the institution has an address."""

    institution = models.ForeignKey(
        "orgs.Institution", models.CASCADE, related_name="report_reminders", verbose_name=_("医疗机构")
    )
    month = models.DateField(_("数据月份"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))
    emailed_to = models.EmailField(_("邮件发送至"), blank=True)

    objects = ReportReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报表催报")
        verbose_name_plural = _("月报表催报")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.institution} {self.month:%Y-%m} {self.at:%Y-%m-%d}"


class BulletinQuerySet(ScopedQuerySet):
    # A bulletin belongs to its region: bureaus and health commissions at or above it read it. Institutions and
    # companies read none (a published one reaches them by the bureau's own channels).
    scope = Scope(region="region")


class Bulletin(models.Model):
    """A 通报 for a region and month (SPEC §4.10): completion by institution, the lagging ones, late payers and
    missing reports. A draft is computed afresh; publishing freezes `content`, which is never changed again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    region = models.ForeignKey("orgs.Region", models.CASCADE, related_name="bulletins", verbose_name=_("区划"))
    month = models.DateField(_("通报月份"), help_text=_("该月第一天"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(_("内容"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发布人")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-month", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="bulletin_once"),
            models.CheckConstraint(name="bulletin_month_first_day", condition=models.Q(month__day=1)),
        ]

    def __str__(self):
        return f"{self.region} {self.month:%Y-%m} 通报"


class PaymentAuditQuerySet(ScopedQuerySet):
    # Visible at, below and above its region: a province's audit is read by a city bureau or an institution through
    # `jicai.reports.audits.visible_rows`, which keeps only the rows about institutions the reader may see.
    scope = Scope(region="region", region_above="region")


class PaymentAudit(models.Model):
    """A quarterly payment audit (每季度一次集中排查, SPEC §4.13) of a region, frozen when it is run: per institution
    the on-time rate, the late amount and the oldest unpaid invoice."""

    class Source(models.TextChoices):
        TICK = "tick", _("定时任务")
        BUREAU = "bureau", _("医保局")

    region = models.ForeignKey("orgs.Region", models.CASCADE, related_name="payment_audits", verbose_name=_("区划"))
    year = models.PositiveSmallIntegerField(_("年"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    as_of = models.DateField(_("截止日期"))
    rows = models.JSONField(_("排查结果"), default=list)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("生成时间"))

    objects = PaymentAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("季度回款排查")
        verbose_name_plural = _("季度回款排查")
        ordering = ["-year", "-quarter", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="payment_audit_once"),
            models.CheckConstraint(name="payment_audit_quarter", condition=models.Q(quarter__gte=1, quarter__lte=4)),
        ]

    def __str__(self):
        return f"{self.region} {self.year}Q{self.quarter} 回款排查"

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"
