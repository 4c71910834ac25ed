"""A company's home page and its exports (issue 6, item 3): volumes and progress of its products by region and by
institution, what each institution owes it and since when, every unpaid invoice.

Volumes come from `AgreedVolume.objects.visible_to(user)` (a manufacturer's products; a distributor holds none),
invoices from `Invoice.objects.visible_to(user)`: those the company issued and those of its products. The long
tables are sorted on the server and paginated; the exports take the same query string.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from jicai.catalog.models import Award, Product
from jicai.core.scoping import user_kind
from jicai.orgs.models import Institution
from jicai.policy.models import PolicyProfile
from jicai.purchasing import payments
from jicai.purchasing.models import Delivery, Invoice
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows
from jicai.web import company as tables_of
from jicai.web import dashboard, listing

EXPORTS = ("regions", "progress", "owed", "invoices")
# table → (page parameter, sort parameter, anchor)
PAGING = {
    "regions": ("regions_page", "regions_sort", "regions"),
    "progress": ("page", "sort", "progress"),
    "owed": ("owed_page", "owed_sort", "owed"),
    "invoices": ("invoices_page", "invoices_sort", "invoices"),
}


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("统计截止日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _company_only(user) -> None:
    if user_kind(user) != "company":
        raise PermissionDenied


def company_tables(request) -> dict:
    """Everything the company page and its exports show, as of the chosen day."""
    user = request.user
    company = user.membership.company
    form = AsOfForm(request.GET)
    if not form.is_valid():
        raise Http404  # a malformed date: nothing to show
    # Invoices follow their deliveries: the data stop at the later of the last acceptance and the last invoice.
    latest = max(
        (
            day
            for day in (
                Delivery.objects.visible_to(user).aggregate(day=Max("accepted_on"))["day"],
                Invoice.objects.visible_to(user).aggregate(day=Max("issued_on"))["day"],
            )
            if day is not None
        ),
        default=None,
    )
    as_of = form.cleaned_data["as_of"] or dashboard.default_as_of(latest, timezone.localdate())

    rows = progress_rows(AgreedVolume.objects.visible_to(user), as_of=as_of)
    # The invoices it issued and those of its products issued by its distributors: what it is owed for.
    invoices = Invoice.objects.visible_to(user)
    owed = payments.payment_summary(invoices, as_of=as_of, bands=()).owed
    # The regions of the institutions in those (scoped) rows: by their ids, which is much cheaper than the
    # company's scope of institutions (every relation that links an institution to a company).
    ids = {r.institution_id for r in rows} | {o.institution_id for o in owed}
    located = Institution.objects.filter(pk__in=ids).values_list("id", "region_id", "region__name")
    region_names = {region_id: name for _pk, region_id, name in located}
    progress = dashboard.progress_table(rows, region_names=region_names).only(
        ("institution", "institution_name", "region", "generic_name", "spec", "year_no", "agreed", "purchased")
        + ("completion", "time_progress", "projected", "status")
    )
    for row in progress.rows:  # drill-down: the institution's deliveries and invoices of this award
        row["links"] = {
            "generic_name": reverse("institution_award", args=[row["institution"], row["award_id"]])
            + f"?as_of={as_of:%Y-%m-%d}"
        }
    return {
        "company": company,
        "as_of": as_of,
        "as_of_defaulted": form.cleaned_data["as_of"] is None,
        "rows": rows,
        "tables": {
            "regions": tables_of.region_progress_table(
                rows, region_names=region_names, lag_ratio=PolicyProfile().lag_ratio
            ),
            "progress": progress,
            "owed": tables_of.owed_table(owed, region_names=region_names),
            "invoices": tables_of.unpaid_invoices_table(payments.unpaid_invoices(invoices, as_of=as_of)),
        },
    }


def home_context(request) -> dict:
    """The company home page's context (the home view dispatches here for company users)."""
    user = request.user
    context = company_tables(request)
    company = context["company"]
    query = request.GET.urlencode()
    pages, headers, exports, display = {}, {}, {}, {}
    for name, table in context["tables"].items():
        page_param, sort_param, anchor = PAGING[name]
        sort = listing.sort_table(table, request.GET.get(sort_param, ""))
        page = listing.page_of(request, table.rows, page_param, anchor)
        pages[name] = page
        display[name] = table.display(page.object_list)
        headers[name] = listing.headers(request, table, sort=sort, param=sort_param, page_param=page_param,
                                        anchor=anchor)  # fmt: skip
        exports[name] = [
            (label, f"{reverse('company_export', args=[name, fmt])}?{query}")
            for fmt, label in (("xlsx", "XLSX"), ("csv", "CSV"))
        ]
    owed = context["tables"]["owed"]
    context.update(
        products=Product.objects.visible_to(user).filter(manufacturer_id=company.pk).order_by("generic_name", "code"),
        awards=listing.page_of(
            request,
            Award.objects.visible_to(user).select_related("batch", "product__manufacturer", "province"),
            "awards_page",
            "awards",
        ),
        pages=pages,
        headers=headers,
        exports=exports,
        display=display,
        status_counts=dashboard.status_counts(context["rows"]),
        owed_totals=tables_of.totals(owed, ["outstanding", "not_due", "overdue"]),
    )
    return context


@login_required
@require_safe
def company_export(request, table: str, fmt: str):
    _company_only(request.user)
    if table not in EXPORTS:
        raise Http404
    context = company_tables(request)
    chosen = context["tables"][table]
    listing.sort_table(chosen, request.GET.get(PAGING[table][1], ""))
    return listing.export_response(chosen, fmt, f"{context['company'].code}-{table}-{context['as_of']:%Y%m%d}")


@login_required
@require_safe
def company_home(request):
    _company_only(request.user)
    return render(request, "web/home_company.html", home_context(request))
