"""API endpoints of the core app: file imports (SPEC §8) and the API's own documentation page.

Imports: as on the web (`jicai.web.uploads`), who may import which kind is `jicai.core.import_rights`: system
administrators every kind, an institution's clerk or manager its own purchasing records. `dry_run=true` checks
every row and writes nothing; the same file posted again without it lands. No state is kept between the two
calls: the second call checks the file again. Each call is recorded ("我的上传"); its id is the answer's `record`.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from jicai.core.api import ApiError, ApiView, error_body
from jicai.core.import_records import import_file
from jicai.core.import_rights import kinds_for
from jicai.core.imports import KINDS

MAX_IMPORT_BYTES = 200 * 1024 * 1024


class ImportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), help_text="SPEC §8 的导入类型")
    file = serializers.FileField(help_text="CSV（UTF-8 或 GB18030）或 XLSX")
    dry_run = serializers.BooleanField(default=False, help_text="只检查，不写入")


ImportResult = inline_serializer(
    "ImportResult",
    {
        "kind": serializers.CharField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "landed": serializers.BooleanField(),
        "dry_run": serializers.BooleanField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "record": serializers.IntegerField(help_text="上传记录的编号"),
    },
)


class ImportView(ApiView):
    """导入文件（全有或全无，可重复导入）：先 dry_run=true 检查，再去掉 dry_run 正式导入。系统管理员可导入各类文件；
    医疗机构的经办人、负责人可导入本机构的订单、配送、发票、发票明细、回款和使用量。"""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportSerializer, responses={200: ImportResult, 400: ImportResult})
    def post(self, request):
        kinds = kinds_for(request.user)
        if not kinds:
            raise PermissionDenied
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind, upload = data.validated_data["kind"], data.validated_data["file"]
        if kind not in kinds:
            raise PermissionDenied
        if upload.size > MAX_IMPORT_BYTES:
            raise ApiError("invalid", errors={"file": [str(_("文件过大"))]})
        result, record = import_file(
            kind, upload.file, user=request.user, file_name=upload.name, dry_run=data.validated_data["dry_run"]
        )
        answer = {**result.as_dict(), "record": record.pk}
        if result.errors:
            raise ApiError("import_rejected", errors=answer["errors"], status_code=400)
        return Response(answer)


@functools.cache
def _schema(language: str) -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def api_schema() -> dict:
    """The OpenAPI document, generated once per process and language: it changes only with the code."""
    return _schema(translation.get_language())


class SchemaView(SpectacularAPIView):
    """/api/schema/ (YAML, or JSON with ?format=json), from the cached document."""

    def _get_schema_response(self, request):
        filename = self._get_filename(request, None)
        return Response(data=api_schema(), headers={"Content-Disposition": f'inline; filename="{filename}"'})


def not_found(request, path: str = ""):
    """Any other path under /api/: the API's JSON 404, not the web's HTML page."""
    return JsonResponse(error_body("not_found"), status=404, json_dumps_params={"ensure_ascii": False})


@login_required
def docs(request):
    """The API described from its own OpenAPI schema, rendered on the server: no script from a CDN (hospital
    networks are closed). The machine-readable schema is at /api/schema/."""
    schema = api_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (op.get("description") or "").strip(),
                    "parameters": op.get("parameters", []),
                    "tag": (op.get("tags") or [""])[0],
                }
            )
    return render(request, "core/api_docs.html", {"schema": schema, "operations": operations})
