"""Monthly-report pages: the institution fills, signs, submits and downloads its report; the bureau sees who has
reported for a region and month, accepts or returns, reopens and reminds.

Reads go through `visible_to` / `get_for_user` (another institution's report is a 404; a company sees none);
writes call `jicai.reports.services`, which check the role again.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jicai.core.downloads import attachment
from jicai.core.scoping import can_write, get_for_user, user_kind
from jicai.orgs.models import Institution, Region
from jicai.reports.exports import COLUMNS, FORMATS, filename, write_report
from jicai.reports.fill import fill
from jicai.reports.models import MonthlyReport, ReportReminder, ReportRevision
from jicai.reports.rules import first_of_month, parse_month
from jicai.reports.services import (
    ReportError,
    diff_rows,
    remind,
    reopen_report,
    report_for,
    review_report,
    save_draft,
    submit_report,
    submit_upload,
)
from jicai.reports.status import NOT_SUBMITTED, TIMELINESS, must_report, region_status
from jicai.reports.upload import check_upload

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def reporting_institutions(user):
    """Institutions whose reports the user may read: companies read none."""
    if user_kind(user) == "company":
        return Institution.objects.none()
    return Institution.objects.visible_to(user)


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError:
        raise Http404 from None


def _default_month() -> date:
    """The month most recently ended: the report that is due now."""
    today = timezone.localdate()
    return first_of_month(first_of_month(today) - date.resolution)


def _is_writer(user, institution) -> bool:
    m = getattr(user, "membership", None)
    return bool(m and m.institution_id == institution.pk and can_write(user))


def _is_reviewer(user, institution) -> bool:
    if user.is_superuser:
        return True
    m = getattr(user, "membership", None)
    return bool(m and m.region_id and can_write(user) and institution.region.path.startswith(m.region.path))


@login_required
@require_safe
def index(request):
    """An institution's reports by month; a region user goes to the status page."""
    user = request.user
    kind = user_kind(user)
    if kind in ("region", "admin"):
        return redirect("reports:status")
    if kind != "institution":
        raise PermissionDenied
    institution = user.membership.institution
    reports = MonthlyReport.objects.visible_to(user).filter(institution=institution).order_by("-month")
    reminders = ReportReminder.objects.visible_to(user).filter(institution=institution)[:10]
    context = {
        "institution": institution,
        "reports": reports,
        "reminders": reminders,
        "current": _default_month(),
    }
    return render(request, "reports/index.html", context)


@login_required
@require_safe
def open_month(request):
    """The month picker of the index page."""
    user = request.user
    if user_kind(user) != "institution":
        raise PermissionDenied
    month = _month(request.GET.get("month", ""))
    return redirect("reports:detail", code=user.membership.institution.code, month=f"{month:%Y-%m}")


def _document(user, institution, month, report):
    reports = {institution.pk: report} if report else {}
    return fill(reporting_institutions(user).filter(pk=institution.pk), month, reports=reports)[institution.pk]


def _revision_document(document: dict, revision: ReportRevision) -> dict:
    """The report as it was submitted in `revision`: the frozen rows and signature fields."""
    return {
        **document,
        "rows": revision.rows,
        "leader": revision.leader,
        "preparer": revision.preparer,
        "prepared_on": revision.prepared_on.isoformat() if revision.prepared_on else "",
        "phone": revision.phone,
        "revision": revision.number,
    }


def _load(request, code: str, month: str):
    user = request.user
    institution = get_for_user(reporting_institutions(user).select_related("region"), user, code=code)
    month = _month(month)
    report = MonthlyReport.objects.visible_to(user).filter(institution=institution, month=month).first()
    return institution, month, report


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def detail(request, code: str, month: str):
    user = request.user
    institution, month, report = _load(request, code, month)
    writer = _is_writer(user, institution) or (user.is_superuser and request.method == "POST")
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        return _post_detail(request, institution, month, report)
    document = _document(user, institution, month, report)
    revisions = list(report.revisions.select_related("submitted_by").order_by("-number")) if report else []
    accepted = bool(report and report.status == MonthlyReport.Status.ACCEPTED)
    # The institution edits the live report until it is accepted; everyone else sees the latest submission.
    live = (writer and not accepted) or not revisions
    shown = document if live else _revision_document(document, revisions[0])
    editable = writer and not accepted
    lock_on = date.fromisoformat(document["lock_on"])
    context = {
        "institution": institution,
        "month": month,
        "report": report,
        "document": shown,
        "live": live,
        "headers": [str(h) for _f, h, _w in COLUMNS],
        "editable": editable,
        "locked": timezone.localdate() > lock_on and not (report and report.reopened),
        "reviewer": _is_reviewer(user, institution),
        "revisions": revisions,
        "reviews": report.reviews.select_related("by").order_by("-at") if report else [],
        "reasons": _reason_inputs(document) if editable else [],
        "formats": FORMATS,
    }
    return render(request, "reports/detail.html", context)


