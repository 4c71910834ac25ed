"""Importers of baselines (基数) and agreed volumes (约定采购量) (SPEC §8)."""

from __future__ import annotations

from jicai.catalog.models import Award, Batch, Product
from jicai.core.bulk import UpsertResult
from jicai.core.imports import SMALLINT_MAX, Column, Importer, Row, integer, lookup, text_of
from jicai.orgs.models import Institution, Region
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline

UNKNOWN_INSTITUTION = "未知的机构编码“{code}”"
UNKNOWN_PRODUCT = "未知的药品代码“{code}”"
UNKNOWN_BATCH = "未知的批次编码“{code}”"
NO_AWARD_FOR_INSTITUTION = "批次“{batch}”的药品“{product}”在该机构所在省份没有中选记录"
BEYOND_CYCLE = "超出采购周期（共 {years} 年）"
IMPORT_REASON = "文件导入"


class BaselineImporter(Importer):
    kind = "baselines"
    model = Baseline
    columns = (
        Column("institution_code", "机构编码", text_of(Institution, "code")),
        Column("product_code", "药品代码", text_of(Product, "code")),
        Column("year", "年度", integer(minimum=1990, maximum=2100)),
        Column("quantity", "使用量", integer(minimum=0)),
    )
    key = ("institution", "product", "year")
    fields = ("quantity",)
    key_columns = ("institution_code", "product_code", "year")

    def prepare(self) -> None:
        self.institutions = lookup(Institution.objects, "code")
        self.products = lookup(Product.objects, "code")

    def convert(self, row: Row) -> tuple:
        institution = self.resolve(row, "institution_code", self.institutions, UNKNOWN_INSTITUTION)
        product = self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT)
        return (institution, product, row.get("year"), row.get("quantity"))


class AgreedVolumeImporter(Importer):
    """Agreed volumes from the national or provincial result. The award is the batch's product in the
    institution's province; every created or changed volume gets a history row (kind "import")."""

    kind = "agreed_volumes"
    model = AgreedVolume
    columns = (
        Column("institution_code", "机构编码", text_of(Institution, "code")),
        Column("batch_code", "批次编码", text_of(Batch, "code")),
        Column("product_code", "药品代码", text_of(Product, "code")),
        Column("year_no", "协议年度", integer(minimum=1, maximum=SMALLINT_MAX)),
        Column("quantity", "约定采购量", integer(minimum=0)),
    )
    key = ("institution", "award", "year_no")
    fields = ("quantity",)
    key_columns = ("institution_code", "batch_code", "product_code", "year_no")
    collect_created = True

    def prepare(self) -> None:
        # The province is the first code of the institution's region path.
        self.institutions = lookup(Institution.objects, "code", "region__path")
        self.provinces = lookup(Region.objects.filter(level=Region.Level.PROVINCE), "code")
        self.batches = lookup(Batch.objects, "code")
        self.products = lookup(Product.objects, "code")
        self.awards = {
            (batch, product, province): (pk, years)
            for pk, batch, product, province, years in Award.objects.order_by().values_list(
                "pk", "batch_id", "product_id", "province_id", "cycle_years"
            )
        }

    def convert(self, row: Row) -> tuple:
        institution = self.resolve(row, "institution_code", self.institutions, UNKNOWN_INSTITUTION)
        batch = self.resolve(row, "batch_code", self.batches, UNKNOWN_BATCH)
        product = self.resolve(row, "product_code", self.products, UNKNOWN_PRODUCT)
        award = None
        if institution and batch and product:
            province = self.provinces.get(institution[1].split("/")[0])
            award = self.awards.get((batch, product, province))
            if award is None:
                row.error(
                    "product_code",
                    NO_AWARD_FOR_INSTITUTION.format(batch=row.get("batch_code"), product=row.get("product_code")),
                )
        year_no = row.get("year_no")
        if award and year_no is not None and year_no > award[1]:
            row.error("year_no", BEYOND_CYCLE.format(years=award[1]))
        return (institution and institution[0], award and award[0], year_no, row.get("quantity"))

    def after_write(self, outcome: UpsertResult) -> None:
        """The history: old → new quantity of every changed volume, None → quantity of every new one."""
        history = [
            AgreedVolumeChange(
                volume_id=change.pk,
                kind=AgreedVolumeChange.Kind.IMPORT,
                old_quantity=change.old["quantity"],
                new_quantity=change.new["quantity"],
                by=self.user,
                reason=IMPORT_REASON,
            )
            for change in outcome.changes
        ]
        if outcome.created_rows:
            created = {row[:3]: row[3] for row in outcome.created_rows}
            awards = {award for _, award, _ in created}
            for pk, *key in (
                AgreedVolume.objects.filter(award_id__in=awards)
                .order_by()
                .values_list("pk", "institution_id", "award_id", "year_no")
            ):
                if tuple(key) in created:
                    history.append(
                        AgreedVolumeChange(
                            volume_id=pk,
                            kind=AgreedVolumeChange.Kind.IMPORT,
                            old_quantity=None,
                            new_quantity=created[tuple(key)],
                            by=self.user,
                            reason=IMPORT_REASON,
                        )
                    )
        AgreedVolumeChange.objects.bulk_create(history, batch_size=2000)
