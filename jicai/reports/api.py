"""API of the monthly report (SPEC §4.7): read the stored reports and their frozen revisions, GET the form as the
records fill it (the `jicai report monthly --format json` fields), save the signatures and reasons, submit.

Reads start from `visible_to` (companies see no report); writes call `jicai.reports.services`, after the same
role check the service makes, so that a denied request does not even create the draft row.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from jicai.core.api import ApiError, ApiView, ScopedReadViewSet
from jicai.core.scoping import get_for_user
from jicai.reports.fill import fill
from jicai.reports.models import MonthlyReport, ReportRevision
from jicai.reports.rules import parse_month
from jicai.reports.services import (
    ReportError,
    check_institution_writer,
    report_for,
    save_draft,
    submit_report,
)
from jicai.reports.views import reporting_institutions

BAD_MONTH = _("月份应为 YYYY-MM（2000 至 2099 年）")


class MonthlyReportSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "institution",
            "month",
            "status",
            "revision",
            "first_submitted_at",
            "last_submitted_at",
            "reopened",
            "leader",
            "preparer",
            "prepared_on",
            "phone",
            "reasons",
        ]


class ReportRevisionSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="report.institution.code", read_only=True)
    month = serializers.DateField(source="report.month", format="%Y-%m", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReportRevision
        fields = [
            "id",
            "institution",
            "month",
            "number",
            "submitted_at",
            "submitted_by",
            "source",
            "on_time",
            "rows",
            "leader",
            "preparer",
            "prepared_on",
            "phone",
            "reasons",
        ]


class MonthlyReportViewSet(ScopedReadViewSet):
    """已保存的月报表（状态、版本、签字栏）；按数据月份筛选（from/to 取该月第一天）。"""

    queryset = MonthlyReport.objects.select_related("institution").order_by("-month", "institution__code")
    serializer_class = MonthlyReportSerializer
    code_filters = {"institution": "institution__code", "status": "status"}
    region_filter = "institution__region"
    date_field = "month"


class ReportRevisionViewSet(ScopedReadViewSet):
    """月报表的每次提交（冻结的行与签字栏，提交后不再改变）。"""

    queryset = ReportRevision.objects.select_related("report__institution", "submitted_by").order_by(
        "report__institution__code", "report__month", "number"
    )
    serializer_class = ReportRevisionSerializer
    code_filters = {"institution": "report__institution__code", "number": "number"}
    region_filter = "report__institution__region"
    date_field = "report__month"


class DraftSerializer(serializers.Serializer):
    leader = serializers.CharField(max_length=50, required=False, allow_blank=True)
    preparer = serializers.CharField(max_length=50, required=False, allow_blank=True)
    prepared_on = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    reasons = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False, help_text="发票号 → 未回款原因"
    )


class SubmitSerializer(DraftSerializer):
    expected_revision = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="您看到的版本号；他人已提交新版本时拒绝"
    )


ReportDocument = inline_serializer(
    "MonthlyReportDocument",
    {
        "institution": serializers.CharField(),
        "institution_name": serializers.CharField(),
        "region": serializers.CharField(),
        "title": serializers.CharField(),
        "month": serializers.CharField(),
        "as_of": serializers.DateField(),
        "due_on": serializers.DateField(),
        "lock_on": serializers.DateField(),
        "status": serializers.CharField(),
        "revision": serializers.IntegerField(),
        "leader": serializers.CharField(),
        "preparer": serializers.CharField(),
        "prepared_on": serializers.CharField(),
        "phone": serializers.CharField(),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
)

PATH_PARAMETERS = [
    OpenApiParameter("code", str, OpenApiParameter.PATH, description="机构编码"),
    OpenApiParameter("month", str, OpenApiParameter.PATH, description="数据月份 YYYY-MM"),
]


def _month(text: str) -> date:
    try:
        month = parse_month(text)
    except ValueError:
        month = None
    if month is None or not 2000 <= month.year <= 2099:
        raise ApiError("invalid", errors={"month": [str(BAD_MONTH)]})
    return month


class ReportFormMixin:
    def load(self, request, code: str, month: str):
        user = request.user
        institution = get_for_user(reporting_institutions(user).select_related("region"), user, code=code)
        month = _month(month)
        report = MonthlyReport.objects.visible_to(user).filter(institution=institution, month=month).first()
        return institution, month, report

    def document(self, request, institution, month, report) -> dict:
        reports = {institution.pk: report} if report else {}
        return fill(reporting_institutions(request.user).filter(pk=institution.pk), month, reports=reports)[
            institution.pk
        ]

    def save(self, request, institution, month, report, data: dict) -> MonthlyReport:
        check_institution_writer(request.user, institution)  # before report_for: a denied call writes nothing
        report = report or report_for(institution=institution, month=month)
        try:
            return save_draft(
                report=report,
                by=request.user,
                **{k: data[k] for k in ("leader", "preparer", "prepared_on", "phone", "reasons") if k in data},
            )
        except ReportError as exc:
            raise ApiError("rejected", str(exc)) from None


class ReportFormView(ReportFormMixin, ApiView):
    """月报表（按记录自动填写）：GET 取表，PATCH 保存签字栏与未回款原因。"""

    @extend_schema(operation_id="monthly_report_form_retrieve", parameters=PATH_PARAMETERS, responses=ReportDocument)
    def get(self, request, code: str, month: str):
        institution, month, report = self.load(request, code, month)
        return Response(self.document(request, institution, month, report))

    @extend_schema(
        operation_id="monthly_report_form_update",
        parameters=PATH_PARAMETERS,
        request=DraftSerializer,
        responses=ReportDocument,
    )
    def patch(self, request, code: str, month: str):
        institution, month, report = self.load(request, code, month)
        data = DraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = self.save(request, institution, month, report, data.validated_data)
        return Response(self.document(request, institution, month, report))


class ReportSubmitView(ReportFormMixin, ApiView):
    """提交月报表：可同时提交签字栏与原因；成功后返回新版本（冻结的行）。"""

    @extend_schema(
        operation_id="monthly_report_submit",
        parameters=PATH_PARAMETERS,
        request=SubmitSerializer,
        responses={201: ReportRevisionSerializer},
    )
    def post(self, request, code: str, month: str):
        institution, month, report = self.load(request, code, month)
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = self.save(request, institution, month, report, data.validated_data)
        try:
            revision = submit_report(
                report=report,
                by=request.user,
                expected_revision=data.validated_data.get("expected_revision"),
                source=ReportRevision.Source.API,
            )
        except ReportError as exc:
            raise ApiError("rejected", str(exc), status_code=409) from None
        return Response(ReportRevisionSerializer(revision).data, status=201)
