"""Bulletin and audit pages: scopes, the printable page and the .xlsx, denied writes change nothing, query counts
do not grow with the rows."""

from datetime import date

import pytest
from django.urls import reverse

from jicai.core.testing import make_institution
from jicai.monitoring.tests.ledger_world import build
from jicai.reports.audits import run_audit
from jicai.reports.bulletins import draft_bulletin
from jicai.reports.models import Bulletin, PaymentAudit

D = date.fromisoformat


@pytest.fixture
def w(db):
    w = build()
    w.bulletin = draft_bulletin(region=w.regions["fl"], month=D("2020-12-01"), by=w.users["fl_bureau"])
    w.audit, _ = run_audit(region=w.regions["sd"], year=2020, quarter=3, by=w.users["sd_bureau"], source="tick")
    return w


def signed_in(client, w, name):
    client.force_login(w.users[name])
    return client


@pytest.mark.parametrize(
    "user, status",
    [
        ("fl_bureau", 200),
        ("cq_bureau", 200),
        ("fl_health", 200),
        ("wz_bureau", 404),
        ("wh_bureau", 404),
        ("c_clerk", 403),
        ("maker", 403),
    ],
)
def test_bulletin_page_scope(client, w, user, status):
    c = signed_in(client, w, user)
    response = c.get(reverse("reports:bulletin", args=[w.bulletin.pk]))
    assert response.status_code == status
    assert c.get(reverse("reports:bulletin_xlsx", args=[w.bulletin.pk])).status_code == status
    if status == 200:
        text = response.content.decode()
        assert "@media print" in text and "逾期回款的医疗机构" in text


def test_publish_on_the_page_and_only_by_a_bureau_writer(client, w):
    url = reverse("reports:bulletin_publish", args=[w.bulletin.pk])
    assert signed_in(client, w, "fl_health").post(url).status_code == 403
    assert signed_in(client, w, "wz_bureau").post(url).status_code == 404
    assert Bulletin.objects.get().status == "draft"
    signed_in(client, w, "fl_bureau").post(url)
    b = Bulletin.objects.get()
    assert (b.status, b.published_by) == ("published", w.users["fl_bureau"])
    page = client.get(reverse("reports:bulletin", args=[b.pk])).content.decode()
    assert "已发布" in page and "发布通报" not in page


def test_drafting_needs_a_bureau_writer_of_the_region(client, w):
    url = reverse("reports:bulletin_new")
    assert signed_in(client, w, "fl_health").post(url, {"region": "500102", "month": "2021-01"}).status_code == 403
    assert signed_in(client, w, "wz_bureau").post(url, {"region": "500102", "month": "2021-01"}).status_code == 404
    assert Bulletin.objects.count() == 1
    response = signed_in(client, w, "fl_bureau").post(url, {"region": "500102", "month": "2021-01"})
    assert response.status_code == 302 and Bulletin.objects.count() == 2


@pytest.mark.parametrize(
    "user, status, shows, hides",
    [
        ("sd_bureau", 200, [">A<", ">B<"], []),
        ("hc_bureau", 200, [">B<"], [">A<"]),
        ("a_clerk", 200, [">A<", "75.0%"], [">B<"]),
        ("fl_bureau", 404, [], []),
        ("maker", 403, [], []),
    ],
)
def test_audit_page_scope(client, w, user, status, shows, hides):
    response = signed_in(client, w, user).get(reverse("reports:audit", args=[w.audit.pk]))
    assert response.status_code == status
    text = response.content.decode()
    for s in shows:
        assert s in text
    for s in hides:
        assert s not in text


def test_running_an_audit_on_the_page(client, w):
    url = reverse("reports:audit_new")
    assert signed_in(client, w, "wh_health").post(url, {"region": "371000", "quarter": "2020Q2"}).status_code == 403
    assert PaymentAudit.objects.count() == 1
    signed_in(client, w, "wh_bureau").post(url, {"region": "371000", "quarter": "2020Q2"})
    assert PaymentAudit.objects.filter(region=w.regions["wh"], year=2020, quarter=2, source="bureau").exists()


def test_lists_paginate_and_keep_their_query_count(client, w, django_assert_max_num_queries):
    c = signed_in(client, w, "sd_bureau")
    with django_assert_max_num_queries(10) as small:
        c.get(reverse("reports:audit", args=[w.audit.pk]))
    for i in range(60):
        inst = make_institution(w.regions["hc"], code=f"Y{i:03d}")
        w.audit.rows.append({**w.audit.rows[0], "institution": inst.code, "institution_name": inst.name})
    PaymentAudit.objects.filter(pk=w.audit.pk).update(rows=w.audit.rows)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(reverse("reports:audit", args=[w.audit.pk]))
    assert "第 1 / 2 页" in response.content.decode()
    f = signed_in(client, w, "fl_bureau")
    with django_assert_max_num_queries(10):
        assert f.get(reverse("reports:bulletins")).status_code == 200
    s = signed_in(client, w, "sd_bureau")
    with django_assert_max_num_queries(10):
        assert s.get(reverse("reports:audits")).status_code == 200
