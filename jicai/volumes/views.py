"""Bureau pages for agreed volumes: decompose (preview, commit), reallocate, export, and a volume's history.

Reads go through `visible_to` / `get_for_user` (another region's award, region or institution is a 404); writes
call the services in `jicai.volumes.allocation`, which check the role again. Viewers and health commissions may look
at a preview and download it; a POST from them is a 403 and changes nothing. The list of agreed volumes and their
progress (`volumes:list`) is read-only for everyone: it is what the volumes are "通报" to a health commission with.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_safe

from jicai.catalog.models import Award
from jicai.core.downloads import attachment
from jicai.core.scoping import can_write, get_for_user, user_kind
from jicai.orgs.models import Institution, Region
from jicai.purchasing.models import Delivery
from jicai.volumes.allocation import (
    AllocationError,
    Move,
    commit_allocation,
    current_allocation,
    preview_allocation,
    reallocate,
)
from jicai.volumes.exports import filename, share_rows_for_screen, write_allocation
from jicai.volumes.forms import AllocationForm, ExportForm, ReallocationForm
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange
from jicai.volumes.progress import progress_rows
from jicai.web import dashboard, listing
from jicai.web.dashboard import default_as_of

PARAMS = ("award", "region", "year_no", "total", "keep_total")


def _bureau_only(user) -> None:
    """The allocation pages are for region users (bureau or health commission) and the administrator."""
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied


def _awards(user):
    return (
        Award.objects.visible_to(user)
        .select_related("batch", "product__manufacturer", "province")
        .order_by("province__code", "batch__code", "product__generic_name", "product__code")
    )


def _regions(user):
    """Regions the user may decompose: their own and below (every region for the administrator)."""
    regions = Region.objects.visible_to(user)
    if not user.is_superuser:
        regions = regions.filter(path__startswith=user.membership.region.path)
    return regions.order_by("path")


def _default_region(user) -> str:
    return user.membership.region.code if not user.is_superuser else ""


class ListForm(forms.Form):
    award = forms.IntegerField(label=_l("中选药品"), required=False)
    region = forms.CharField(label=_l("区划"), required=False)
    year_no = forms.IntegerField(label=_l("协议年度"), min_value=1, max_value=100, required=False)
    as_of = forms.DateField(label=_l("统计截止日"), required=False)
    format = forms.ChoiceField(choices=[("", ""), ("xlsx", "xlsx"), ("csv", "csv")], required=False)


@login_required
@require_safe
def volume_list(request):
    """Agreed volumes of one award in a region: per direct sub-region and per institution, with progress."""
    user = request.user
    _bureau_only(user)
    form = ListForm(request.GET)
    if not form.is_valid():
        raise Http404  # a malformed number or date: nothing to show
    data = form.cleaned_data
    awards, regions = _awards(user), _regions(user)
    region = get_for_user(regions, user, code=data["region"] or _default_region(user) or regions.first().code)
    in_region = AgreedVolume.objects.visible_to(user).filter(institution__region__path__startswith=region.path)
    held = awards.filter(pk__in=in_region.values("award_id"))
    award = get_for_user(held, user, pk=data["award"]) if data["award"] else held.first()
    volumes = in_region.filter(award=award) if award else in_region.none()
    latest = Delivery.objects.visible_to(user).filter(institution__region__path__startswith=region.path)
    latest = latest.aggregate(latest=Max("accepted_on"))["latest"]
    as_of = data["as_of"] or default_as_of(latest, timezone.localdate())
    rows = progress_rows(volumes, as_of=as_of, year_no=data["year_no"])
    subtree = list(regions.filter(path__startswith=region.path).values_list("id", "code", "name", "path"))
    names = {rid: name for rid, _code, name, _path in subtree}
    depth = region.path.count("/")
    children = [r for r in subtree if r[3].count("/") == depth + 1]
    below = {rid: child[0] for rid, _c, _n, path in subtree for child in children if path.startswith(child[3])}
    institutions = dashboard.progress_table(rows, region_names=names).only(
        ("institution", "institution_name", "region", "year_no", "agreed", "purchased", "completion")
        + ("time_progress", "projected", "status")
    )
    sort = listing.sort_table(institutions, request.GET.get("sort", ""))
    if data["format"]:
        name = f"{region.code}-{award.pk if award else 0}-volumes-{as_of:%Y%m%d}"
        return listing.export_response(institutions, data["format"], name)
    for row in institutions.rows:
        row["links"] = {
            "agreed": reverse("volumes:history", args=[row["award_id"], row["institution"], row["year_no"]]),
            "institution_name": reverse("institution_award", args=[row["institution"], row["award_id"]])
            + f"?as_of={as_of:%Y-%m-%d}",
        }
    page = listing.page_of(request, institutions.rows, anchor="institutions")
    sub_regions = dashboard.region_table(rows, children=children, below=below)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "awards": held,
        "award": award,
        "region": region,
        "region_choices": [(c, n, "　" * (p.count("/") - depth)) for _id, c, n, p in subtree],
        "year_no": rows[0].year_no if rows else data["year_no"],
        "as_of": as_of,
        "rows": rows,
        "agreed": sum(r.progress.agreed for r in rows),
        "purchased": sum(r.progress.purchased for r in rows),
        "status_counts": dashboard.status_counts(rows),
        "sub_regions": sub_regions,
        "sub_region_rows": sub_regions.display(),
        "institutions": institutions,
        "institution_rows": institutions.display(page.object_list),
        "institution_headers": listing.headers(request, institutions, sort=sort, anchor="institutions"),
        "page": page,
        "exports": [(label, f"?{query.urlencode()}&format={fmt}") for fmt, label in (("xlsx", "XLSX"), ("csv", "CSV"))],
        "can_write": can_write(user),
    }
    return render(request, "volumes/list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def allocate(request):
    user = request.user
    _bureau_only(user)
    if request.method == "POST" and not can_write(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    awards, regions = _awards(user), _regions(user)
    chosen = "award" in data and "region" in data
    form = AllocationForm(
        data if chosen else None,
        awards=awards,
        regions=regions,
        initial={"region": _default_region(user), "year_no": 1},
    )
    context = {"form": form, "can_write": can_write(user)}
    if chosen:
        award, region = _award_and_region(user, data, awards, regions)
        context.update(award=award, region=region)
        if form.is_valid():
            options = _options(form)
            try:
                allocation = preview_allocation(award=award, region=region, by=user, **options)
            except AllocationError as exc:
                form.add_error(None, str(exc))
            else:
                if request.method == "POST":
                    written = commit_allocation(allocation=allocation, by=user)
                    messages.success(request, _("已写入 %(n)d 条约定采购量，变更已记入历史。") % {"n": written})
                    return redirect(f"{reverse('volumes:allocate')}?{_query(form)}")
                context.update(
                    allocation=allocation,
                    rows=share_rows_for_screen(allocation),
                    changed=len(allocation.changed()),
                    query=_query(form),
                    commit_fields=_fields(form),
                )
    return render(request, "volumes/allocate.html", context)


def _award_and_region(user, data, awards, regions):
    """The chosen award and region, or 404 when either is outside the user's scope (or not a number)."""
    try:
        award_pk = int(data.get("award", ""))
    except ValueError:
        award_pk = 0
    award = get_for_user(awards, user, pk=award_pk)
    region = get_for_user(regions, user, code=data.get("region", ""))
    return award, region


