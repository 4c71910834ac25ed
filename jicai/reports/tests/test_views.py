"""The report pages: who may open and post what (one table), and the fill → submit → review → remind flow."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from openpyxl import load_workbook

from jicai.reports.models import MonthlyReport, ReportReminder, ReportRevision
from jicai.reports.services import reopen_report, report_for, save_draft, submit_report

D = date.fromisoformat
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROLES = (
    "anonymous",
    "admin",
    "a_clerk",
    "a_viewer",
    "b_clerk",
    "fl_bureau",
    "fl_health",
    "cq_bureau",
    "wz_bureau",
    "maker",
)
A = "/reports/H-A/2020-09/"
LOGIN = "login"  # a 302 to the login page
# fmt: off
TABLE = [
    # method URL                                      anon   admin a_clk a_vw  b_clk fl    flh   cq    wz    maker
    ("GET",  "/reports/",                             LOGIN, 302,  200,  200,  200,  302,  302,  302,  302,  403),
    ("GET",  A,                                       LOGIN, 200,  200,  200,  404,  200,  200,  200,  404,  404),
    ("GET",  "/reports/H-A/2020-13/",                 LOGIN, 404,  404,  404,  404,  404,  404,  404,  404,  404),
    ("GET",  "/reports/NOPE/2020-09/",                LOGIN, 404,  404,  404,  404,  404,  404,  404,  404,  404),
    ("GET",  A + "download/?format=xlsx",             LOGIN, 200,  200,  200,  404,  200,  200,  200,  404,  404),
    ("GET",  A + "download/?format=pdf",              LOGIN, 404,  404,  404,  404,  404,  404,  404,  404,  404),
    ("GET",  A + "revisions/1/",                      LOGIN, 200,  200,  200,  404,  200,  200,  200,  404,  404),
    ("GET",  "/reports/status/?region=500102&month=2020-09", LOGIN, 200, 403, 403, 403, 200, 200, 200, 404, 403),
    ("GET",  "/reports/status/",                      LOGIN, 200,  403,  403,  403,  200,  200,  200,  200,  403),
    ("POST", A + "revisions/1/",                      LOGIN, 405,  405,  405,  405,  405,  405,  405,  405,  405),
]
# fmt: on
CASES = [(role, method, url, status) for method, url, *row in TABLE for role, status in zip(ROLES, row, strict=True)]


@pytest.fixture
def submitted(world):
    report = report_for(institution=world.institutions["H-A"], month=D("2020-09-01"))
    save_draft(
        report=report,
        by=world.users["a_clerk"],
        preparer="张三",
        phone="023-72220000",
        reasons={world.invoices["overdue"].invoice_no: "发票有误"},
    )
    submit_report(report=report, by=world.users["a_clerk"], at=datetime(2020, 10, 9, 10, tzinfo=SHANGHAI))
    return report


def sign_in(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize(("role", "method", "url", "status"), CASES, ids=[f"{r}-{m}-{u}-{s}" for r, m, u, s in CASES])
def test_pages(client, world, submitted, role, method, url, status):
    response = sign_in(client, world, role).generic(method, url)
    if status == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == status, f"{role} {method} {url}"


# Who may save the institution's report: 302 back to the page means saved.
SAVE = {"anonymous": LOGIN, "admin": 302, "a_clerk": 302, "a_viewer": 403, "b_clerk": 404, "fl_bureau": 403,
        "fl_health": 403, "cq_bureau": 403, "wz_bureau": 404, "maker": 404}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_save(client, world, role):
    response = sign_in(client, world, role).post(A, {"action": "save", "leader": "李四", "preparer": "张三"})
    expected = SAVE[role]
    report = MonthlyReport.objects.filter(institution__code="H-A").first()
    if expected == 302:
        assert response.status_code == 302 and response["Location"] == A
        assert (report.leader, report.preparer) == ("李四", "张三")
    else:
        if expected == LOGIN:
            assert response["Location"].startswith("/login/")
        else:
            assert response.status_code == expected
        assert report is None  # a denied write changes nothing


# Who may review: the bureau of the district or above; 302 to the page, with the report accepted.
REVIEW = {"anonymous": LOGIN, "admin": 302, "a_clerk": 403, "a_viewer": 403, "b_clerk": 404, "fl_bureau": 302,
          "fl_health": 403, "cq_bureau": 302, "wz_bureau": 404, "maker": 404}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_review(client, world, submitted, role):
    response = sign_in(client, world, role).post(A + "review/", {"action": "accept", "revision": "1"})
    submitted.refresh_from_db()
    if REVIEW[role] == 302:
        assert response.status_code == 302 and submitted.status == "accepted"
    else:
        assert response.status_code == 302 if REVIEW[role] == LOGIN else response.status_code == REVIEW[role]
        assert submitted.status == "submitted"


def test_fill_and_submit_on_the_page(client, world):
    client.force_login(world.users["a_clerk"])
    response = client.post(A, {"action": "submit", "preparer": "张三", "phone": "1"}, follow=True)
    assert "已于2020-10-20锁定" in response.content.decode()  # September 2020 is long past its lock date
    reopen_report(report=MonthlyReport.objects.get(), by=world.users["fl_bureau"], comment="准予补报")
    page = client.get(A)
    assert page.context["editable"] and "阿卡波糖片" in page.content.decode()
    [reason] = page.context["reasons"]
    assert reason["invoice_no"] == world.invoices["overdue"].invoice_no
    data = {"preparer": "张三", "phone": "023-72220000", "prepared_on": "2020-10-09", "expected_revision": "0"}
    response = client.post(A, {**data, "action": "submit"}, follow=True)
    assert "尚未填写原因" in response.content.decode()
    assert not ReportRevision.objects.exists()
    data[f"reason_{reason['invoice_no']}"] = "发票金额有误，待企业重开"
    response = client.post(A, {**data, "action": "submit"}, follow=True)
    assert "已提交第1版" in response.content.decode()
    # the same page posted twice (a double click, or a colleague with the same page open) writes one revision
    response = client.post(A, {**data, "action": "submit"}, follow=True)
    assert "已被他人提交" in response.content.decode()
    assert ReportRevision.objects.count() == 1
    revision = ReportRevision.objects.get()
    assert revision.rows[0]["unpaid_invoices"][0]["reason"] == "发票金额有误，待企业重开"


def test_return_and_resubmit_shows_the_diff(client, world, submitted):
    client.force_login(world.users["fl_bureau"])
    response = client.post(A + "review/", {"action": "return", "comment": "请核对", "revision": "1"}, follow=True)
    assert "已退回" in response.content.decode()
    client.force_login(world.users["a_clerk"])
    data = {"preparer": "张三", "phone": "023-72229999", "expected_revision": "1", "action": "submit"}
    data[f"reason_{world.invoices['overdue'].invoice_no}"] = "发票有误"
    client.post(A, data)
    page = client.get(A + "revisions/2/")
    assert page.status_code == 200
    assert [(label, old, new) for label, old, new in page.context["signature_changes"]] == [
        ("联系电话", "023-72220000", "023-72229999")
    ]


def test_download_a_revision(client, world, submitted, tmp_path):
    client.force_login(world.users["fl_bureau"])
    response = client.get(A + "download/?format=xlsx&revision=1")
    path = tmp_path / "r.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    assert sheet["C7"].value == "填表人：张三"
    assert client.get(A + "download/?format=json&revision=9").status_code == 404


def test_status_page_and_remind(client, world, submitted, django_assert_max_num_queries):
    world.institutions["H-B"].email = "hb@example.org"
    world.institutions["H-B"].save()
    client.force_login(world.users["fl_bureau"])
    with django_assert_max_num_queries(14):
        page = client.get("/reports/status/?region=500102&month=2020-09")
    summary = page.context["summary"]
    assert (summary.expected, summary.on_time, summary.not_submitted) == (2, 1, 1)
    assert "50.0%" in page.content.decode()
    response = client.post("/reports/status/remind/", {"region": "500102", "month": "2020-09"})
    assert response.status_code == 302
    [reminder] = ReportReminder.objects.all()
    assert (reminder.institution.code, reminder.emailed_to) == ("H-B", "hb@example.org")
    [message] = mail.outbox
    assert message.to == ["hb@example.org"] and "2020-10-10" in message.body
    client.force_login(world.users["b_clerk"])
    assert "医保局催报 2020-09 月报表" in client.get("/reports/").content.decode()


def test_health_commission_cannot_remind(client, world):
    client.force_login(world.users["fl_health"])
    response = client.post("/reports/status/remind/", {"region": "500102", "month": "2020-09"})
    assert response.status_code == 403 and not ReportReminder.objects.exists()