def _reason_inputs(document: dict) -> list[dict]:
    """One input per unpaid invoice whose reason the institution gives (未到付款期 is computed)."""
    seen, inputs = set(), []
    for row in document["rows"]:
        for item in row["unpaid_invoices"]:
            if item["computed"] or item["invoice_no"] in seen:
                continue
            seen.add(item["invoice_no"])
            inputs.append({**item, "generic_name": row["generic_name"]})
    return inputs


def _post_detail(request, institution, month, report):
    user = request.user
    report = report or report_for(institution=institution, month=month)
    data = request.POST
    prepared_on = None
    if data.get("prepared_on"):
        try:
            prepared_on = date.fromisoformat(data["prepared_on"])
        except ValueError:
            messages.error(request, _("填表时间应为 YYYY-MM-DD"))
            return redirect(request.path)
    reasons = {key[len("reason_") :]: value for key, value in data.items() if key.startswith("reason_")}
    try:
        save_draft(
            report=report,
            by=user,
            leader=data.get("leader", "").strip(),
            preparer=data.get("preparer", "").strip(),
            prepared_on=prepared_on,
            phone=data.get("phone", "").strip(),
            reasons=reasons,
        )
        if data.get("action") == "submit":
            try:
                expected = int(data.get("expected_revision", ""))
            except ValueError:
                expected = None
            revision = submit_report(report=report, by=user, expected_revision=expected)
            messages.success(request, _("已提交第%(n)d版。") % {"n": revision.number})
        else:
            messages.success(request, _("已保存。"))
    except ReportError as exc:
        messages.error(request, str(exc))
    return redirect(request.path)


@login_required
@require_safe
def download(request, code: str, month: str):
    """The report as xlsx, csv or json: the live report, or `revision=N` as it was submitted."""
    user = request.user
    institution, month, report = _load(request, code, month)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    document = _document(user, institution, month, report)
    if request.GET.get("revision"):
        revision = get_for_user(
            ReportRevision.objects.filter(report=report) if report else ReportRevision.objects.none(),
            user,
            number=request.GET["revision"] if request.GET["revision"].isdigit() else 0,
        )
        document = _revision_document(document, revision)
    return attachment(lambda buffer: write_report(document, fmt, buffer), filename(document, fmt))


@login_required
@require_safe
def revision(request, code: str, month: str, number: int):
    """One frozen revision and what changed against the previous one."""
    user = request.user
    institution, month, report = _load(request, code, month)
    if report is None:
        raise Http404
    revisions = ReportRevision.objects.visible_to(user).filter(report=report, number__in=[number - 1, number])
    by_number = {r.number: r for r in revisions.select_related("submitted_by")}
    if number not in by_number:
        raise Http404
    current, previous = by_number[number], by_number.get(number - 1)
    context = {
        "institution": institution,
        "month": month,
        "report": report,
        "revision": current,
        "previous": previous,
        "document": _revision_document(_document(user, institution, month, report), current),
        "headers": [str(h) for _f, h, _w in COLUMNS],
        "changes": diff_rows(previous.rows, current.rows) if previous else None,
        "signature_changes": _signature_changes(previous, current) if previous else [],
    }
    return render(request, "reports/revision.html", context)


def _signature_changes(previous, current) -> list[tuple[str, object, object]]:
    labels = {"leader": _("分管领导"), "preparer": _("填表人"), "prepared_on": _("填表时间"), "phone": _("联系电话")}
    return [
        (labels[f], getattr(previous, f), getattr(current, f))
        for f in labels
        if getattr(previous, f) != getattr(current, f)
    ]


@login_required
@require_POST
def review(request, code: str, month: str):
    """The bureau accepts, returns (with a comment) or reopens a report."""
    user = request.user
    institution, month, report = _load(request, code, month)
    if not _is_reviewer(user, institution):
        raise PermissionDenied
    action = request.POST.get("action")
    comment = request.POST.get("comment", "")
    try:
        if action == "reopen":
            reopen_report(report=report or report_for(institution=institution, month=month), by=user, comment=comment)
            messages.success(request, _("已重新开放，该机构可再次提交。"))
        elif action in ("accept", "return") and report is not None:
            expected = request.POST.get("revision", "")
            review_report(
                report=report,
                by=user,
                accept=action == "accept",
                comment=comment,
                revision=int(expected) if expected.isdigit() else None,
            )
            messages.success(request, _("已验收。") if action == "accept" else _("已退回，并通知该机构修改。"))
        else:
            messages.error(request, _("只有已提交的月报表可以验收或退回"))
    except ReportError as exc:
        messages.error(request, str(exc))
    return redirect("reports:detail", code=institution.code, month=f"{month:%Y-%m}")


