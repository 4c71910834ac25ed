"""The web shell: one home page per kind of user and a few detail pages by platform key.

Every query here starts from `Model.objects.visible_to(request.user)` or `get_for_user` (SPEC §1): a view never
reads an unscoped table. Each list uses select_related so that a page costs a fixed number of queries.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from jicai.catalog.models import Award, AwardDistributor, Product
from jicai.core.scoping import get_for_user, user_kind
from jicai.orgs.models import Institution, Region
from jicai.policy.calendar import work_calendar
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment
from jicai.purchasing.payments import invoice_rows
from jicai.reports.status import region_status
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows
from jicai.web import todo
from jicai.web.dashboard import default_as_of

PAGE_SIZE = 50
LATEST = 20


def _page(request, queryset, param: str = "page", anchor: str = "") -> Page:
    """One page of `queryset`, with links to its neighbours that keep the other lists' page numbers."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def _awards(user):
    return Award.objects.visible_to(user).select_related("batch", "product__manufacturer", "province")


def _invoices(user):
    return (
        Invoice.objects.visible_to(user)
        .select_related("supplier", "institution")
        .annotate(paid=Sum("payments__amount"))
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
        return _home_company(request)
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
    }
    return render(request, "web/home_region.html", context)


def _todo(user, institution: Institution) -> dict:
    """The institution's to-do list as of today, or the day of its latest acceptance when its data stop earlier."""
    latest = Delivery.objects.visible_to(user).aggregate(latest=Max("accepted_on"))["latest"]
    as_of = default_as_of(latest, timezone.localdate())
    calendar = work_calendar()
    invoices = invoice_rows(Invoice.objects.visible_to(user), as_of=as_of, calendar=calendar)
    month = todo.last_data_month(as_of)
    reports, _summary = region_status(Institution.objects.filter(pk=institution.pk), month)
    return {
        "as_of": as_of,
        "soon_days": todo.SOON_WORKING_DAYS,
        "overdue": todo.overdue(invoices),
        "due_soon": todo.due_soon(
            invoices, as_of=as_of, until=calendar.add_working_days(as_of, todo.SOON_WORKING_DAYS)
        ),
        "behind": todo.behind_schedule(progress_rows(AgreedVolume.objects.visible_to(user), as_of=as_of)),
        "report_month": month,
        "report": reports[0] if reports else None,  # institutions that take no part do not report
    }


def _home_institution(request):
    user = request.user
    volumes = (
        AgreedVolume.objects.visible_to(user)
        .select_related("award__batch", "award__product__manufacturer")
        .order_by("award__batch__code", "award__product__generic_name", "award_id", "year_no")
    )
    institution = user.membership.institution
    context = {
        "institution": institution,
        **_todo(user, institution),
        "volumes": volumes,
        "orders": _orders(user).order_by("-ordered_on", "-id")[:LATEST],
        "invoices": _invoices(user)[:LATEST],
    }
    return render(request, "web/home_institution.html", context)


def _home_company(request):
    user = request.user
    company = user.membership.company
    products = Product.objects.visible_to(user).filter(manufacturer_id=company.pk).order_by("generic_name", "code")
    institutions = Institution.objects.visible_to(user).select_related("region").order_by("code")
    context = {
        "company": company,
        "products": products,
        "awards": _page(request, _awards(user), "awards_page", "awards"),
        "institutions": _page(request, institutions, anchor="institutions"),
        "invoices": _page(request, _invoices(user), "invoices_page", "invoices"),
    }
    return render(request, "web/home_company.html", context)


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
    return render(request, "web/institution_detail.html", {"institution": institution, "volumes": volumes})


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
