"""The region dashboard of bureaus and health commissions (issue 6, items 1 and 5): the page and its exports.

Every queryset starts from `visible_to(request.user)` and is cut to the region shown; the numbers come from
`jicai.web.dashboard`. Institution and company users get a 403, as on the other bureau pages; a region outside
the user's own is a 404.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from jicai.catalog.models import Batch
from jicai.core.downloads import TABLE_FORMATS
from jicai.core.scoping import get_for_user, user_kind
from jicai.monitoring.models import Warning
from jicai.orgs.models import Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.progress import STATUSES
from jicai.purchasing import payments
from jicai.purchasing.models import Delivery, Invoice
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows
from jicai.web import dashboard, listing
from jicai.web.cached import cached_page

PAGE_SIZE = 50
EXPORTS = ("regions", "awards", "institutions", "progress", "aging", "warnings")


class DashboardForm(forms.Form):
    region = forms.CharField(label=_("区划"), required=False)
    as_of = forms.DateField(label=_("统计截止日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    batch = forms.CharField(label=_("批次"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + [(s, s) for s in STATUSES])


def _region_users_only(user) -> None:
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied


def _dashboard(request) -> dict:
    user = request.user
    _region_users_only(user)
    form = DashboardForm(request.GET)
    if not form.is_valid():
        raise Http404  # a malformed date or status: nothing to show
    data = form.cleaned_data
    regions = Region.objects.visible_to(user)
    if not user.is_superuser:  # visible_to also lets a city see its province (the catalogue): not its dashboard
        regions = regions.filter(path__startswith=user.membership.region.path)
    code = data["region"] or (user.membership.region.code if not user.is_superuser else "")
    region = get_for_user(regions, user, code=code) if code else regions.order_by("path").first()
    if region is None:
        raise Http404
    batches = list(Batch.objects.visible_to(user).order_by("code"))
    batch = next((b for b in batches if b.code == data["batch"]), None)
    if data["batch"] and batch is None:
        raise Http404
    status = data["status"]

    in_region = {"institution__region__path__startswith": region.path}
    volumes = AgreedVolume.objects.visible_to(user).filter(**in_region)
    if batch is not None:
        volumes = volumes.filter(award__batch=batch)
    deliveries = Delivery.objects.visible_to(user).filter(**in_region)
    latest = deliveries.aggregate(latest=Max("accepted_on"))["latest"]
    as_of = data["as_of"] or dashboard.default_as_of(latest, timezone.localdate())

    subtree = list(regions.filter(path__startswith=region.path).values_list("id", "code", "name", "path"))
    region_names = {rid: name for rid, _code, name, _path in subtree}
    depth = region.path.count("/")
    children = [r for r in subtree if r[3].count("/") == depth + 1]
    below = {rid: child[0] for rid, _c, _n, path in subtree for child in children if path.startswith(child[3])}
    profile = region.effective_profile() or PolicyProfile()

    rows = progress_rows(volumes, as_of=as_of)
    institutions = dashboard.institution_table(rows, region_names=region_names, status=status)
    tables = {
        "regions": dashboard.region_table(rows, children=children, below=below),
        "awards": dashboard.award_table(rows, lag_ratio=profile.lag_ratio, status=status),
        "institutions": institutions,
        "progress": dashboard.progress_table(rows, region_names=region_names, status=status),
        "completion_bands": dashboard.completion_histogram(dashboard.institution_table(rows, region_names={})),
    }
    window = dashboard.main_window(rows)
    if window is not None:
        start, end = window
        in_window = [r for r in rows if (r.year_start, r.year_end) == window]
        window_volumes = volumes.filter(
            award_id__in={r.award_id for r in in_window}, year_no__in={r.year_no for r in in_window}
        )
        by_month = dashboard.monthly_purchased(window_volumes, start, min(end, as_of))
        agreed = sum(r.progress.agreed for r in in_window)
        tables["year_curve"] = dashboard.year_curve(agreed=agreed, by_month=by_month, start=start, end=end, as_of=as_of)
    else:
        tables["year_curve"] = dashboard.year_curve(agreed=0, by_month={}, start=as_of, end=as_of, as_of=as_of)

    invoices = Invoice.objects.visible_to(user).filter(**in_region)
    summary = payments.payment_summary(invoices, as_of=as_of, bands=dashboard.AGE_BANDS)
    tables["aging"] = dashboard.aging_table(summary.owed, region_names=region_names)
    tables["late_by_month"] = dashboard.late_by_month(summary.late)
    tables["warnings"] = dashboard.open_warnings(Warning.objects.visible_to(user).filter(**in_region))
    return {
        "form": form,
        "region": region,
        "region_choices": [(c, n, "　" * (p.count("/") - depth)) for _id, c, n, p in subtree],
        "ancestors": regions.filter(code__in=region.ancestor_codes()).exclude(pk=region.pk).order_by("path"),
        "batches": batches,
        "batch": batch,
        "status": status,
        "statuses": STATUSES,
        "as_of": as_of,
        "as_of_defaulted": data["as_of"] is None,
        "latest": latest,
        "window": window,
        "rows": rows,
        "status_counts": dashboard.status_counts(rows),
        "tables": tables,
    }


@login_required
@require_safe
def region_dashboard(request):
    _region_users_only(request.user)
    return cached_page(request, "dashboard", "web/dashboard.html", _("辖区监测看板"), lambda: _page(request))


def _page(request) -> dict:
    context = _dashboard(request)
    tables = context["tables"]
    sort = listing.sort_table(tables["institutions"], request.GET.get("sort", ""))
    _link_institutions(tables["institutions"], context["as_of"])
    institutions = listing.page_of(request, tables["institutions"].rows, anchor="institutions")
    # A province has ~150 awards and hundreds of institutions that owe: those lists page too (the exports hold all).
    awards = listing.page_of(request, tables["awards"].rows, param="awards_page", anchor="awards")
    aging = listing.page_of(request, tables["aging"].rows, param="aging_page", anchor="aging")
    paged = {"institutions": institutions, "awards": awards, "aging": aging}
    query = request.GET.copy()  # the exports' filters: every row, whichever page is shown
    for param in ("page", "awards_page", "aging_page"):
        query.pop(param, None)
    totals = dashboard.aging_totals(tables["aging"])
    context.update(
        institutions_page=institutions,
        awards_page=awards,
        aging_page=aging,
        institution_headers=listing.headers(request, tables["institutions"], sort=sort, anchor="institutions"),
        query=query.urlencode(),
        aging_totals=totals,
        aging_totals_list=[(label, totals[key]) for key, label, kind in tables["aging"].columns if kind == "money"],
        display={name: table.display() for name, table in tables.items() if name not in ("progress", *paged)}
        | {name: tables[name].display(page.object_list) for name, page in paged.items()},
        open_warnings=sum(r["count"] for r in tables["warnings"].rows),
        charts={
            "completion_bands": dashboard.chart_data(tables["completion_bands"], "band", ["institutions"]),
            "year_curve": dashboard.chart_data(tables["year_curve"], "month", ["completion", "time_progress"]),
            "late_by_month": dashboard.chart_data(tables["late_by_month"], "month", ["late"]),
        },
    )
    return context


@login_required
@require_safe
def region_dashboard_export(request, table: str, fmt: str):
    if table not in EXPORTS or fmt not in TABLE_FORMATS:
        raise Http404
    context = _dashboard(request)
    chosen = context["tables"][table]
    listing.sort_table(chosen, request.GET.get("sort", ""))  # the order the page shows, where the column exists
    as_of: date = context["as_of"]
    return listing.export_response(chosen, fmt, f"{context['region'].code}-{table}-{as_of:%Y%m%d}")


def _link_institutions(table: dashboard.Table, as_of: date) -> None:
    """Drill-down: an institution's row opens its page as of the dashboard's day."""
    for row in table.rows:
        url = reverse("institution_detail", args=[row["institution"]])
        row["links"] = {"institution": f"{url}?as_of={as_of:%Y-%m-%d}"}
