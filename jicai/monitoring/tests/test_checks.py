from datetime import date
from decimal import Decimal

import pytest

from jicai.core.testing import (
    make_award,
    make_company,
    make_institution,
    make_product,
    make_purchase,
    make_region,
)
from jicai.monitoring.checks import run_checks
from jicai.monitoring.models import Warning
from jicai.monitoring.penalties import penalties
from jicai.orgs.models import Institution
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows

D = date.fromisoformat


@pytest.fixture
def world(db):
    cq = make_region("500000", profile="cq")
    fuling = make_region("500102", parent=cq)
    maker, dist = make_company(), make_company(distributor=True, manufacturer=False)
    product = make_product(maker)
    award = make_award(product, cq, price="0.1000")
    return dict(cq=cq, fuling=fuling, maker=maker, dist=dist, product=product, award=award)


def hospital(world, agreed: int, purchases: list[tuple[str, int]]) -> Institution:
    inst = make_institution(world["fuling"])
    AgreedVolume.objects.create(institution=inst, award=world["award"], year_no=1, quantity=agreed)
    for day, q in purchases:
        make_purchase(inst, world["product"], world["dist"], quantity=q, accepted=D(day))
    return inst


def test_progress_counts_accepted_deliveries_in_the_year_with_returns(world):
    inst = hospital(world, 1000, [("2020-04-14", 999), ("2020-05-01", 400), ("2020-06-01", -50), ("2020-12-01", 300)])
    [row] = progress_rows(AgreedVolume.objects.filter(institution=inst), as_of=D("2020-10-14"))
    # before the year and after the as-of date do not count; the return subtracts
    assert (row.progress.purchased, row.progress.status) == (350, "严重滞后")
    [row] = progress_rows(AgreedVolume.objects.filter(institution=inst), as_of=D("2021-04-14"))
    assert row.progress.purchased == 650 and row.progress.time_progress == 1


def test_region_progress_query_count_does_not_grow(world, django_assert_max_num_queries):
    for _ in range(2):
        hospital(world, 1000, [("2020-05-01", 100)])
    with django_assert_max_num_queries(6) as small:
        progress_rows(AgreedVolume.objects.all(), as_of=D("2020-10-14"))
    for _ in range(20):
        hospital(world, 1000, [("2020-05-01", 100), ("2020-06-01", 200)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        rows = progress_rows(AgreedVolume.objects.all(), as_of=D("2020-10-14"))
    assert len(rows) == 22


def test_invoice_status_under_the_cq_rule(world):
    inst = make_institution(world["fuling"])
    on_time = make_purchase(
        inst,
        world["product"],
        world["dist"],
        quantity=1000,
        accepted=D("2020-09-22"),
        price="0.1000",
        confirmed=D("2020-09-25"),
        paid=[(D("2020-10-15"), "100.00")],
    )
    late = make_purchase(
        inst,
        world["product"],
        world["dist"],
        quantity=1000,
        accepted=D("2020-09-22"),
        price="0.1000",
        confirmed=D("2020-09-25"),
        paid=[(D("2020-10-16"), "60.00")],
    )
    rows = {r.invoice_no: r for r in invoice_rows(Invoice.objects.all(), as_of=D("2020-11-01"))}
    assert rows[on_time.invoice_no].payment.status == "已付"
    assert rows[on_time.invoice_no].due.due_on == D("2020-10-15")
    assert (rows[late.invoice_no].payment.status, rows[late.invoice_no].payment.late_amount) == (
        "逾期未付",
        Decimal("100.00"),
    )


def test_monitor_stores_each_finding_once_and_closes_what_no_longer_holds(world):
    slow = hospital(world, 10_000, [("2020-05-01", 100)])
    hospital(world, 1000, [("2020-05-01", 900)])  # rush buying in the first 3 months
    first = run_checks(region=world["cq"], as_of=D("2020-10-14"))
    kinds = set(Warning.objects.values_list("kind", flat=True))
    assert {"severely_lagging", "rush_buying"} <= kinds
    count = Warning.objects.count()
    again = run_checks(region=world["cq"], as_of=D("2020-10-14"))
    assert Warning.objects.count() == count and sum(again.opened.values()) == 0
    assert sum(first.opened.values()) == count
    make_purchase(slow, world["product"], world["dist"], quantity=9_900, accepted=D("2020-10-20"))
    run_checks(region=world["cq"], as_of=D("2020-10-21"))
    assert not Warning.objects.open().filter(institution=slow, kind="severely_lagging").exists()
    assert Warning.objects.filter(institution=slow, kind="severely_lagging", closed_on=D("2020-10-21")).exists()


def test_monitor_sees_only_its_region(world):
    other = make_region("510000", profile="national")
    elsewhere = make_institution(other)
    AgreedVolume.objects.create(institution=elsewhere, award=world["award"], year_no=1, quantity=10_000)
    run_checks(region=world["cq"], as_of=D("2020-10-14"))
    assert not Warning.objects.filter(institution=elsewhere).exists()


def test_penalties_shortfall_and_late(world):
    inst = hospital(world, 10_000, [("2020-05-01", 6_000)])
    make_purchase(
        inst,
        world["product"],
        world["dist"],
        quantity=1000,
        accepted=D("2020-09-22"),
        price="0.1000",
        confirmed=D("2020-09-25"),
        paid=[(D("2020-10-10"), "60.00"), (D("2020-12-01"), "40.00")],
    )
    [p] = penalties(Institution.objects.filter(pk=inst.pk), year_no=1, as_of=D("2021-06-30"))
    # 3,000 short (the invoiced delivery counts as purchased) × 0.1000; 40.00 paid after the due date
    assert (p.deduction.shortfall_amount, p.deduction.late_amount) == (Decimal("300.00"), Decimal("40.00"))
    assert p.late_invoices[0]["late_amount"] == Decimal("40.00")
