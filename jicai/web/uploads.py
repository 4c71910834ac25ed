"""Imports in the browser: upload a file, see the dry run with every row error, then confirm (SPEC §6, §8); and
"我的上传", the record of every check and import the user may see.

Who may import which kind is one table (`jicai.core.import_rights`): administrators every kind, an institution's
clerk or manager its own purchasing records, checked row by row by the scoped importers. The uploaded file waits
in `var/uploads` between the dry run and the confirmation, named by a random token kept in the session, so a
confirmation imports exactly the file that was checked. Both steps are recorded (`jicai.core.import_records`).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from jicai.core.import_records import import_file as recorded_import
from jicai.core.import_rights import kind_label, kinds_for
from jicai.core.models import ImportRecord
from jicai.core.scoping import get_for_user, user_kind
from jicai.web import listing
from jicai.web.dashboard import Table

UPLOADS = Path(settings.VAR_DIR) / "uploads"
PENDING = "pending_import"
SHOWN_ERRORS = 500
EXPORT_LIMIT = 100_000


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入类型"))
    file = forms.FileField(label=gettext_lazy("文件（CSV 或 XLSX）"))

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, kind_label(k)) for k in kinds]


def _discard(request) -> None:
    pending = request.session.pop(PENDING, None)
    if pending:
        (UPLOADS / pending["token"]).unlink(missing_ok=True)


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    form, result = ImportForm(kinds=kinds), None
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(PENDING)
        if not pending or pending["token"] != request.POST.get("token") or pending["kind"] not in kinds:
            messages.error(request, _("没有待确认的文件，请重新上传。"))
            return redirect("import_file")
        result, _record = recorded_import(
            pending["kind"], UPLOADS / pending["token"], user=request.user, file_name=pending["name"]
        )
        _discard(request)
        if result.landed:
            messages.success(
                request,
                _("%(name)s 已导入：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d。")
                % {"name": pending["name"], **result.as_dict()},
            )
            return redirect("import_file")
    elif request.method == "POST":
        _discard(request)
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            token = secrets.token_hex(16)
            UPLOADS.mkdir(parents=True, exist_ok=True)
            with open(UPLOADS / token, "wb") as out:
                for chunk in form.cleaned_data["file"].chunks():
                    out.write(chunk)
            kind, name = form.cleaned_data["kind"], form.cleaned_data["file"].name
            result, _record = recorded_import(kind, UPLOADS / token, user=request.user, file_name=name, dry_run=True)
            if result.errors:
                (UPLOADS / token).unlink(missing_ok=True)
            else:
                request.session[PENDING] = {"token": token, "kind": kind, "name": name}
    context = {
        "form": form,
        "result": result,
        "errors": result.errors[:SHOWN_ERRORS] if result else [],
        "pending": request.session.get(PENDING),
        "kinds": [kind_label(k) for k in kinds],
        "scoped": user_kind(request.user) == "institution",
    }
    return render(request, "web/import.html", context)


# "我的上传": the records of the uploads the user may see (an institution its own, a bureau its area's).

COLUMNS = [
    ("at", gettext_lazy("时间"), "date"),
    ("user", gettext_lazy("用户"), "text"),
    ("organisation", gettext_lazy("所属机构"), "text"),
    ("kind", gettext_lazy("导入类型"), "text"),
    ("file_name", gettext_lazy("文件名"), "text"),
    ("outcome", gettext_lazy("结果"), "text"),
    ("rows", gettext_lazy("行数"), "int"),
    ("created", gettext_lazy("新增"), "int"),
    ("updated", gettext_lazy("更新"), "int"),
    ("unchanged", gettext_lazy("未变"), "int"),
    ("error_count", gettext_lazy("错误数"), "int"),
]
# Sort key → the database ordering behind it: the list is sorted before it is paginated, in one query.
ORDERINGS = {
    "at": ("at", "pk"),
    "user": ("user__username",),
    "organisation": ("institution__code", "region__code", "company__code"),
    "kind": ("kind",),
    "file_name": ("file_name",),
    "outcome": ("dry_run", "error_count"),
    "rows": ("rows",),
    "created": ("created",),
    "updated": ("updated",),
    "unchanged": ("unchanged",),
    "error_count": ("error_count",),
}
DEFAULT_SORT = "-at"


def _records(request):
    """The records `request.user` may see are scoped by `get_for_user` / `visible_to`; companies and users of no
    organisation have no upload page."""
    if user_kind(request.user) in (None, "company"):
        raise PermissionDenied
    return ImportRecord.objects.select_related("user", "institution", "region", "company")


def _sorted(records, sort: str):
    key = sort.removeprefix("-")
    if key not in ORDERINGS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    prefix = "-" if sort.startswith("-") else ""
    return records.order_by(*(prefix + f for f in ORDERINGS[key]), "-pk"), sort


def _organisation(r: ImportRecord) -> str:
    return str(r.institution or r.company or r.region or _("系统管理员"))


def _row(r: ImportRecord) -> dict:
    return {
        "at": timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M"),
        "user": r.user.username if r.user else "",
        "organisation": _organisation(r),
        "kind": kind_label(r.kind),
        "file_name": r.file_name,
        "outcome": str(r.outcome),
        "rows": r.rows,
        "created": r.created,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "error_count": r.error_count,
        "record": r,
    }


@login_required
@require_safe
def import_records(request):
    records = _records(request).visible_to(request.user)
    records, sort = _sorted(records, request.GET.get("sort", DEFAULT_SORT))
    table = Table("uploads", COLUMNS)
    page = listing.page_of(request, records)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": [_row(r) for r in page],
        "headers": listing.headers(request, table, sort=sort),
        "query": query.urlencode(),
        "may_import": bool(kinds_for(request.user)),
    }
    return render(request, "web/import_records.html", context)


@login_required
@require_safe
def import_records_export(request, fmt: str):
    """The list as shown (same sort), as CSV or XLSX."""
    records, _sort = _sorted(_records(request).visible_to(request.user), request.GET.get("sort", DEFAULT_SORT))
    table = Table("uploads", COLUMNS, [_row(r) for r in records[:EXPORT_LIMIT]])
    return listing.export_response(table, fmt, f"上传记录-{timezone.localdate():%Y%m%d}")


@login_required
@require_safe
def import_record(request, pk: int):
    record = get_for_user(_records(request), request.user, pk=pk)
    context = {"record": record, "row": _row(record), "kind": kind_label(record.kind)}
    return render(request, "web/import_record.html", context)