def _options(form) -> dict:
    data = form.cleaned_data
    return {"year_no": data["year_no"], "total": data["total"], "keep_held_total": data["keep_total"]}


def _fields(form) -> list[tuple[str, str]]:
    """The chosen parameters as (name, value): the query string of links, the hidden fields of the commit."""
    data = form.cleaned_data
    params = [("award", data["award"]), ("region", data["region"]), ("year_no", data["year_no"])]
    if data.get("total") is not None:
        params.append(("total", data["total"]))
    if data.get("keep_total"):
        params.append(("keep_total", "on"))
    return [(k, str(v)) for k, v in params]


def _query(form) -> str:
    return urlencode(_fields(form))


@login_required
@require_safe
def export(request):
    """The allocation table as xlsx, csv or json: the preview, or (current=1) the volumes held now."""
    user = request.user
    _bureau_only(user)
    awards, regions = _awards(user), _regions(user)
    award, region = _award_and_region(user, request.GET, awards, regions)
    form = ExportForm(request.GET, awards=awards, regions=regions)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    try:
        if form.cleaned_data["current"]:
            allocation = current_allocation(award=award, region=region, by=user, year_no=form.cleaned_data["year_no"])
        else:
            allocation = preview_allocation(award=award, region=region, by=user, **_options(form))
    except AllocationError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    fmt = form.cleaned_data["format"]
    return attachment(lambda buffer: write_allocation(allocation, fmt, buffer), filename(allocation, fmt))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reallocate_view(request):
    user = request.user
    _bureau_only(user)
    if request.method == "POST" and not can_write(user):
        raise PermissionDenied
    awards = _awards(user)
    if request.method == "POST":
        form = ReallocationForm(request.POST, awards=awards)
        if form.is_valid():
            data = form.cleaned_data
            award = get_for_user(awards, user, pk=data["award"])
            institutions = Institution.objects.select_related("region")
            source = get_for_user(institutions, user, code=data["source"])
            target = get_for_user(institutions, user, code=data["target"])
            try:
                reallocate(
                    award=award,
                    year_no=data["year_no"],
                    moves=[Move(source, target, data["quantity"])],
                    reason=data["reason"],
                    by=user,
                )
            except AllocationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已从 %(source)s 调剂 %(quantity)d 到 %(target)s，总量不变。")
                    % {"source": source.name, "target": target.name, "quantity": data["quantity"]},
                )
                return redirect(
                    reverse("volumes:history", args=[award.pk, target.code, data["year_no"]])
                    + "?"
                    + urlencode({"other": source.code})
                )
    else:
        initial = {k: request.GET[k] for k in ("award", "year_no", "source", "target") if k in request.GET}
        form = ReallocationForm(initial={"year_no": 1, **initial}, awards=awards)
    return render(request, "volumes/reallocate.html", {"form": form, "can_write": can_write(user)})


@login_required
@require_safe
def history(request, award: int, institution: str, year_no: int):
    """Every change of one agreed volume: allocation, reallocation, import — who, when, why."""
    user = request.user
    volume = get_for_user(
        AgreedVolume.objects.select_related("institution__region", "award__batch", "award__product"),
        user,
        award_id=award,
        institution__code=institution,
        year_no=year_no,
    )
    changes = AgreedVolumeChange.objects.visible_to(user).filter(volume=volume).select_related("by")
    other = None
    if "other" in request.GET:
        other = (
            AgreedVolume.objects.visible_to(user)
            .filter(award_id=award, year_no=year_no, institution__code=request.GET["other"])
            .select_related("institution")
            .first()
        )
    context = {
        "volume": volume,
        "changes": changes,
        "other": other,
        "can_reallocate": user_kind(user) in ("region", "admin") and can_write(user),
    }
    return render(request, "volumes/history.html", context)
