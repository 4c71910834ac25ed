"""API reads of the catalogue: batches, products, awards and the distributors manufacturers named."""

from rest_framework import serializers

from jicai.catalog.models import Award, AwardDistributor, Batch, Product
from jicai.core.api import ScopedReadViewSet


class BatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Batch
        fields = ["code", "name", "ratio_rule_applies", "ratio_table", "cycle_table"]


class ProductSerializer(serializers.ModelSerializer):
    manufacturer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)

    class Meta:
        model = Product
        fields = [
            "code",
            "generic_name",
            "dosage_form",
            "spec",
            "unit",
            "pack_size",
            "manufacturer",
            "manufacturer_name",
            "consistency_evaluated",
            "listed_price",
            "strength_factor",
        ]


class AwardSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    generic_name = serializers.CharField(source="product.generic_name", read_only=True)
    spec = serializers.CharField(source="product.spec", read_only=True)
    manufacturer = serializers.CharField(source="product.manufacturer.code", read_only=True)
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "batch",
            "product",
            "generic_name",
            "spec",
            "manufacturer",
            "province",
            "winning_price",
            "winners",
            "start_date",
            "cycle_years",
        ]


class AwardDistributorSerializer(serializers.ModelSerializer):
    batch = serializers.CharField(source="award.batch.code", read_only=True)
    product = serializers.CharField(source="award.product.code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    distributor = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AwardDistributor
        fields = ["id", "award", "batch", "product", "region", "distributor"]


class BatchViewSet(ScopedReadViewSet):
    """集采批次（公开）。"""

    queryset = Batch.objects.order_by("code")
    serializer_class = BatchSerializer
    lookup_field = "code"


class ProductViewSet(ScopedReadViewSet):
    """药品目录（公开的挂网目录；采购、约定量等按数据范围）。"""

    queryset = Product.objects.select_related("manufacturer").order_by("code")
    serializer_class = ProductSerializer
    lookup_field = "code"
    code_filters = {"manufacturer": "manufacturer__code", "generic_name": "generic_name"}


class AwardViewSet(ScopedReadViewSet):
    """中选药品：本省及所属区划可见；企业看自己的产品或被指定配送的产品。"""

    queryset = Award.objects.select_related("batch", "product__manufacturer", "province").order_by("batch__code", "id")
    serializer_class = AwardSerializer
    code_filters = {"batch": "batch__code", "product": "product__code", "province": "province__code"}
    date_field = "start_date"


class AwardDistributorViewSet(ScopedReadViewSet):
    """生产企业为各区划指定的配送企业。"""

    queryset = AwardDistributor.objects.select_related(
        "award__batch", "award__product", "region", "distributor"
    ).order_by("id")
    serializer_class = AwardDistributorSerializer
    code_filters = {
        "batch": "award__batch__code",
        "product": "award__product__code",
        "distributor": "distributor__code",
    }
    region_filter = "region"
