"""Ledger pages: the prepayment ledger and the budget deductions.

A bureau (or health commission) sees its region and below, per institution, and drills into one institution;
an institution sees its own rows. Companies see none. Writes (prepay, offset, propose, confirm) call the services,
which check the role again: only a bureau's clerks and managers of the region or above.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jicai.core.cli import plain
from jicai.core.downloads import table_download
from jicai.core.scoping import get_for_user, user_kind
from jicai.monitoring import deductions as deduction_services
from jicai.monitoring import ledger
from jicai.monitoring.access import is_bureau_writer
from jicai.monitoring.models import BudgetDeduction
from jicai.orgs.models import Institution, Region
from jicai.web.listing import page_of


def pick_region(user, code: str | None) -> Region:
    """The region a bureau user asks for: its own by default, or one below it; 404 for any other."""
    regions = Region.objects.visible_to(user)
    if user.is_superuser:
        region = get_for_user(regions, user, code=code) if code else regions.order_by("path").first()
        if region is None:
            raise Http404
        return region
    own = user.membership.region
    return get_for_user(regions.filter(path__startswith=own.path), user, code=code or own.code)


def region_choices(user):
    regions = Region.objects.visible_to(user)
    if not user.is_superuser:
        regions = regions.filter(path__startswith=user.membership.region.path)
    return regions.order_by("path")


def _year(request) -> int:
    text = request.GET.get("year") or request.POST.get("year") or "1"
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise Http404
    return int(text)


def _as_of(request) -> date:
    text = request.GET.get("as_of", "")
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


def _scope(request):
    """(kind, region or None, institutions queryset, the one institution or None) for the ledger pages."""
    user = request.user
    kind = user_kind(user)
    if kind == "institution":
        inst = user.membership.institution
        return kind, None, Institution.objects.visible_to(user), inst
    if kind not in ("region", "admin"):
        raise PermissionDenied
    region = pick_region(user, request.GET.get("region") or request.POST.get("region"))
    institutions = Institution.objects.visible_to(user).filter(region__path__startswith=region.path)
    one = None
    if request.GET.get("institution"):
        one = get_for_user(institutions, user, code=request.GET["institution"])
    return kind, region, institutions, one


def _download(rows: list[dict], columns, fmt: str, name: str) -> HttpResponse:
    values = ([plain(r.get(f)) for f, _h in columns] for r in rows)
    return table_download([str(h) for _f, h in columns], values, fmt, name)


@login_required
@require_safe
def ledger_page(request):
    """Per institution (a region) or per award (one institution): agreed amount, prepaid, offset, balance and
    the fund's direct settlements."""
    user = request.user
    kind, region, institutions, one = _scope(request)
    year, as_of = _year(request), _as_of(request)
    rows = ledger.ledger_rows(institutions.filter(pk=one.pk) if one else institutions, year_no=year, as_of=as_of)
    totals = ledger.institution_totals(rows)
    grand = {f: sum((t[f] for t in totals), start=0) for f in ledger.MONEY}
    if request.GET.get("format"):
        name = _("预付台账_第%(year)d年") % {"year": year}
        return _download([ledger.as_dict(r) for r in rows], ledger.COLUMNS, request.GET["format"], name)
    context = {
        "kind": kind,
        "region": region,
        "regions": region_choices(user) if region else [],
        "institution": one,
        "year": year,
        "as_of": as_of,
        "page": page_of(request, rows if one or kind == "institution" else totals),
        "per_award": bool(one or kind == "institution"),
        "grand": grand,
        "can_write": region is not None and is_bureau_writer(user, region),
        "query": request.GET.urlencode(),
    }
    return render(request, "monitoring/ledger.html", context)


