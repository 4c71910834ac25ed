"""The web shell: one home page per kind of user and a few detail pages by platform key.

Every query here starts from `Model.objects.visible_to(request.user)` or `get_for_user` (SPEC §1): a view never
reads an unscoped table. Each list uses select_related so that a page costs a fixed number of queries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db.models import Count, Max
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from jicai.catalog.models import Award, AwardDistributor
from jicai.core.scoping import can_write, get_for_user, user_kind
from jicai.orgs.models import Institution, Region
from jicai.policy.calendar import work_calendar
from jicai.policy.rules.supply import week_of
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment
from jicai.purchasing.payments import invoice_rows, paid_sum
from jicai.reports.status import region_status
from jicai.supply.weeks import checked_awards, held_awards
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows
from jicai.web import company_views, dashboard, drill, listing, todo
from jicai.web.cached import cached_page
from jicai.web.dashboard import default_as_of

PAGE_SIZE = 50
LATEST = 20


def _page(request, queryset, param: str = "page", anchor: str = "") -> Page:
    return listing.page_of(request, queryset, param, anchor, size=PAGE_SIZE)


def _awards(user):
    return Award.objects.visible_to(user).select_related("batch", "product__manufacturer", "province")


def _invoices(user):
    return (
        Invoice.objects.visible_to(user)
        .select_related("supplier", "institution")
        .annotate(paid=paid_sum())
        .order_by("-issued_on", "-id")
    )


def _orders(user):
    return Order.objects.visible_to(user).select_related("product", "distributor", "institution")


@login_required
@require_safe
def home(request):
    user = request.user
    kind = user_kind(user)
    if kind == "region":
        return _home_region(request)
    if kind == "institution":
        return _home_institution(request)
    if kind == "company":
        return render(request, "web/home_company.html", company_views.home_context(request))
    return render(request, "web/home_admin.html" if kind == "admin" else "web/home_none.html", {"kind": kind})


def _home_region(request):
    user = request.user
    region = user.membership.region
    regions_below = (
        Region.objects.visible_to(user)
        .filter(path__startswith=region.path)
        .exclude(pk=region.pk)
        .select_related("parent")
        .annotate(institution_count=Count("institutions"))
        .order_by("path")  # Meta.ordering does not apply to a GROUP BY query
    )
    institutions = Institution.objects.visible_to(user).select_related("region").order_by("region__path", "code")
    context = {
        "region": region,
        "regions_below": regions_below,
        "institutions": _page(request, institutions, anchor="institutions"),
        "awards": _page(request, _awards(user), "awards_page", "awards"),
        "order_count": Order.objects.visible_to(user).count(),
        "invoice_count": Invoice.objects.visible_to(user).count(),
        "can_write": can_write(user),  # a health commission or a viewer reads only: no links to write pages
    }
    return render(request, "web/home_region.html", context)


def _todo(request, institution: Institution) -> dict:
    """The institution's to-do list as of today, or the day of its latest acceptance when its data stop earlier."""
    user = request.user
    latest = Delivery.objects.visible_to(user).aggregate(latest=Max("accepted_on"))["latest"]
    as_of = default_as_of(latest, timezone.localdate())
    calendar = work_calendar()
    invoices = invoice_rows(todo.unpaid(Invoice.objects.visible_to(user), as_of), as_of=as_of, calendar=calendar)
    month = todo.last_data_month(as_of)
    reports, _summary = region_status(Institution.objects.filter(pk=institution.pk), month)
    overdue = todo.overdue(invoices)
    due_soon = todo.due_soon(invoices, as_of=as_of, until=calendar.add_working_days(as_of, todo.SOON_WORKING_DAYS))
    return {
        "as_of": as_of,
        "soon_days": todo.SOON_WORKING_DAYS,
        "overdue": overdue,
        "due_soon": due_soon,
        # one table, overdue first, in short pages: a city hospital can have hundreds, and this page is the one
        # every clerk opens first
        "todo_invoices": listing.page_of(request, overdue + due_soon, "todo_page", "todo-invoices", size=LATEST),
        "behind": todo.behind_schedule(progress_rows(AgreedVolume.objects.visible_to(user), as_of=as_of)),
        "report_month": month,
        "report": reports[0] if reports else None,  # institutions that take no part do not report
        **_supply_week(institution, as_of),
    }


def _supply_week(institution: Institution, as_of: date) -> dict:
    """This week's supply check: how many held awards are still unchecked (none held: nothing to check)."""
    week = week_of(as_of)
    one = Institution.objects.filter(pk=institution.pk)
    held = held_awards(one, week).get(institution.pk, set())
    checked = checked_awards(one, week).get(institution.pk, {})
    return {"supply_week": week, "supply_held": len(held), "supply_unchecked": len(held - checked.keys())}


def _home_institution(request):
    return cached_page(request, "home", "web/home_institution.html", _("首页"), lambda: _institution_page(request))


def _institution_page(request) -> dict:
    user = request.user
    volumes = (
        AgreedVolume.objects.visible_to(user)
        .select_related("award__batch", "award__product__manufacturer")
        .order_by("award__batch__code", "award__product__generic_name", "award_id", "year_no")
    )
    institution = Institution.objects.select_related("region").get(pk=user.membership.institution_id)
    return {
        "institution": institution,
        **_todo(request, institution),
        "volumes": volumes,
        "orders": _orders(user).order_by("-ordered_on", "-id")[:LATEST],
        "invoices": _invoices(user)[:LATEST],
    }


