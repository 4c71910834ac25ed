"""Bulletin (通报) and quarterly payment audit pages.

Bulletins: a bureau or health commission lists its region's and below; a bureau writer drafts one for a region
and month and publishes it (frozen from then on); the page prints on A4 and downloads as .xlsx.
Audits: a bureau or health commission reads the audits of its region, below and above it (rows of institutions it
may see only); an institution reads its own row; a bureau writer runs one for a quarter that has ended.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jicai.core.downloads import attachment
from jicai.core.scoping import get_for_user, user_kind
from jicai.monitoring.access import is_bureau_writer
from jicai.monitoring.views import pick_region, region_choices
from jicai.reports import audits
from jicai.reports.bulletins import (
    BulletinError,
    bulletin_document,
    draft_bulletin,
    filename,
    publish_bulletin,
    write_bulletin_xlsx,
)
from jicai.reports.models import Bulletin, PaymentAudit
from jicai.reports.rules import parse_month
from jicai.web.listing import page_of

LOW_RATE = Decimal(90)  # the page counts institutions below this on-time rate (a reading aid, not a rule)


def _region_user(user) -> None:
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied


@login_required
@require_safe
def bulletins(request):
    user = request.user
    _region_user(user)
    region = pick_region(user, request.GET.get("region"))
    qs = (
        Bulletin.objects.visible_to(user)
        .filter(region__path__startswith=region.path)
        .select_related("region", "published_by")
        .order_by("-month", "region__path")
    )
    context = {
        "region": region,
        "regions": region_choices(user),
        "page": page_of(request, qs),
        "can_write": is_bureau_writer(user, region),
    }
    return render(request, "reports/bulletins.html", context)


@login_required
@require_POST
def bulletin_new(request):
    """Open (or refresh) the draft of a region and month."""
    user = request.user
    _region_user(user)
    region = pick_region(user, request.POST.get("region"))
    try:
        month = parse_month(request.POST.get("month", ""))
    except ValueError:
        messages.error(request, _("月份应为 YYYY-MM"))
        return redirect(f"{reverse('reports:bulletins')}?region={region.code}")
    if not is_bureau_writer(user, region):
        raise PermissionDenied
    try:
        bulletin = draft_bulletin(region=region, month=month, by=user)
    except BulletinError as exc:
        messages.error(request, str(exc))
        bulletin = Bulletin.objects.get(region=region, month=month)
    return redirect("reports:bulletin", pk=bulletin.pk)


def _bulletin(request, pk: int, *, write: bool = False) -> Bulletin:
    _region_user(request.user)
    return get_for_user(Bulletin.objects.select_related("region", "published_by"), request.user, pk=pk, write=write)


@login_required
@require_safe
def bulletin(request, pk: int):
    b = _bulletin(request, pk)
    context = {
        "bulletin": b,
        "content": bulletin_document(b),
        "can_publish": b.status == Bulletin.Status.DRAFT and is_bureau_writer(request.user, b.region),
    }
    return render(request, "reports/bulletin.html", context)


@login_required
@require_safe
def bulletin_xlsx(request, pk: int):
    content = bulletin_document(_bulletin(request, pk))
    return attachment(lambda f: write_bulletin_xlsx(content, f), filename(content, "xlsx"))


@login_required
@require_POST
def bulletin_publish(request, pk: int):
    b = _bulletin(request, pk, write=True)
    if not is_bureau_writer(request.user, b.region):
        raise PermissionDenied
    try:
        publish_bulletin(bulletin=b, by=request.user)
        messages.success(request, _("已发布。发布后的通报内容不再改变。"))
    except BulletinError as exc:
        messages.error(request, str(exc))
    return redirect("reports:bulletin", pk=b.pk)


@login_required
@require_safe
def audit_list(request):
    user = request.user
    kind = user_kind(user)
    if kind not in ("region", "admin", "institution"):
        raise PermissionDenied
    qs = PaymentAudit.objects.visible_to(user).select_related("region").order_by("-year", "-quarter", "region__path")
    region = None
    if kind != "institution":
        region = pick_region(user, request.GET.get("region"))
        ancestors = region.ancestor_codes()
        qs = qs.filter(region__code__in=ancestors) | qs.filter(region__path__startswith=region.path)
    context = {
        "region": region,
        "regions": region_choices(user) if region else [],
        "page": page_of(request, qs),
        "can_write": region is not None and is_bureau_writer(user, region),
    }
    return render(request, "reports/audits.html", context)


@login_required
@require_POST
def audit_new(request):
    user = request.user
    _region_user(user)
    region = pick_region(user, request.POST.get("region"))
    if not is_bureau_writer(user, region):
        raise PermissionDenied
    try:
        year, quarter = audits.parse_quarter(request.POST.get("quarter", ""))
        audit, created = audits.run_audit(
            region=region, year=year, quarter=quarter, by=user, source=PaymentAudit.Source.BUREAU
        )
    except audits.AuditError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('reports:audits')}?region={region.code}")
    if not created:
        messages.info(request, _("该季度已排查，以下为当时的结果。"))
    return redirect("reports:audit", pk=audit.pk)


def _audit(request, pk: int) -> tuple[PaymentAudit, list[dict]]:
    user = request.user
    if user_kind(user) not in ("region", "admin", "institution"):
        raise PermissionDenied
    audit = get_for_user(PaymentAudit.objects.select_related("region"), user, pk=pk)
    return audit, audits.visible_rows(audit, user)


@login_required
@require_safe
def audit(request, pk: int):
    a, rows = _audit(request, pk)
    flat = [audits.flat(r) for r in rows]
    late = sum((Decimal(r["late_amount"]) for r in rows), Decimal(0))
    context = {
        "audit": a,
        "title": audits.title(a),
        "page": page_of(request, flat),
        "count": len(rows),
        "late_total": late,
        "low": sum(1 for r in rows if r["on_time_rate"] is not None and Decimal(r["on_time_rate"]) < LOW_RATE),
    }
    return render(request, "reports/audit.html", context)


@login_required
@require_safe
def audit_xlsx(request, pk: int):
    a, rows = _audit(request, pk)
    return attachment(lambda f: audits.write_audit_xlsx(a, rows, f), f"{a.region.name}回款排查_{a.label}.xlsx")
