"""Filling the report from the records (SPEC §4.7): the conftest world, September 2020."""

from datetime import date

from jicai.core.testing import make_institution, make_purchase
from jicai.orgs.models import Institution
from jicai.reports.fill import NOT_YET_DUE, fill
from jicai.reports.models import MonthlyReport
from jicai.volumes.models import AgreedVolume

D = date.fromisoformat


def one(world, code="H-A", month="2020-09-01", **kwargs) -> dict:
    inst = world.institutions[code]
    return fill(Institution.objects.filter(pk=inst.pk), D(month), **kwargs)[inst.pk]


def test_row_of_the_award(world):
    doc = one(world)
    assert (doc["institution"], doc["month"], doc["due_on"], doc["lock_on"]) == (
        "H-A",
        "2020-09",
        "2020-10-10",
        "2020-10-20",
    )
    assert doc["title"] == "涪陵区国家集中采购药品采购及回款进度月报表"
    [row] = doc["rows"]
    assert row["seq"] == 1
    assert (row["generic_name"], row["dosage_form"], row["spec"]) == ("阿卡波糖片", "片剂", "50mg")
    assert row["manufacturer"] == world.product.manufacturer.name
    assert (row["agreed_wan"], row["purchased_wan"]) == ("10.0000", "1.3200")
    assert (row["agreed"], row["purchased"], row["year_no"]) == (100_000, 13_200, 1)


def test_unpaid_invoices_are_listed_with_their_reason(world):
    [row] = one(world)["rows"]
    assert row["fully_paid"] is False and row["fully_paid_text"] == "否"
    overdue, not_due = row["unpaid_invoices"]
    assert overdue == {
        "invoice_no": world.invoices["overdue"].invoice_no,
        "confirmed_on": "2020-08-05",
        "amount": "366.00",
        "unpaid": "266.00",
        "due_on": "2020-08-19",
        "reason": "",
        "computed": False,
    }
    assert (not_due["unpaid"], not_due["due_on"], not_due["reason"], not_due["computed"]) == (
        "183.00",
        "2020-10-15",
        NOT_YET_DUE,
        True,
    )
    assert f"发票{not_due['invoice_no']}，确认时间2020-09-25，未回款183.00元，原因：未到付款期" in row["remarks"]
    assert "（未填写原因）" in row["remarks"]


def test_entered_reasons_and_signatures_are_used(world):
    report = MonthlyReport.objects.create(
        institution=world.institutions["H-A"],
        month=D("2020-09-01"),
        preparer="张三",
        phone="023-7222 0000",
        reasons={world.invoices["overdue"].invoice_no: "发票金额有误，已退回企业重开"},
    )
    doc = one(world)
    assert (doc["preparer"], doc["phone"]) == ("张三", "023-7222 0000")
    assert doc["rows"][0]["unpaid_invoices"][0]["reason"] == "发票金额有误，已退回企业重开"
    assert report.reasons  # the report itself is not changed by filling


def test_fully_paid_when_everything_confirmed_was_paid(world):
    [row] = one(world, month="2020-05-01")["rows"]
    assert (row["fully_paid"], row["fully_paid_text"], row["remarks"], row["purchased_wan"]) == (
        True,
        "是",
        "",
        "1.0000",
    )


def test_purchased_is_cumulative_within_the_agreement_year(world):
    # April 2021 ends in year 2 (from 2021-04-15): year 2's volume, nothing bought in it yet.
    [row] = one(world, month="2021-04-01")["rows"]
    assert (row["year_no"], row["agreed_wan"], row["purchased_wan"]) == (2, "12.0000", "0.0000")
    # March 2021 is still year 1: everything accepted from 2020-04-15.
    [row] = one(world, month="2021-03-01")["rows"]
    assert (row["year_no"], row["purchased_wan"]) == (1, "1.6200")


def test_a_month_without_agreed_volume_still_has_a_report(world):
    doc = one(world, "H-B", month="2021-05-01")  # H-B holds no year-2 volume
    assert doc["rows"] == [] and doc["due_on"] == "2021-06-10" and doc["status"] == "draft"
    assert one(world, month="2020-03-01")["rows"] == []  # before the agreement's start


def test_query_count_does_not_grow_with_institutions(world, django_assert_max_num_queries):
    """A fixed number of queries (the reused progress and payment helpers read the profiles once each), the
    recomputation of stale due dates included: the fixture's invoices are new, so both calls do it."""
    with django_assert_max_num_queries(27) as small:
        fill(Institution.objects.all(), D("2020-09-01"))
    fl = world.regions["fl"]
    for _ in range(30):
        inst = make_institution(fl)
        AgreedVolume.objects.create(institution=inst, award=world.award, year_no=1, quantity=10_000)
        make_purchase(
            inst,
            world.product,
            world.invoices["paid"].supplier,
            quantity=100,
            accepted=D("2020-08-03"),
            confirmed=D("2020-08-05"),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        docs = fill(Institution.objects.all(), D("2020-09-01"))
    assert len(docs) == 34
    assert sum(len(d["rows"]) for d in docs.values()) == 33
    assert sum(not r["fully_paid"] for d in docs.values() for r in d["rows"]) == 31