def _as_of(request, deliveries) -> date:
    """The day a drill-down page shows: ?as_of= (passed down from the dashboard), else today or the latest
    acceptance among `deliveries` (already scoped) when that is earlier."""
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        latest = deliveries.aggregate(latest=Max("accepted_on"))["latest"]
        return default_as_of(latest, timezone.localdate())


@login_required
@require_safe
def institution_detail(request, code: str):
    user = request.user
    institution = get_for_user(Institution.objects.select_related("region"), user, code=code)
    volumes = (
        AgreedVolume.objects.visible_to(user)
        .filter(institution=institution)
        .select_related("award__batch", "award__product__manufacturer", "award__province")
        .order_by("award__batch__code", "award__product__generic_name", "award_id", "year_no")
    )
    as_of = _as_of(request, Delivery.objects.visible_to(user).filter(institution=institution))
    progress = dashboard.progress_table(progress_rows(volumes, as_of=as_of), region_names={}).only(
        ("award_id", "product", "generic_name", "spec", "year_no", "agreed", "purchased", "completion")
        + ("time_progress", "projected", "status")
    )
    for row in progress.rows:  # drill-down: this institution's deliveries and invoices of the award
        url = reverse("institution_award", args=[institution.code, row["award_id"]])
        row["links"] = {"generic_name": f"{url}?as_of={as_of:%Y-%m-%d}"}
    context = {
        "institution": institution,
        "volumes": volumes,
        "as_of": as_of,
        "progress": progress,
        "progress_rows": progress.display(),
    }
    return render(request, "web/institution_detail.html", context)


@login_required
@require_safe
def institution_award(request, code: str, pk: int):
    """One institution × one award: its progress, and the deliveries and invoices behind it."""
    user = request.user
    institution = get_for_user(Institution.objects.select_related("region"), user, code=code)
    award = get_for_user(Award.objects.select_related("batch", "product__manufacturer", "province"), user, pk=pk)
    deliveries = Delivery.objects.visible_to(user).filter(institution=institution, product_id=award.product_id)
    as_of = _as_of(request, deliveries)
    volumes = AgreedVolume.objects.visible_to(user).filter(institution=institution, award=award)
    rows = progress_rows(volumes, as_of=as_of)
    lines = InvoiceLine.objects.filter(delivery__institution=institution, delivery__product_id=award.product_id)
    invoices = Invoice.objects.visible_to(user).filter(institution=institution, pk__in=lines.values("invoice_id"))
    tables = {
        "deliveries": drill.deliveries_table(
            deliveries.select_related("order__distributor").order_by("-accepted_on", "-delivered_on", "delivery_id")
        ),
        "invoices": drill.invoices_table(
            sorted(invoice_rows(invoices, as_of=as_of), key=lambda r: (r.issued_on, r.invoice_no), reverse=True)
        ),
    }
    context = {
        "institution": institution,
        "award": award,
        "as_of": as_of,
        "progress": rows[0] if rows else None,
        "volumes": volumes.order_by("year_no"),
        "tables": tables,
    }
    for name, table in tables.items():
        page_param, sort_param = f"{name}_page", f"{name}_sort"
        sort = listing.sort_table(table, request.GET.get(sort_param, ""))
        page = listing.page_of(request, table.rows, page_param, name)
        context[f"{name}_page"] = page
        context[f"{name}_rows"] = table.display(page.object_list)
        context[f"{name}_headers"] = listing.headers(
            request, table, sort=sort, param=sort_param, page_param=page_param, anchor=name
        )
    return render(request, "web/institution_award.html", context)


@login_required
@require_safe
def award_detail(request, pk: int):
    user = request.user
    award = get_for_user(Award.objects.select_related("batch", "product__manufacturer", "province"), user, pk=pk)
    distributors = (
        AwardDistributor.objects.visible_to(user)
        .filter(award=award)
        .select_related("region", "distributor")
        .order_by("region__path", "distributor__code")
    )
    return render(request, "web/award_detail.html", {"award": award, "distributors": distributors})


@login_required
@require_safe
def invoice_detail(request, invoice_no: str):
    user = request.user
    invoice = get_for_user(Invoice.objects.select_related("supplier", "institution"), user, invoice_no=invoice_no)
    lines = (
        InvoiceLine.objects.visible_to(user)
        .filter(invoice=invoice)
        .select_related("delivery__product", "delivery__order")
        .order_by("delivery__delivery_id")
    )
    payments = Payment.objects.visible_to(user).filter(invoice=invoice).order_by("paid_on", "payment_id")
    paid = sum((p.amount for p in payments), start=Decimal("0.00"))
    context = {"invoice": invoice, "lines": lines, "payments": payments, "paid": paid, "unpaid": invoice.amount - paid}
    return render(request, "web/invoice_detail.html", context)


@login_required
@require_safe
def order_detail(request, order_id: str):
    user = request.user
    order = get_for_user(
        Order.objects.select_related("institution", "product__manufacturer", "distributor"), user, order_id=order_id
    )
    deliveries = Delivery.objects.visible_to(user).filter(order=order).order_by("delivered_on", "delivery_id")
    accepted = sum(d.quantity for d in deliveries if d.accepted_on)
    return render(request, "web/order_detail.html", {"order": order, "deliveries": deliveries, "accepted": accepted})
