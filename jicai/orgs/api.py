"""API reads of regions, institutions and companies (the scope is the web's: `visible_to`)."""

from rest_framework import serializers

from jicai.core.api import ScopedReadViewSet
from jicai.orgs.models import Company, Institution, Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    profile = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "path", "profile"]


class InstitutionSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Institution
        fields = ["code", "name", "region", "region_name", "kind", "participation"]


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["code", "name", "is_manufacturer", "is_distributor"]


class RegionViewSet(ScopedReadViewSet):
    """行政区划：本级、下级与上级（上级用于查看全省目录）。"""

    queryset = Region.objects.select_related("parent", "profile").order_by("path")
    serializer_class = RegionSerializer
    lookup_field = "code"
    code_filters = {"level": "level", "parent": "parent__code"}
    region_filter = ""


class InstitutionViewSet(ScopedReadViewSet):
    """医疗机构：医保局看本区划及下级，机构看自己，企业看其供货或有约定量的机构。"""

    queryset = Institution.objects.select_related("region").order_by("code")
    serializer_class = InstitutionSerializer
    lookup_field = "code"
    code_filters = {"kind": "kind", "participation": "participation"}
    region_filter = "region"


class CompanyViewSet(ScopedReadViewSet):
    """企业（公开名录）。"""

    queryset = Company.objects.order_by("code")
    serializer_class = CompanySerializer
    lookup_field = "code"
