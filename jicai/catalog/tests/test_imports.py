import io
from decimal import Decimal

from jicai.catalog.models import Award, AwardDistributor, Batch, Product, default_ratio_table
from jicai.core.imports import run_import
from jicai.core.tests.test_imports import load_samples

PRODUCT_HEADER = (
    "code,generic_name,dosage_form,spec,unit,pack_size,manufacturer_code,consistency_evaluated,listed_price"
)


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_products_strength_factor_defaults_to_one_and_an_absent_column_keeps_it(db):
    load_samples(through="products")
    assert Product.objects.get(code="XDEMO0003").strength_factor == Decimal(1)  # blank cell
    assert Product.objects.get(code="XDEMO0005").strength_factor == Decimal(2)
    row = "XDEMO0005,苯磺酸氨氯地平片,片剂,10mg,片,14,91500000DEMO0001M1,否,0.4800\n"
    result = run_import("products", _csv(PRODUCT_HEADER + "\n" + row))
    assert (result.updated, result.unchanged) == (1, 0)
    product = Product.objects.get(code="XDEMO0005")
    assert (product.listed_price, product.strength_factor) == (Decimal("0.4800"), Decimal(2))


def test_batches_get_the_default_tables(db):
    load_samples(through="batches")
    batch = Batch.objects.get(code="GY-YD2018-1")
    assert (batch.ratio_rule_applies, batch.ratio_table) == (True, default_ratio_table())


def test_awards_are_per_province(db):
    load_samples(through="awards")
    award = Award.objects.get(batch__code="GY-YD2019-2", product__code="XDEMO0001", province__code="370000")
    assert (award.winning_price, award.winners, award.cycle_years) == (Decimal("0.1830"), 3, 2)
    assert str(award.start_date) == "2020-04-15"


def test_award_distributors_find_the_award_of_the_province_above_the_region(db):
    load_samples(through="award_distributors")
    named = {
        (d.award.province.code, d.region.code, d.distributor.code)
        for d in AwardDistributor.objects.filter(award__product__code="XDEMO0001", award__batch__code="GY-YD2019-2")
    }
    assert named == {
        ("500000", "500102", "91500000DEMO0003D3"),
        ("500000", "500000", "91500000DEMO0005X5"),  # the province itself
        ("370000", "371002", "91370000DEMO0004D4"),  # two levels down
    }
    again = run_import(
        "award_distributors",
        _csv("batch_code,product_code,region_code,distributor_code\nGY-YD2019-2,XDEMO0001,500102,91500000DEMO0003D3\n"),
    )
    assert (again.created, again.unchanged) == (0, 1)
