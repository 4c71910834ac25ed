"""The audit trail page: scoped (a bureau its area, an institution its own, a company nothing), filtered,
paginated with a pinned query count, exported."""

from __future__ import annotations

import io

import openpyxl
import pytest

from jicai.core.audit import record
from jicai.core.models import AuditEvent
from jicai.core.testing import make_company, make_institution, make_region, make_user


@pytest.fixture
def area(db):
    sd = make_region("370000", name="山东省")
    weihai = make_region("371000", parent=sd, name="威海市")
    cq = make_region("500000", name="重庆市")
    whsl = make_institution(weihai, code="H37100001")
    other = make_institution(weihai, code="H37100002")
    fuling = make_institution(cq, code="H50010201")
    users = {
        "sd": make_user(sd, username="sd_bureau"),
        "weihai": make_user(weihai, username="weihai_bureau"),
        "cq": make_user(cq, username="cq_bureau"),
        "whsl": make_user(whsl, username="whsl_clerk"),
        "fuling": make_user(fuling, username="fuling_hospital"),
        "maker": make_user(make_company(), username="maker"),
    }
    record(users["whsl"], "report.submit", whsl, changes={"revision": 1})
    record(users["weihai"], "report.accepted", whsl, reason="齐全")
    record(None, "admin.change", other, changes={"name": "改名"})
    record(users["fuling"], "report.submit", fuling, changes={"revision": 1})
    record(users["sd"], "admin.change", weihai, changes={"profile": "shandong"})
    return users


def _keys(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/accounts/audit/{query}")
    assert response.status_code == 200
    return sorted((row["event"].action, row["event"].key) for row in response.context["rows"])


def test_each_sees_its_own_area(client, area):
    sd = _keys(client, area["sd"])
    assert len(sd) == 4  # not Chongqing's
    weihai = _keys(client, area["weihai"])
    assert len(weihai) == 4  # the province's change to Weihai's region too
    assert len(_keys(client, area["cq"])) == 1
    assert _keys(client, area["whsl"]) == sorted(
        [
            ("report.submit", str(area["whsl"].membership.institution_id)),
            ("report.accepted", str(area["whsl"].membership.institution_id)),
        ]
    )
    assert len(_keys(client, area["fuling"])) == 1


def test_a_company_and_an_anonymous_visitor_are_refused(client, area):
    client.force_login(area["maker"])
    assert client.get("/accounts/audit/").status_code == 403
    client.logout()
    assert client.get("/accounts/audit/").status_code == 302


def test_filters(client, area):
    assert [a for a, _ in _keys(client, area["sd"], "?action=report")] == ["report.accepted", "report.submit"]
    assert [a for a, _ in _keys(client, area["sd"], "?user=weihai_bureau")] == ["report.accepted"]
    assert len(_keys(client, area["sd"], "?model=orgs.region")) == 1
    assert _keys(client, area["sd"], "?start=2000-01-01&end=2000-01-31") == []
    assert _keys(client, area["sd"], "?start=not-a-date") == []


def test_exports_follow_the_filters(client, area):
    client.force_login(area["weihai"])
    response = client.get("/accounts/audit/?action=report&format=csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("时间,用户,操作,操作代码")
    assert len(text.strip().splitlines()) == 3 and "验收月报" in text
    response = client.get("/accounts/audit/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 5


def test_page_query_count_does_not_grow_with_the_rows(client, area, django_assert_num_queries):
    client.force_login(area["sd"])
    client.get("/accounts/audit/")  # warm the session
    with django_assert_num_queries(6) as few:
        client.get("/accounts/audit/")
    inst = area["whsl"].membership.institution
    for n in range(120):
        record(area["whsl"], "report.save", inst, changes={"n": n})
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/accounts/audit/?page=2")
    assert len(response.context["rows"]) == 50
    assert AuditEvent.objects.count() == 125
