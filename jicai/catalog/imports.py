"""Importers of products, batches, awards and the distributors named for them (SPEC §8)."""

from __future__ import annotations

from decimal import Decimal

from jicai.catalog.models import Award, AwardDistributor, Batch, Product
from jicai.core.imports import (
    SMALLINT_MAX,
    Column,
    Importer,
    Row,
    decimal,
    integer,
    lookup,
    parse_bool,
    parse_date,
    text_of,
    unit_price,
)
from jicai.orgs.models import Company, Region

UNKNOWN_COMPANY = "未知的企业编码“{code}”"
UNKNOWN_BATCH = "未知的批次编码“{code}”"
UNKNOWN_PRODUCT = "未知的药品代码“{code}”"
UNKNOWN_REGION = "未知的区划编码“{code}”"
NOT_PROVINCE = "“{code}”不是省级区划"
NOT_DISTRIBUTOR = "“{code}”不是配送企业"
NO_AWARD_IN_REGION = "批次“{batch}”的药品“{product}”在区划“{region}”所在省份没有中选记录"


class ProductImporter(Importer):
    kind = "products"
    model = Product
    columns = (
        Column("code", "药品代码", text_of(Product, "code")),
        Column("generic_name", "通用名", text_of(Product, "generic_name")),
        Column("dosage_form", "剂型", text_of(Product, "dosage_form")),
        Column("spec", "规格", text_of(Product, "spec")),
        Column("unit", "最小制剂单位", text_of(Product, "unit")),
        Column("pack_size", "包装数量", integer(minimum=1, maximum=2**31 - 1)),
        Column("manufacturer_code", "生产企业编码", text_of(Company, "code")),
        Column("consistency_evaluated", "通过一致性评价", parse_bool),
        Column("listed_price", "挂网价", unit_price(minimum=0)),
        Column("strength_factor", "折算系数", decimal(4, 8, positive=True), required=False, default=Decimal(1)),
    )
    key = ("code",)
    fields = (
        "generic_name",
        "dosage_form",
        "spec",
        "unit",
        "pack_size",
        "manufacturer",
        "consistency_evaluated",
        "listed_price",
        "strength_factor",
    )
    key_columns = ("code",)
    audit_columns = {"manufacturer": "manufacturer_code"}
    optional_fields = {"strength_factor": "strength_factor"}

    def prepare(self) -> None:
        self.companies = lookup(Company.objects, "code")

    def convert(self, row: Row) -> tuple:
        manufacturer = self.resolve(row, "manufacturer_code", self.companies, UNKNOWN_COMPANY)
        return (
            row.get("code"),
            row.get("generic_name"),
            row.get("dosage_form"),
            row.get("spec"),
            row.get("unit"),
            row.get("pack_size"),
            manufacturer,
            row.get("consistency_evaluated"),
            row.get("listed_price"),
            row.get("strength_factor"),
        )


class BatchImporter(Importer):
    kind = "batches"
    model = Batch
    columns = (
        Column("code", "批次编码", text_of(Batch, "code")),
        Column("name", "批次名称", text_of(Batch, "name")),
        Column("ratio_rule_applies", "适用比例规则", parse_bool),
    )
    key = ("code",)
    fields = ("name", "ratio_rule_applies")  # the ratio and cycle tables keep their defaults: set them in admin
    key_columns = ("code",)

    def convert(self, row: Row) -> tuple:
        return (row.get("code"), row.get("name"), row.get("ratio_rule_applies"))


class AwardImporter(Importer):
    kind = "awards"
    model = Award
    columns = (
        Column("batch_code", "批次编码", text_of(Batch, "code")),
        Column("product_code", "药品代码", text_of(Product, "code")),
        Column("province_code", "省级区划编码", text_of(Region, "code")),
        Column("winning_price", "中选价", unit_price(positive=True)),
        Column("winners", "中选企业数", integer(minimum=1, maximum=SMALLINT_MAX)),
        Column("start_date", "执行日期", parse_date),
        Column("cycle_years", "采购周期", integer(minimum=1, maximum=SMALLINT_MAX)),
    )
    key = ("batch", "product", "province")
    fields = ("winning_price", "winners", "start_date", "cycle_years")
    key_columns = ("batch_code", "product_code", "province_code")

    def prepare(self) -> None:
        self.batches = lookup(Batch.objects, "code")
        self.products = lookup(Product.objects, "code")
        self.regions = lookup(Region.objects, "code", "level")

    def convert(self, row: Row) -> tuple:
        batch = self.resolve(row, "batch_code", self.batches, UNKNOWN_BATCH)
        product = self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT)
        province = self.resolve(row, "province_code", self.regions, UNKNOWN_REGION)
        if province is not None and province[1] != Region.Level.PROVINCE:
            row.error("province_code", NOT_PROVINCE.format(code=row.get("province_code")))
        return (
            batch,
            product,
            province and province[0],
            row.get("winning_price"),
            row.get("winners"),
            row.get("start_date"),
            row.get("cycle_years"),
        )


class AwardDistributorImporter(Importer):
    """A distributor the manufacturer named for an award in a region: the award is the batch's product in the
    province that is the region or above it."""

    kind = "award_distributors"
    model = AwardDistributor
    columns = (
        Column("batch_code", "批次编码", text_of(Batch, "code")),
        Column("product_code", "药品代码", text_of(Product, "code")),
        Column("region_code", "区划编码", text_of(Region, "code")),
        Column("distributor_code", "配送企业编码", text_of(Company, "code")),
    )
    key = ("award", "region", "distributor")
    fields = ()
    key_columns = ("batch_code", "product_code", "region_code", "distributor_code")

    def prepare(self) -> None:
        self.batches = lookup(Batch.objects, "code")
        self.products = lookup(Product.objects, "code")
        self.regions = lookup(Region.objects, "code", "path")
        self.companies = lookup(Company.objects, "code", "is_distributor")
        self.awards = {
            (batch, product, province): pk
            for pk, batch, product, province in Award.objects.order_by().values_list(
                "pk", "batch_id", "product_id", "province_id"
            )
        }

    def convert(self, row: Row) -> tuple:
        batch = self.resolve(row, "batch_code", self.batches, UNKNOWN_BATCH)
        product = self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT)
        region = self.resolve(row, "region_code", self.regions, UNKNOWN_REGION)
        distributor = self.resolve(row, "distributor_code", self.companies, UNKNOWN_COMPANY)
        if distributor is not None and not distributor[1]:
            row.error("distributor_code", NOT_DISTRIBUTOR.format(code=row.get("distributor_code")))
        award = None
        if batch and product and region:
            award = self._award(batch, product, region[1])
            if award is None:
                row.error(
                    "product_code",
                    NO_AWARD_IN_REGION.format(
                        batch=row.get("batch_code"), product=row.get("product_code"), region=row.get("region_code")
                    ),
                )
        return (award, region and region[0], distributor and distributor[0])

    def _award(self, batch: int, product: int, path: str) -> int | None:
        for code in path.strip("/").split("/"):
            award = self.awards.get((batch, product, self.regions[code][0]))
            if award is not None:
                return award
        return None
