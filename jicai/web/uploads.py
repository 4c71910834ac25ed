"""Imports in the browser: upload a file, see the dry run with every row error, then confirm (SPEC §6, §8).

The importers write across organisations and do not scope what they write, so only system administrators may
import; a bureau's or an institution's own files arrive through their own pages (e.g. the monthly report).
The uploaded file waits in `var/uploads` between the dry run and the confirmation, named by a random token kept
in the session, so a confirmation imports exactly the file that was checked.
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jicai.core.imports import KINDS, run_import

UPLOADS = Path(settings.VAR_DIR) / "uploads"
PENDING = "pending_import"
SHOWN_ERRORS = 500


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入类型"), choices=[(k, k) for k in KINDS])
    file = forms.FileField(label=gettext_lazy("文件（CSV 或 XLSX）"))


def _discard(request) -> None:
    pending = request.session.pop(PENDING, None)
    if pending:
        (UPLOADS / pending["token"]).unlink(missing_ok=True)


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    if not request.user.is_staff:
        raise PermissionDenied
    form, result = ImportForm(), None
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(PENDING)
        if not pending or pending["token"] != request.POST.get("token"):
            messages.error(request, _("没有待确认的文件，请重新上传。"))
            return redirect("import_file")
        result = run_import(pending["kind"], UPLOADS / pending["token"], user=request.user)
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
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            token = secrets.token_hex(16)
            UPLOADS.mkdir(parents=True, exist_ok=True)
            with open(UPLOADS / token, "wb") as out:
                for chunk in form.cleaned_data["file"].chunks():
                    out.write(chunk)
            kind = form.cleaned_data["kind"]
            result = run_import(kind, UPLOADS / token, dry_run=True, user=request.user)
            if result.errors:
                (UPLOADS / token).unlink(missing_ok=True)
            else:
                request.session[PENDING] = {"token": token, "kind": kind, "name": form.cleaned_data["file"].name}
    context = {
        "form": form,
        "result": result,
        "errors": result.errors[:SHOWN_ERRORS] if result else [],
        "pending": request.session.get(PENDING),
        "kinds": KINDS,
    }
    return render(request, "web/import.html", context)
