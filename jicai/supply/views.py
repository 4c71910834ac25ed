"""Supply pages (SPEC §4.13): the institution's weekly check, the bureau's week map, shortage cases, the extra
cost charged to companies, and the distributors named for each award.

Reads start from `visible_to` / `get_for_user` (another organisation's case is a 404); writes call
`jicai.supply.services` or `jicai.catalog.services`, which check the role again.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jicai.catalog.models import Award, AwardDistributor
from jicai.catalog.services import DistributorError, name_distributor, remove_distributor
from jicai.core.downloads import table_download
from jicai.core.scoping import can_write, get_for_user, user_kind
from jicai.orgs.models import Company, Institution, Region
from jicai.policy.rules.supply import NORMAL, STATUSES, week_end, week_of
from jicai.supply.costs import PURCHASE_COLUMNS, company_rows
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck, SupplyReminder
from jicai.supply.services import (
    Answer,
    SupplyError,
    add_substitute,
    answer_case,
    close_case,
    open_case,
)
from jicai.supply.services import record_week as record_week_service
from jicai.supply.weeks import WEEK_COLUMNS, held_awards, week_map, week_rows
from jicai.web.listing import page_of


def _week(text: str | None, latest: date | None = None) -> date:
    """The week asked for; by default the current one, or the latest week with checks when that is earlier
    (a demo or an archive whose data stop before today)."""
    if not text:
        current = week_of(timezone.localdate())
        return min(current, latest) if latest else current
    try:
        return week_of(date.fromisoformat(text))
    except ValueError:
        raise Http404 from None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        raise SupplyError(_("日期应为 YYYY-MM-DD")) from None


def _bureau_regions(user):
    """The regions a region user may pick: its own and below (the administrator: all)."""
    regions = Region.objects.visible_to(user)
    if not user.is_superuser:
        regions = regions.filter(path__startswith=user.membership.region.path)
    return regions.order_by("path")


def _picked_region(user, code: str | None) -> Region:
    regions = _bureau_regions(user)
    if code:
        return get_for_user(regions, user, code=code)
    region = user.membership.region if not user.is_superuser else regions.first()
    if region is None:
        raise Http404
    return region


def _is_institution_writer(user) -> bool:
    return user_kind(user) == "institution" and can_write(user)


def _is_bureau_writer(user, region: Region) -> bool:
    if user.is_superuser:
        return True
    m = getattr(user, "membership", None)
    return bool(m and m.region_id and can_write(user) and region.path.startswith(m.region.path))


@login_required
@require_safe
def index(request):
    kind = user_kind(request.user)
    if kind == "institution":
        return redirect("supply:check")
    if kind in ("region", "admin"):
        return redirect("supply:week")
    if kind == "company":
        return redirect("supply:cases")
    raise PermissionDenied


# The institution's weekly check


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check(request):
    """All the institution's awards on one page, one submit; pre-filled with this week's answers, else last
    week's. Only the current week can be written (the week closes on its Sunday)."""
    user = request.user
    if user_kind(user) != "institution":
        raise PermissionDenied
    institution = user.membership.institution
    current = week_of(timezone.localdate())
    mine = Institution.objects.filter(pk=institution.pk)
    week = request.GET.get("week") or request.POST.get("week")
    if week:
        week = _week(week)
    elif held_awards(mine, current):
        week = current
    else:  # nothing to check this week: the latest week it was asked about (a demo or an archive)
        latest = SupplyReminder.objects.visible_to(user).filter(institution=institution).aggregate(w=Max("week"))["w"]
        latest_check = SupplyCheck.objects.visible_to(user).filter(institution=institution).aggregate(w=Max("week"))
        week = max(filter(None, (latest, latest_check["w"])), default=current)
    held = held_awards(mine, week).get(institution.pk, set())
    awards = list(
        Award.objects.visible_to(user)
        .filter(pk__in=held)
        .select_related("product__manufacturer", "batch")
        .order_by("product__generic_name", "pk")
    )
    writer = _is_institution_writer(user) and week <= current
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        return _post_check(request, institution, week, awards)
    checks = SupplyCheck.objects.visible_to(user).filter(institution=institution, week__in=[week, week - timedelta(7)])
    answers = {(c.week, c.award_id): c for c in checks.only("week", "award", "status", "note", "checked_at")}
    rows = []
    for a in awards:
        this = answers.get((week, a.pk))
        last = answers.get((week - timedelta(7), a.pk))
        shown = this or last
        rows.append(
            {
                "award": a,
                "status": shown.status if shown else NORMAL,
                "note": shown.note if shown else "",
                "recorded": this is not None,
                "late": bool(this and this.late),
                "from_last": this is None and last is not None,
                # the current week is open to corrections; an earlier week only to answers still missing
                "editable": writer and (week == current or this is None),
            }
        )
    reminders = SupplyReminder.objects.visible_to(user).filter(institution=institution)[:5]
    context = {
        "institution": institution,
        "week": week,
        "week_end": week_end(week),
        "previous": week - timedelta(7),
        "next": week + timedelta(7) if week < current else None,
        "rows": rows,
        "recorded": sum(1 for r in rows if r["recorded"]),
        "editable": any(r["editable"] for r in rows),
        "late_week": week < current,
        "statuses": SupplyCheck.Status.choices,
        "reminders": reminders,
    }
    return render(request, "supply/check.html", context)