@login_required
@require_POST
def ledger_write(request):
    """Record the year's prepayments, or offset them by the institutions' payments up to today."""
    user = request.user
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied
    region = pick_region(user, request.POST.get("region"))
    year = _year(request)
    action = request.POST.get("action")
    try:
        if action == "prepay":
            n = ledger.prepay(region=region, year_no=year, on=timezone.localdate(), by=user)
            messages.success(request, _("已记入预付 %(n)d 条。") % {"n": n})
        elif action == "offset":
            n = ledger.offset(region=region, year_no=year, as_of=timezone.localdate(), by=user)
            messages.success(request, _("已记入冲抵 %(n)d 条。") % {"n": n})
        else:
            raise Http404
    except ledger.LedgerError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('monitoring:ledger')}?region={region.code}&year={year}")


def _deductions(request):
    user = request.user
    kind = user_kind(user)
    qs = BudgetDeduction.objects.visible_to(user).select_related("institution", "confirmed_by")
    if kind == "institution":
        return kind, None, qs
    if kind not in ("region", "admin"):
        raise PermissionDenied
    region = pick_region(user, request.GET.get("region") or request.POST.get("region"))
    return kind, region, qs.filter(institution__region__path__startswith=region.path)


@login_required
@require_safe
def deductions_page(request):
    user = request.user
    kind, region, qs = _deductions(request)
    year = _year(request)
    qs = qs.filter(year_no=year).order_by("institution__code", "kind")
    status = request.GET.get("status", "")
    if status in BudgetDeduction.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("format"):
        name = _("医保总额扣减_第%(year)d年") % {"year": year}
        rows = [deduction_services.deduction_dict(d) for d in qs]
        return _download(rows, deduction_services.COLUMNS, request.GET["format"], name)
    summary = {s: sum((d.amount for d in qs if d.status == s), start=0) for s in BudgetDeduction.Status.values}
    context = {
        "kind": kind,
        "region": region,
        "regions": region_choices(user) if region else [],
        "year": year,
        "status": status,
        "statuses": BudgetDeduction.Status.choices,
        "page": page_of(request, qs),
        "summary": summary,
        "can_write": region is not None and is_bureau_writer(user, region),
        "today": timezone.localdate(),
        "query": request.GET.urlencode(),
    }
    return render(request, "monitoring/deductions.html", context)


@login_required
@require_POST
def deductions_propose(request):
    user = request.user
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied
    region = pick_region(user, request.POST.get("region"))
    year = _year(request)
    try:
        p = deduction_services.propose_deductions(region=region, year_no=year, as_of=timezone.localdate(), by=user)
        messages.success(
            request,
            _("新增 %(c)d 条，更新 %(u)d 条，撤回 %(r)d 条；已确认的 %(k)d 条不变。")
            % {"c": p.created, "u": p.updated, "r": p.removed, "k": p.confirmed},
        )
    except deduction_services.DeductionError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('monitoring:deductions')}?region={region.code}&year={year}")


@login_required
@require_safe
def deduction_detail(request, pk: int):
    user = request.user
    if user_kind(user) not in ("region", "admin", "institution"):
        raise PermissionDenied
    d = get_for_user(BudgetDeduction.objects.select_related("institution__region", "confirmed_by"), user, pk=pk)
    context = {
        "d": d,
        "row": deduction_services.deduction_dict(d),
        "can_write": is_bureau_writer(user, d.institution.region) and d.status == BudgetDeduction.Status.PROPOSED,
    }
    return render(request, "monitoring/deduction.html", context)


@login_required
@require_POST
def deduction_confirm(request, pk: int):
    user = request.user
    d = get_for_user(BudgetDeduction.objects.select_related("institution__region"), user, pk=pk, write=True)
    if not is_bureau_writer(user, d.institution.region):
        raise PermissionDenied
    try:
        deduction_services.confirm_deduction(deduction=d, by=user, note=request.POST.get("note", ""))
        messages.success(request, _("已确认。"))
    except deduction_services.DeductionError as exc:
        messages.error(request, str(exc))
    return redirect("monitoring:deduction", pk=d.pk)
