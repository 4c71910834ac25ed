"""API of supply monitoring (SPEC §4.13): weekly checks and shortage cases, read through `visible_to`, written
through `jicai.supply.services` (record a check, open, answer, close, add a substitute purchase).

Write endpoints look the case up in the user's scope first (another organisation's case is a 404); the service
then checks the role (403) and the rules (400 with the service's Chinese message).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jicai.catalog.models import Award
from jicai.core.api import ApiError, ApiView, ScopedReadViewSet, created
from jicai.core.scoping import get_for_user, user_kind
from jicai.orgs.models import Institution, Region
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck
from jicai.supply.services import SupplyError, add_substitute, answer_case, close_case, open_case, record_check


class SupplyCheckSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.CharField(source="award.product.code", read_only=True)
    checked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SupplyCheck
        fields = ["id", "institution", "award", "product", "week", "status", "note", "checked_by", "checked_at"]


class SubstituteSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SubstitutePurchase
        fields = [
            "id",
            "institution",
            "description",
            "unit_price",
            "winning_price",
            "quantity",
            "bought_on",
            "extra_cost",
        ]


class ShortageCaseSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.CharField(source="award.product.code", read_only=True)
    generic_name = serializers.CharField(source="award.product.generic_name", read_only=True)
    substitutes = SubstituteSerializer(many=True, read_only=True)

    class Meta:
        model = ShortageCase
        fields = [
            "id",
            "award",
            "product",
            "generic_name",
            "company",
            "region",
            "institution",
            "kind",
            "status",
            "opened_on",
            "description",
            "answered_on",
            "answer",
            "cause",
            "force_majeure",
            "closed_on",
            "conclusion",
            "substitutes",
        ]


class CheckInput(serializers.Serializer):
    award = serializers.IntegerField(min_value=1, help_text="中选药品 id")
    week = serializers.DateField(help_text="该周任一天（按周一记录）")
    status = serializers.ChoiceField(choices=SupplyCheck.Status.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OpenInput(serializers.Serializer):
    award = serializers.IntegerField(min_value=1, help_text="中选药品 id")
    kind = serializers.ChoiceField(choices=ShortageCase.Kind.choices, default=ShortageCase.Kind.OUT)
    description = serializers.CharField(max_length=2000)
    region = serializers.CharField(max_length=12, required=False, help_text="医保局立案时：区划编码")
    institution = serializers.CharField(max_length=32, required=False, help_text="医保局立案时：涉及的机构编码")
    opened_on = serializers.DateField(required=False)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)
    cause = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    answered_on = serializers.DateField(required=False)


class CloseInput(serializers.Serializer):
    conclusion = serializers.CharField(max_length=2000)
    force_majeure = serializers.BooleanField()
    cause = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False)


class SubstituteInput(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    quantity = serializers.IntegerField(min_value=1, max_value=10**15)
    bought_on = serializers.DateField()
    institution = serializers.CharField(max_length=32, required=False, help_text="医保局登记时：采购机构编码")


def _valid(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _service(call):
    try:
        return call()
    except SupplyError as exc:
        raise ApiError("rejected", str(exc)) from None


class SupplyCheckViewSet(ScopedReadViewSet):
    """供应情况周报：每家机构每周对每个中选药品的填报（正常/紧张/断供）；按周（周一）筛选。"""

    queryset = SupplyCheck.objects.select_related("institution", "award__product", "checked_by").order_by(
        "-week", "institution__code", "award_id"
    )
    serializer_class = SupplyCheckSerializer
    code_filters = {"institution": "institution__code", "product": "award__product__code", "status": "status"}
    region_filter = "institution__region"
    date_field = "week"


class RecordCheckView(ApiView):
    """填报一个中选药品某周的供应情况（本机构的经办人）；同一周再次填报即更正。"""

    @extend_schema(operation_id="supply_check_record", request=CheckInput, responses={201: SupplyCheckSerializer})
    def post(self, request):
        user = request.user
        if user_kind(user) != "institution":
            raise PermissionDenied
        data = _valid(CheckInput, request.data)
        institution = user.membership.institution
        award = get_for_user(Award.objects.select_related("product"), user, pk=data["award"])
        check = _service(
            lambda: record_check(
                institution=institution,
                award=award,
                week=data["week"],
                status=data["status"],
                note=data["note"],
                by=user,
            )
        )
        return created(SupplyCheckSerializer(check).data)


class ShortageCaseViewSet(ScopedReadViewSet):
    """短缺事件（断供/供应紧张）：机构或医保局立案，中选企业答复，医保局关闭并认定原因；含替代采购。"""

    queryset = (
        ShortageCase.objects.select_related("award__product", "company", "region", "institution")
        .prefetch_related("substitutes__institution")
        .order_by("-opened_on", "-id")
    )
    serializer_class = ShortageCaseSerializer
    code_filters = {
        "institution": "institution__code",
        "company": "company__code",
        "product": "award__product__code",
        "status": "status",
    }
    region_filter = "region"
    date_field = "opened_on"

    def _case(self, pk) -> ShortageCase:
        return get_for_user(self.get_queryset(), self.request.user, pk=pk if str(pk).isdigit() else 0)

    @extend_schema(request=OpenInput, responses={201: ShortageCaseSerializer})
    def create(self, request):
        """立案：机构为本机构报告；医保局为本区划（或下级区划、指定机构）立案。"""
        user = request.user
        data = _valid(OpenInput, request.data)
        award = get_for_user(Award.objects.select_related("product", "province"), user, pk=data["award"])
        region = institution = None
        if data.get("region"):
            region = get_for_user(Region.objects, user, code=data["region"])
        if data.get("institution"):
            institution = get_for_user(Institution.objects.select_related("region"), user, code=data["institution"])
        case = _service(
            lambda: open_case(
                award=award,
                by=user,
                description=data["description"],
                kind=data["kind"],
                institution=institution,
                region=region,
                opened_on=data.get("opened_on"),
            )
        )
        return created(ShortageCaseSerializer(self._case(case.pk)).data)

    @extend_schema(request=AnswerInput, responses=ShortageCaseSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """中选企业答复（可再次答复，以最新为准）。"""
        case, data = self._case(pk), _valid(AnswerInput, request.data)
        _service(
            lambda: answer_case(
                case=case,
                by=request.user,
                answer=data["answer"],
                cause=data["cause"],
                answered_on=data.get("answered_on"),
            )
        )
        return Response(ShortageCaseSerializer(self._case(pk)).data)

    @extend_schema(request=CloseInput, responses=ShortageCaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """医保局关闭并认定是否不可抗力（非不可抗力时额外费用由企业承担）。"""
        case, data = self._case(pk), _valid(CloseInput, request.data)
        _service(
            lambda: close_case(
                case=case,
                by=request.user,
                conclusion=data["conclusion"],
                force_majeure=data["force_majeure"],
                cause=data["cause"],
                closed_on=data.get("closed_on"),
            )
        )
        return Response(ShortageCaseSerializer(self._case(pk)).data)

    @extend_schema(request=SubstituteInput, responses={201: ShortageCaseSerializer})
    @action(detail=True, methods=["post"])
    def substitutes(self, request, pk=None):
        """登记替代采购：额外费用 =（替代单价 − 中选价）× 数量。"""
        user = request.user
        case, data = self._case(pk), _valid(SubstituteInput, request.data)
        institution = None
        if data.get("institution"):
            institution = get_for_user(Institution.objects.select_related("region"), user, code=data["institution"])
        _service(
            lambda: add_substitute(
                case=case,
                by=user,
                description=data["description"],
                unit_price=data["unit_price"],
                quantity=data["quantity"],
                bought_on=data["bought_on"],
                institution=institution,
            )
        )
        return created(ShortageCaseSerializer(self._case(pk)).data)