def _post_check(request, institution, week, awards):
    data = request.POST
    answers, unanswered = [], []
    if week < week_of(timezone.localdate()):  # a past week: only the answers still missing are taken
        done = set(SupplyCheck.objects.filter(institution=institution, week=week).values_list("award_id", flat=True))
        awards = [a for a in awards if a.pk not in done]
    for a in awards:
        status = data.get(f"status_{a.pk}", "")
        if status not in STATUSES:
            unanswered.append(str(a.product.generic_name))
            continue
        answers.append(Answer(a, status, data.get(f"note_{a.pk}", "")))
    if unanswered:
        messages.error(request, _("以下品种未选择供应情况：%(names)s") % {"names": "、".join(unanswered)})
        return redirect(f"{reverse('supply:check')}?week={week}")
    try:
        written = record_week_service(institution=institution, week=week, answers=answers, by=request.user)
    except SupplyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存本周供应情况（%(n)d 项有变化）。") % {"n": len(written)})
    return redirect(f"{reverse('supply:check')}?week={week}")


# The bureau's week map


def _region_user(user) -> None:
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied


def _region_week(request):
    """The region and week asked for, and that week's map."""
    user = request.user
    region = _picked_region(user, request.GET.get("region"))
    institutions = Institution.objects.visible_to(user).filter(region__path__startswith=region.path)
    latest = SupplyCheck.objects.filter(institution__in=institutions).aggregate(w=Max("week"))["w"]
    return region, week_map(institutions, _week(request.GET.get("week"), latest))


@login_required
@require_safe
def week(request):
    user = request.user
    _region_user(user)
    region, m = _region_week(request)
    context = {
        "region": region,
        "regions": _bureau_regions(user),
        "week": m.week,
        "week_end": week_end(m.week),
        "previous": m.week - timedelta(7),
        "next": m.week + timedelta(7),
        "map": m,
        "problems": sum(1 for a in m.awards if a.has_problem),
        "awards": page_of(request, m.awards, "awards_page"),
        "missing": page_of(request, m.missing, "missing_page"),
        "open_cases": ShortageCase.objects.visible_to(user)
        .filter(region__path__startswith=region.path)
        .exclude(status=ShortageCase.Status.CLOSED)
        .count(),
    }
    return render(request, "supply/week.html", context)


@login_required
@require_safe
def week_export(request, fmt: str):
    user = request.user
    _region_user(user)
    region, m = _region_week(request)
    rows = week_rows(m)
    return table_download(
        [str(h) for _f, h in WEEK_COLUMNS],
        ([r[f] for f, _h in WEEK_COLUMNS] for r in rows),
        fmt,
        f"{region.name}中选药品供应情况周报_{m.week}",
    )


# Shortage cases


def _cases(user):
    return ShortageCase.objects.visible_to(user).select_related("award__product", "company", "institution", "region")


