"""Ledger and deduction pages: scopes (another region is 404, companies 403), denied writes change nothing,
pages paginate and their query counts do not grow with the rows."""

from datetime import date

import pytest
from django.urls import reverse

from jicai.core.testing import make_institution
from jicai.monitoring.deductions import propose_deductions
from jicai.monitoring.ledger import prepay
from jicai.monitoring.models import BudgetDeduction, Prepayment
from jicai.monitoring.tests.ledger_world import build
from jicai.volumes.models import AgreedVolume
from jicai.web.listing import PAGE_SIZE

D = date.fromisoformat


@pytest.fixture
def w(db):
    w = build()
    prepay(region=w.regions["sd"], year_no=1, on=D("2020-04-15"), by=w.users["sd_bureau"])
    propose_deductions(region=w.regions["cq"], year_no=1, as_of=D("2021-05-01"), by=w.users["cq_bureau"])
    return w


def signed_in(client, w, name):
    client.force_login(w.users[name])
    return client


@pytest.mark.parametrize(
    "user, url, status, shows, hides",
    [
        ("wh_bureau", "/monitoring/ledger/?year=1", 200, [">A<", ">B<"], []),
        ("hc_bureau", "/monitoring/ledger/?year=1", 200, [">B<"], [">A<"]),
        ("wh_health", "/monitoring/ledger/?year=1", 200, [">A<"], ["记入本年度预付"]),
        ("a_clerk", "/monitoring/ledger/?year=1", 200, ["3000.00"], ["1500.00"]),
        ("hc_bureau", "/monitoring/ledger/?year=1&region=371000", 404, [], []),
        ("fl_bureau", "/monitoring/ledger/?year=1&region=370000", 404, [], []),
        ("wh_bureau", "/monitoring/ledger/?year=1&institution=C", 404, [], []),
        ("maker", "/monitoring/ledger/?year=1", 403, [], []),
        ("fl_bureau", "/monitoring/deductions/?year=1", 200, [">C<", "4000.00"], [">D<"]),
        ("cq_bureau", "/monitoring/deductions/?year=1", 200, [">C<", ">D<"], []),
        ("c_clerk", "/monitoring/deductions/?year=1", 200, ["6000.00"], [">D<", "提出扣减"]),
        ("fl_health", "/monitoring/deductions/?year=1", 200, [">C<"], ["提出扣减"]),
        ("wz_bureau", "/monitoring/deductions/?year=1&region=500102", 404, [], []),
        ("maker", "/monitoring/deductions/?year=1", 403, [], []),
    ],
)
def test_pages_are_scoped(client, w, user, url, status, shows, hides):
    response = signed_in(client, w, user).get(url)
    assert response.status_code == status
    text = response.content.decode()
    for s in shows:
        assert s in text
    for s in hides:
        assert s not in text


def test_anonymous_is_sent_to_login(client, w):
    assert client.get("/monitoring/ledger/").status_code == 302


@pytest.mark.parametrize(
    "user, expected", [("fl_bureau", 200), ("c_clerk", 200), ("fl_health", 200), ("wz_bureau", 404), ("maker", 403)]
)
def test_deduction_detail_shows_evidence_to_those_who_may_see_it(client, w, user, expected):
    d = BudgetDeduction.objects.get(institution__code="C", kind="late")
    response = signed_in(client, w, user).get(reverse("monitoring:deduction", args=[d.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert w.invoices["c1"].invoice_no in response.content.decode()


@pytest.mark.parametrize("user, expected", [("fl_health", 403), ("c_clerk", 403), ("wz_bureau", 404), ("maker", 404)])
def test_denied_confirmations_change_nothing(client, w, user, expected):
    d = BudgetDeduction.objects.get(institution__code="C", kind="late")
    response = signed_in(client, w, user).post(reverse("monitoring:deduction_confirm", args=[d.pk]))
    assert response.status_code == expected
    assert BudgetDeduction.objects.get(pk=d.pk).status == "proposed"


def test_a_bureau_confirms_on_the_page(client, w):
    d = BudgetDeduction.objects.get(institution__code="C", kind="late")
    signed_in(client, w, "fl_bureau").post(reverse("monitoring:deduction_confirm", args=[d.pk]), {"note": "属实"})
    d.refresh_from_db()
    assert (d.status, d.confirmed_by, d.note) == ("confirmed", w.users["fl_bureau"], "属实")


@pytest.mark.parametrize(
    "user, expected", [("wh_health", 403), ("wh_viewer", 403), ("a_clerk", 403), ("fl_bureau", 404)]
)
def test_denied_ledger_writes_change_nothing(client, w, user, expected):
    before = Prepayment.objects.count()
    response = signed_in(client, w, user).post(
        reverse("monitoring:ledger_write"), {"region": "371000", "year": "1", "action": "offset"}
    )
    assert response.status_code == expected
    assert Prepayment.objects.count() == before


def test_exports(client, w):
    c = signed_in(client, w, "wh_bureau")
    xlsx = c.get("/monitoring/ledger/?year=1&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = c.get("/monitoring/ledger/?year=1&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("机构编码,机构名称,药品通用名")
    d = signed_in(client, w, "fl_bureau").get("/monitoring/deductions/?year=1&format=csv").content.decode("utf-8-sig")
    assert "未按时回款" in d and "发票" in d


def test_pages_paginate_and_keep_their_query_count(client, w, django_assert_max_num_queries):
    c = signed_in(client, w, "wh_bureau")
    with django_assert_max_num_queries(16) as small:
        c.get("/monitoring/ledger/?year=1")
    award = w.awards["sd"]
    for i in range(PAGE_SIZE + 5):
        inst = make_institution(w.regions["hc"], code=f"X{i:03d}")
        AgreedVolume.objects.create(institution=inst, award=award, year_no=1, quantity=1000)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get("/monitoring/ledger/?year=1")
    assert "第 1 / 2 页" in response.content.decode()
    cq = signed_in(client, w, "cq_bureau")
    with django_assert_max_num_queries(12):
        cq.get("/monitoring/deductions/?year=1")
