"""Bureau pages for agreed volumes: decompose (preview, commit), reallocate, export, and a volume's history.

Reads go through `visible_to` / `get_for_user` (another region's award, region or institution is a 404); writes
call the services in `jicai.volumes.allocation`, which check the role again. Viewers and health commissions may look
at a preview and download it; a POST from them is a 403 and changes nothing.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from jicai.catalog.models import Award
from jicai.core.scoping import can_write, get_for_user, user_kind
from jicai.orgs.models import Institution, Region
from jicai.volumes.allocation import (
    AllocationError,
    Move,
    commit_allocation,
    current_allocation,
    preview_allocation,
    reallocate,
)
from jicai.volumes.exports import CONTENT_TYPES, filename, share_rows_for_screen, write_allocation
from jicai.volumes.forms import AllocationForm, ExportForm, ReallocationForm
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange

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
    buffer = io.BytesIO()
    write_allocation(allocation, fmt, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    name = filename(allocation, fmt)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


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