def _status_region(user, code: str | None) -> Region:
    regions = Region.objects.visible_to(user)
    if user.is_superuser:
        return get_for_user(regions, user, code=code) if code else regions.order_by("path").first()
    own = user.membership.region
    return get_for_user(regions.filter(path__startswith=own.path), user, code=code or own.code)


@login_required
@require_safe
def status(request):
    """For a region and month: every institution that must report, on time / late / not submitted, and the
    completeness and timeliness rates."""
    user = request.user
    if user_kind(user) not in ("region", "admin"):
        raise PermissionDenied
    region = _status_region(user, request.GET.get("region"))
    if region is None:
        raise Http404
    month = _month(request.GET["month"]) if request.GET.get("month") else _default_month()
    institutions = reporting_institutions(user).filter(region__path__startswith=region.path)
    rows, summary = region_status(institutions, month)
    regions = Region.objects.visible_to(user)
    if not user.is_superuser:
        regions = regions.filter(path__startswith=user.membership.region.path)
    context = {
        "region": region,
        "regions": regions.order_by("path"),
        "month": month,
        "rows": rows,
        "summary": summary,
        "timeliness": TIMELINESS,
        "can_remind": can_write(user) and any(r.timeliness == NOT_SUBMITTED for r in rows),
    }
    return render(request, "reports/status.html", context)


@login_required
@require_POST
def remind_view(request):
    """Remind every institution of the region that has not submitted the month's report."""
    user = request.user
    if user_kind(user) not in ("region", "admin") or not can_write(user):
        raise PermissionDenied
    region = _status_region(user, request.POST.get("region"))
    month = _month(request.POST.get("month", ""))
    institutions = must_report(reporting_institutions(user).filter(region__path__startswith=region.path))
    rows, _summary = region_status(institutions, month)
    missing = {r.institution_id: r.due_on for r in rows if r.timeliness == NOT_SUBMITTED}
    targets = list(institutions.filter(pk__in=missing).select_related("region"))
    count = remind(institutions=targets, month=month, by=user, due_on=missing)
    messages.success(request, _("已向 %(n)d 家未报送的机构发出催报。") % {"n": count})
    return redirect(f"{reverse('reports:status')}?region={region.code}&month={month:%Y-%m}")


def _upload_key(institution, month) -> str:
    return f"report-upload-{institution.pk}-{month:%Y-%m}"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request, code: str, month: str):
    """Upload a filled form: checked against the template and the records; differences shown before confirming."""
    user = request.user
    institution, month, report = _load(request, code, month)
    if not _is_writer(user, institution):
        raise PermissionDenied
    context = {"institution": institution, "month": month, "report": report}
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            context["problems"] = [_("请选择要上传的 .xlsx 文件")]
        elif file.size > MAX_UPLOAD_BYTES:
            context["problems"] = [_("文件过大（上限 5 MB）")]
        else:
            document = _document(user, institution, month, report)
            check = check_upload(file, document)
            context.update(check=check, problems=check.problems, document=document)
            if not check.problems:
                request.session[_upload_key(institution, month)] = {
                    "draft": check.draft(document),
                    "differences": len(check.differences),
                    "revision": report.revision if report else 0,
                }
                context["draft"] = request.session[_upload_key(institution, month)]["draft"]
    return render(request, "reports/upload.html", context)


@login_required
@require_POST
def upload_confirm(request, code: str, month: str):
    user = request.user
    institution, month, report = _load(request, code, month)
    if not _is_writer(user, institution):
        raise PermissionDenied
    pending = request.session.pop(_upload_key(institution, month), None)
    if pending is None:
        messages.error(request, _("没有待确认的上传，请重新上传。"))
        return redirect("reports:upload", code=institution.code, month=f"{month:%Y-%m}")
    report = report or report_for(institution=institution, month=month)
    try:
        revision = submit_upload(
            report=report,
            by=user,
            draft=pending["draft"],
            differences=pending["differences"],
            expected_revision=pending["revision"],
        )
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已按上传的报表提交第%(n)d版。") % {"n": revision.number})
    return redirect("reports:detail", code=institution.code, month=f"{month:%Y-%m}")
