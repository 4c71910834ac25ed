"""API reads of the warnings the checks of SPEC §4 raised."""

from rest_framework import serializers

from jicai.core.api import ScopedReadViewSet
from jicai.monitoring.models import Warning


class WarningSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Warning
        fields = [
            "id",
            "kind",
            "kind_display",
            "institution",
            "award",
            "product",
            "subject",
            "message",
            "figures",
            "first_seen",
            "last_seen",
            "closed_on",
        ]


class WarningViewSet(ScopedReadViewSet):
    """预警：`open=1` 只看未解除的，按最近确认日期筛选。"""

    queryset = Warning.objects.select_related("institution", "product").order_by("-last_seen", "kind", "id")
    serializer_class = WarningSerializer
    code_filters = {"institution": "institution__code", "kind": "kind", "product": "product__code"}
    region_filter = "institution__region"
    date_field = "last_seen"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.query_params.get("open") in ("1", "true"):
            queryset = queryset.open()
        return queryset
