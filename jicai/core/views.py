"""Account pages: the audit trail a bureau or an institution can read, and the password change."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from jicai.core.audit import record
from jicai.core.downloads import TABLE_FORMATS, table_download
from jicai.core.models import AuditEvent
from jicai.core.scoping import user_kind

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows in one download; narrow the dates for more

# What an action means, for people (the code stays in the export for integrators).
ACTIONS = {
    "report.save": _("保存月报"),
    "report.submit": _("提交月报"),
    "report.accepted": _("验收月报"),
    "report.returned": _("退回月报"),
    "report.reopen": _("重新打开月报"),
    "report.upload": _("上传月报"),
    "report.remind": _("催报"),
    "volumes.allocate": _("分解约定采购量"),
    "volumes.reallocate": _("调剂约定采购量"),
    "import.update": _("导入更新"),
    "deduction.propose": _("提出医保额度扣减"),
    "deduction.confirm": _("确认医保额度扣减"),
    "prepayment.prepay": _("预付"),
    "prepayment.offset": _("预付冲抵"),
    "bulletin.draft": _("起草通报"),
    "bulletin.publish": _("发布通报"),
    "audit.run": _("季度回款审核"),
    "supply.remind": _("供应周报催报"),
    "supply.check.correct": _("更正供应周报"),
    "supply.case.open": _("登记短缺"),
    "supply.case.answer": _("企业答复短缺"),
    "supply.case.close": _("关闭短缺"),
    "supply.substitute.add": _("登记替代采购"),
    "catalog.distributor.name": _("指定配送企业"),
    "admin.add": _("后台新增"),
    "admin.change": _("后台修改"),
    "admin.delete": _("后台删除"),
    "user.add": _("新增用户"),
    "account.lock": _("登录锁定"),
    "account.unlock": _("解除登录锁定"),
    "account.password": _("修改密码"),
}


class AuditFilter(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.CharField(label=_("操作"), required=False, max_length=40, help_text=_("如 report 或 report.submit"))
    user = forms.CharField(label=_("用户"), required=False, max_length=150)
    model = forms.CharField(label=_("对象类型"), required=False, max_length=60, help_text=_("如 reports 或 deliveries"))

    def filter(self, events):
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data.get("start"):
            events = events.filter(at__gte=datetime.combine(data["start"], time.min, tz))
        if data.get("end"):
            events = events.filter(at__lt=datetime.combine(data["end"] + timedelta(days=1), time.min, tz))
        if data.get("action"):
            events = events.filter(action__startswith=data["action"].strip())
        if data.get("user"):
            events = events.filter(user__username=data["user"].strip())
        if data.get("model"):
            events = events.filter(model__startswith=data["model"].strip())
        return events


def model_label(label: str) -> str:
    """ "reports.monthlyreport" → 月报 (the model's own name); import kinds and unknown labels as they are."""
    if "." in label:
        try:
            return str(apps.get_model(label)._meta.verbose_name)
        except LookupError:
            pass
    return label


HEADER = [_("时间"), _("用户"), _("操作"), _("操作代码"), _("对象类型"), _("对象标识"), _("变更"), _("原因")]


def _values(events):
    for e in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.user.username if e.user else "",
            str(ACTIONS.get(e.action, e.action)),
            e.action,
            model_label(e.model),
            e.key,
            _changes_text(e.changes),
            e.reason,
        ]


def _changes_text(changes) -> str:
    if not changes:
        return ""
    if isinstance(changes, dict):
        return "；".join(f"{k}：{v}" for k, v in changes.items())
    return str(changes)


@require_safe
@login_required
def audit(request):
    """The audit trail of what the user may see (a bureau: its area; an institution: its own), filtered and
    paginated, or downloaded as CSV/XLSX with the same filters."""
    if user_kind(request.user) in (None, "company"):
        raise PermissionDenied
    form = AuditFilter(request.GET or None)
    events = AuditEvent.objects.visible_to(request.user).select_related("user").order_by("-at", "-id")
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    fmt = request.GET.get("format")
    if fmt in TABLE_FORMATS:
        name = f"审计记录-{timezone.localdate():%Y%m%d}"
        return table_download([str(h) for h in HEADER], _values(events[:EXPORT_LIMIT]), fmt, name)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "event": e,
            "action": ACTIONS.get(e.action, e.action),
            "model": model_label(e.model),
            "changes": _changes_text(e.changes),
        }
        for e in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    base = f"?{query.urlencode()}&page=" if query else "?page="
    page.previous_url = f"{base}{page.previous_page_number()}" if page.has_previous() else ""
    page.next_url = f"{base}{page.next_page_number()}" if page.has_next() else ""
    return render(request, "core/audit.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request.user, "account.password", self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response
