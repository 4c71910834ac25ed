"""The REST API's shared parts (SPEC §6): scoped read-only viewsets, pagination, date and code filters, and the
JSON error format.

Every endpoint starts from `visible_to(request.user)`, as the pages do: another organisation's record is a 404,
indistinguishable from one that does not exist. Writes go through the services, which check the role again.
Errors are one JSON shape in both languages, so that an integrator's log is readable in either:
`{"code": "not_found", "message_zh": "…", "message_en": "…", "errors": …}`.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status, viewsets
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from jicai.policy.rules.days import MissingCalendarYear

# code → (Chinese, English). The English is written here, not looked up in the catalogue, so that both languages
# are in every answer whatever the request's language.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_authenticated": (_("未登录或令牌无效"), "Not signed in, or the token is not valid"),
    "permission_denied": (_("您的角色不能执行此操作"), "Your role does not allow this"),
    "not_found": (_("未找到，或不在您的数据范围内"), "Not found, or outside your scope"),
    "method_not_allowed": (_("不支持该请求方法"), "This method is not allowed here"),
    "invalid": (_("请求数据有误"), "The request is not valid"),
    "parse_error": (_("请求内容无法解析"), "The request body cannot be parsed"),
    "unsupported_media_type": (_("不支持的内容类型"), "Unsupported content type"),
    "not_acceptable": (_("无法按请求的格式返回"), "Cannot answer in the requested format"),
    "throttled": (_("请求过于频繁，请稍后再试"), "Too many requests, try again later"),
    "import_rejected": (_("文件有错误，未导入任何数据"), "The file has errors; nothing was imported"),
    "rejected": (_("操作未完成"), "The operation was not carried out"),
    "calendar_missing": (_("节假日日历缺少所需年份"), "The holiday calendar lacks a year this needs"),
    "error": (_("请求失败"), "The request failed"),
}

BAD_VALUE = _("取值无效")
NUL_CHARACTER = _("不能包含空字符（0x00）")

_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "parse_error",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.Throttled: "throttled",
}


class ApiError(exceptions.APIException):
    """A refusal with our own code; `message_zh` is the specific Chinese reason (e.g. a service's message).

    The English side is the code's generic English, plus the Chinese detail when no English is given: a service
    message is translated by the catalogue only for the request's language."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        code: str,
        message_zh: str | None = None,
        *,
        message_en: str | None = None,
        errors=None,
        status_code: int | None = None,
    ):
        zh, en = MESSAGES.get(code, MESSAGES["error"])
        self.code = code
        self.message_zh = str(message_zh) if message_zh else None
        self.message_en = message_en
        self.errors = errors
        if status_code:
            self.status_code = status_code
        super().__init__(detail=self.message_zh or str(zh), code=code)


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def error_body(code: str, *, message_zh: str | None = None, message_en: str | None = None, errors=None) -> dict:
    zh, en = MESSAGES.get(code, MESSAGES["error"])
    return {
        "code": code,
        "message_zh": message_zh or _in("zh-hans", zh),
        "message_en": message_en or en,
        "errors": errors,
    }


def exception_handler(exc, context):
    """DRF's handler, with every error in our JSON shape. Unexpected exceptions still propagate (a 500)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, MissingCalendarYear):
        exc = ApiError("calendar_missing", exc.message_zh, message_en=exc.message_en, status_code=409)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        en = exc.message_en or MESSAGES.get(exc.code, MESSAGES["error"])[1]
        if exc.message_zh and not exc.message_en:
            en = f"{en}: {exc.message_zh}"
        response.data = error_body(exc.code, message_zh=exc.message_zh, message_en=en, errors=exc.errors)
        return response
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    errors = response.data if isinstance(exc, exceptions.ValidationError) else None
    response.data = error_body(code, errors=errors)
    return response


def parse_date_param(request, name: str) -> date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError("invalid", errors={name: [_in("zh-hans", _("日期格式应为 YYYY-MM-DD"))]}) from None


def region_q(field: str, code: str) -> Q:
    """Rows whose region `field` is the region `code` or below it (codes are segments of the materialised path)."""
    path = f"{field}__path" if field else "path"
    return Q(**{f"{path}__startswith": f"{code}/"}) | Q(**{f"{path}__contains": f"/{code}/"})


class CodeDateFilter(BaseFilterBackend):
    """Filters a viewset declares: `code_filters` (query parameter → lookup of a code, exact), `region_filter`
    (the path to a Region: `?region=CODE` keeps that region and below) and `date_field` (`?from=` and `?to=`,
    inclusive). Filters narrow what `visible_to` already allows; they never widen it."""

    def filter_queryset(self, request, queryset, view):
        params = request.query_params
        for name, lookup in getattr(view, "code_filters", {}).items():
            value = params.get(name)
            if value:
                try:
                    queryset = queryset.filter(**{lookup: value})
                except (ValueError, DjangoValidationError):  # e.g. a year that is not a number
                    raise ApiError("invalid", errors={name: [_in("zh-hans", BAD_VALUE)]}) from None
        region_field = getattr(view, "region_filter", None)
        if region_field is not None and params.get("region"):
            queryset = queryset.filter(region_q(region_field, params["region"]))
        date_field = getattr(view, "date_field", None)
        if date_field:
            start, end = parse_date_param(request, "from"), parse_date_param(request, "to")
            if start:
                queryset = queryset.filter(**{f"{date_field}__gte": start})
            if end:
                queryset = queryset.filter(**{f"{date_field}__lte": end})
        return queryset

    def get_schema_operation_parameters(self, view):
        params = [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": f"编码（{lookup}）",
                "schema": {"type": "string"},
            }
            for name, lookup in getattr(view, "code_filters", {}).items()
        ]
        if getattr(view, "region_filter", None) is not None:
            params.append(
                {
                    "name": "region",
                    "required": False,
                    "in": "query",
                    "description": "区划编码（含下级）",
                    "schema": {"type": "string"},
                }
            )
        if getattr(view, "date_field", None):
            for name, word in (("from", "起"), ("to", "止")):
                params.append(
                    {
                        "name": name,
                        "required": False,
                        "in": "query",
                        "description": f"{view.date_field} {word}（含），YYYY-MM-DD",
                        "schema": {"type": "string", "format": "date"},
                    }
                )
        return params


def reject_nul(request, kwargs) -> None:
    """A NUL character can be neither stored nor looked up in PostgreSQL: refuse it at the door (400, not 500)."""
    for name, value in [*kwargs.items(), *request.query_params.items()]:
        if "\x00" in str(value):
            raise ApiError("invalid", errors={name: [_in("zh-hans", NUL_CHARACTER)]})


class ApiView(APIView):
    """Base of the API's own views (answers and writes that are not plain records)."""

    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul(request, kwargs)


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve what the user may see: `queryset` (with its select_related) narrowed by `visible_to`."""

    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul(request, kwargs)

    lookup_value_regex = "[^/]+"  # platform ids and codes may hold dots
    filter_backends = [CodeDateFilter]
    code_filters: dict[str, str] = {}
    region_filter: str | None = None
    date_field: str | None = None

    def get_queryset(self):
        return self.queryset.all().visible_to(self.request.user)


def query_date(name: str, description: str, *, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, OpenApiParameter.QUERY, required=required, description=description)


def query_code(name: str, description: str, *, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=required, description=description)


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)