@login_required
@require_safe
def cases(request):
    user = request.user
    if user_kind(user) is None:
        raise PermissionDenied
    qs = _cases(user)
    status = request.GET.get("status", "")
    if status in ShortageCase.Status.values:
        qs = qs.filter(status=status)
    kind = user_kind(user)
    context = {
        "page": page_of(request, qs.order_by("-opened_on", "-id")),
        "status": status,
        "statuses": ShortageCase.Status.choices,
        "can_open": (kind == "institution" and can_write(user))
        or (kind == "region" and _is_bureau_writer(user, user.membership.region))
        or kind == "admin",
    }
    return render(request, "supply/cases.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_open(request):
    user = request.user
    kind = user_kind(user)
    if kind == "institution":
        if not can_write(user):
            raise PermissionDenied
        regions = None
    elif kind in ("region", "admin"):
        if kind == "region" and not _is_bureau_writer(user, user.membership.region):
            raise PermissionDenied
        regions = _bureau_regions(user)
    else:
        raise PermissionDenied
    awards = Award.objects.visible_to(user).select_related("product__manufacturer", "batch", "province")
    context = {"awards": awards, "regions": regions, "kinds": ShortageCase.Kind.choices, "data": request.POST}
    if request.method == "POST":
        data = request.POST
        try:
            award = get_for_user(awards, user, pk=data.get("award") if str(data.get("award", "")).isdigit() else 0)
            region = institution = None
            if regions is not None:
                region = get_for_user(regions, user, code=data.get("region", ""))
                code = data.get("institution", "").strip()
                if code:
                    institution = Institution.objects.visible_to(user).filter(code=code).first()
                    if institution is None:
                        raise SupplyError(_("找不到医疗机构：%(code)s") % {"code": code})
            case = open_case(
                award=award,
                by=user,
                description=data.get("description", ""),
                kind=data.get("kind", ShortageCase.Kind.OUT),
                institution=institution,
                region=region,
                opened_on=_date(data.get("opened_on", "")),
            )
        except SupplyError as exc:
            context["error"] = str(exc)
        else:
            messages.success(request, _("已报告短缺事件，等待企业答复。"))
            return redirect("supply:case_detail", pk=case.pk)
    return render(request, "supply/case_open.html", context)


def _load_case(request, pk: int) -> ShortageCase:
    return get_for_user(_cases(request.user), request.user, pk=pk)


@login_required
@require_safe
def case_detail(request, pk: int):
    user = request.user
    case = _load_case(request, pk)
    m = getattr(user, "membership", None)
    open_ = case.status != ShortageCase.Status.CLOSED
    substitutes = list(
        SubstitutePurchase.objects.visible_to(user)
        .filter(case=case)
        .select_related("institution")
        .order_by("bought_on", "id")
    )
    context = {
        "case": case,
        "substitutes": substitutes,
        "extra_total": sum((s.extra_cost for s in substitutes), start=0),
        "can_answer": open_ and bool(m and m.company_id == case.company_id and can_write(user)),
        "can_close": open_ and _is_bureau_writer(user, case.region),
        "can_add": open_
        and (
            _is_bureau_writer(user, case.region)
            or bool(m and m.institution_id and m.institution_id == case.institution_id and can_write(user))
        ),
        "bureau": _is_bureau_writer(user, case.region),
    }
    return render(request, "supply/case_detail.html", context)


def _case_post(request, pk: int, action):
    case = _load_case(request, pk)
    try:
        action(case)
    except SupplyError as exc:
        messages.error(request, str(exc))
    return redirect("supply:case_detail", pk=case.pk)


@login_required
@require_POST
def case_answer(request, pk: int):
    data = request.POST

    def act(case):
        answer_case(
            case=case,
            by=request.user,
            answer=data.get("answer", ""),
            cause=data.get("cause", ""),
            answered_on=_date(data.get("answered_on", "")),
        )
        messages.success(request, _("已答复。"))

    return _case_post(request, pk, act)


@login_required
@require_POST
def case_close(request, pk: int):
    data = request.POST

    def act(case):
        close_case(
            case=case,
            by=request.user,
            conclusion=data.get("conclusion", ""),
            cause=data.get("cause", ""),
            force_majeure=data.get("force_majeure") == "yes",
            closed_on=_date(data.get("closed_on", "")),
        )
        messages.success(request, _("已关闭。"))

    return _case_post(request, pk, act)


@login_required
@require_POST
def case_substitute(request, pk: int):
    data = request.POST

    def act(case):
        institution = None
        code = data.get("institution", "").strip()
        if code:
            institution = Institution.objects.visible_to(request.user).filter(code=code).first()
            if institution is None:
                raise SupplyError(_("找不到医疗机构：%(code)s") % {"code": code})
        bought_on = _date(data.get("bought_on", ""))
        if bought_on is None:
            raise SupplyError(_("请填写采购日期"))
        add_substitute(
            case=case,
            by=request.user,
            description=data.get("description", ""),
            unit_price=data.get("unit_price", ""),
            quantity=data.get("quantity", ""),
            bought_on=bought_on,
            institution=institution,
        )
        messages.success(request, _("已登记替代采购。"))

    return _case_post(request, pk, act)


# Extra cost per company


def _cost_cases(request):
    user = request.user
    kind = user_kind(user)
    if kind is None:
        raise PermissionDenied
    cases = ShortageCase.objects.visible_to(user)
    region = None
    if kind in ("region", "admin"):
        region = _picked_region(user, request.GET.get("region"))
        cases = cases.filter(region__path__startswith=region.path)
    return cases, region


@login_required
@require_safe
def costs(request):
    cases, region = _cost_cases(request)
    companies, purchases = company_rows(cases)
    context = {
        "region": region,
        "regions": _bureau_regions(request.user) if region else None,
        "companies": companies,
        "page": page_of(request, purchases),
    }
    return render(request, "supply/costs.html", context)


@login_required
@require_safe
def costs_export(request, fmt: str):
    cases, region = _cost_cases(request)
    _companies, purchases = company_rows(cases)
    name = f"{region.name if region else ''}短缺替代额外费用"
    return table_download(
        [str(h) for _f, h in PURCHASE_COLUMNS], ([r[f] for f, _h in PURCHASE_COLUMNS] for r in purchases), fmt, name
    )


# Distributors


def _distributor_user(user):
    kind = user_kind(user)
    if kind not in ("region", "admin", "company"):
        raise PermissionDenied  # institutions do not choose distributors
    return kind


def _nameable_awards(user):
    """Awards the user may name distributors for: a manufacturer its own; a bureau those of its province."""
    awards = Award.objects.visible_to(user).select_related("product__manufacturer", "batch", "province")
    m = getattr(user, "membership", None)
    if m is not None and m.company_id:
        awards = awards.filter(product__manufacturer_id=m.company_id)
    return awards.order_by("product__generic_name", "province__code")


def _nameable_regions(user, awards):
    """Regions a manufacturer names distributors in: those its awards supply; a bureau: its own and below."""
    if user_kind(user) == "company":
        paths = set(awards.values_list("province__path", flat=True))
        regions = Region.objects.none()
        for path in paths:
            regions = regions | Region.objects.filter(path__startswith=path)
        return regions.order_by("path")
    return _bureau_regions(user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def distributors(request):
    user = request.user
    _distributor_user(user)
    awards = _nameable_awards(user)
    regions = _nameable_regions(user, awards)
    writer = can_write(user) and (user_kind(user) != "company" or user.membership.company.is_manufacturer)
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        data = request.POST
        try:
            award = get_for_user(awards, user, pk=data.get("award") if str(data.get("award", "")).isdigit() else 0)
            region = regions.filter(code=data.get("region", "")).first()  # already what the user may pick
            if region is None:
                raise Http404
            distributor = get_for_user(
                Company.objects.filter(is_distributor=True), user, code=data.get("distributor", "")
            )
            name_distributor(award=award, region=region, distributor=distributor, by=user)
        except DistributorError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已指定配送企业。"))
        return redirect("supply:distributors")
    named = AwardDistributor.objects.visible_to(user).select_related(
        "award__product__manufacturer", "award__province", "region", "distributor"
    )
    if user_kind(user) == "region" and not user.is_superuser:
        named = named.filter(region__path__startswith=user.membership.region.path)
    award_filter = request.GET.get("award", "")
    if award_filter.isdigit():
        named = named.filter(award_id=award_filter)
    context = {
        "page": page_of(request, named.order_by("award__product__generic_name", "region__path", "distributor__name")),
        "writer": writer,
        "awards": awards,
        "regions": regions,
        "distributors": Company.objects.visible_to(user).filter(is_distributor=True).order_by("name"),
        "award_filter": award_filter,
    }
    return render(request, "supply/distributors.html", context)


@login_required
@require_POST
def distributor_remove(request, pk: int):
    user = request.user
    _distributor_user(user)
    named = get_for_user(
        AwardDistributor.objects.visible_to(user).select_related("award__product", "region", "distributor"),
        user,
        write=True,
        pk=pk,
    )
    remove_distributor(named=named, by=user)
    messages.success(request, _("已取消指定。"))
    return redirect("supply:distributors")
