"""API reads of baselines, agreed volumes and their history, and progress (the `jicai progress` answer)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from jicai.core.api import ApiError, ApiView, ScopedReadViewSet, parse_date_param, query_code, query_date
from jicai.orgs.models import Institution, Region
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline
from jicai.volumes.progress import progress_rows


class BaselineSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Baseline
        fields = ["id", "institution", "product", "year", "quantity"]


class AgreedVolumeSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    batch = serializers.CharField(source="award.batch.code", read_only=True)
    product = serializers.CharField(source="award.product.code", read_only=True)
    generic_name = serializers.CharField(source="award.product.generic_name", read_only=True)

    class Meta:
        model = AgreedVolume
        fields = ["id", "institution", "award", "batch", "product", "generic_name", "year_no", "quantity"]


class AgreedVolumeChangeSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AgreedVolumeChange
        fields = ["id", "volume", "kind", "old_quantity", "new_quantity", "by", "at", "reason"]


class BaselineViewSet(ScopedReadViewSet):
    """基数：机构基准年度的使用量。"""

    queryset = Baseline.objects.select_related("institution", "product").order_by("institution__code", "product__code")
    serializer_class = BaselineSerializer
    code_filters = {"institution": "institution__code", "product": "product__code", "year": "year"}
    region_filter = "institution__region"


class AgreedVolumeViewSet(ScopedReadViewSet):
    """约定采购量。"""

    queryset = AgreedVolume.objects.select_related("institution", "award__batch", "award__product").order_by(
        "institution__code", "award_id", "year_no"
    )
    serializer_class = AgreedVolumeSerializer
    code_filters = {
        "institution": "institution__code",
        "product": "award__product__code",
        "batch": "award__batch__code",
        "year_no": "year_no",
    }
    region_filter = "institution__region"


class AgreedVolumeChangeViewSet(ScopedReadViewSet):
    """约定采购量的每次变更（分解、调剂、导入），含操作人与原因。"""

    queryset = AgreedVolumeChange.objects.select_related("by").order_by("-at", "-id")
    serializer_class = AgreedVolumeChangeSerializer
    code_filters = {"institution": "volume__institution__code", "product": "volume__award__product__code"}
    region_filter = "volume__institution__region"
    date_field = "at__date"


def progress_document(rows, as_of) -> dict:
    """The `jicai progress --format json` document: the same field names (SPEC §6)."""
    return {
        "as_of": as_of.isoformat(),
        "rows": [r.as_json() for r in rows],
    }


ProgressRowSerializer = inline_serializer(
    "ProgressRow",
    {
        "institution": serializers.CharField(),
        "institution_name": serializers.CharField(),
        "product": serializers.CharField(),
        "generic_name": serializers.CharField(),
        "spec": serializers.CharField(),
        "year_no": serializers.IntegerField(),
        "agreed": serializers.IntegerField(),
        "purchased": serializers.IntegerField(),
        "completion": serializers.CharField(),
        "time_progress": serializers.CharField(),
        "status": serializers.CharField(),
        "projected": serializers.CharField(),
    },
    many=True,
)


PROGRESS_PARAMS = _("必填：as_of（截至日期 YYYY-MM-DD），以及 region（区划编码）或 institution（机构编码）之一")


class ProgressView(ApiView):
    """采购进度：每家机构 × 每个中选药品的完成率、序时进度与状态（与 `jicai progress` 相同的字段）。"""

    @extend_schema(
        parameters=[
            query_code("region", "区划编码（含下级）；与 institution 二选一"),
            query_code("institution", "机构编码"),
            query_date("as_of", "截至日期 YYYY-MM-DD", required=True),
        ],
        responses=inline_serializer("Progress", {"as_of": serializers.DateField(), "rows": ProgressRowSerializer}),
    )
    def get(self, request):
        user = request.user
        as_of = parse_date_param(request, "as_of")
        region, institution = request.query_params.get("region"), request.query_params.get("institution")
        if as_of is None or bool(region) == bool(institution):
            raise ApiError("invalid", errors={"as_of": [str(PROGRESS_PARAMS)]})
        volumes = AgreedVolume.objects.visible_to(user)
        if region:
            scope = Region.objects.visible_to(user).filter(code=region).first()
            if scope is None:
                raise ApiError("not_found", status_code=404)
            volumes = volumes.filter(institution__region__path__startswith=scope.path)
        else:
            scope = Institution.objects.visible_to(user).filter(code=institution).first()
            if scope is None:
                raise ApiError("not_found", status_code=404)
            volumes = volumes.filter(institution=scope)
        return Response(progress_document(progress_rows(volumes, as_of=as_of), as_of))
