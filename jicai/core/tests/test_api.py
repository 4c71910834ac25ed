"""The REST API (SPEC §6): token authentication, the web's scopes, pagination, filters, the JSON error shape in
both languages, denied writes that change nothing, imports as uploads, the monthly report's fill and submit.

The world is the web tests' (jicai/web/tests/conftest.py): A in 威海, B in 济南 (both 山东), C in 涪陵 (重庆);
m1 makes p1 and supplies A; dist distributes to B and C and bills them.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from jicai.core.models import AuditEvent
from jicai.orgs.models import Company
from jicai.policy.models import HolidayCalendar
from jicai.reports.models import MonthlyReport, ReportRevision
from jicai.reports.services import MISSING_SIGNATURE


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(response, field: str) -> list[str]:
    return sorted(str(r[field]) for r in results(response))


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message_zh", "message_en", "errors"}
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    return body


# Authentication


def test_the_token_command_issues_one_token_and_the_api_accepts_it(world, db):
    out = io.StringIO()
    call_command("token", "--user", "wh_bureau", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    assert key == world.tokens["wh_bureau"]  # the existing one: issuing twice does not rotate
    response = json.loads(_get_with_token(key, "/api/institutions/").content)
    assert [r["code"] for r in response["results"]] == ["H-WH-A"]


def test_reset_rotates_the_token(world, db):
    out = io.StringIO()
    call_command("token", "--user", "a_viewer", "--reset", stdout=out, stderr=io.StringIO())
    new = out.getvalue().strip()
    assert new != world.tokens["a_viewer"]
    assert _get_with_token(world.tokens["a_viewer"], "/api/invoices/").status_code == 401
    assert _get_with_token(new, "/api/invoices/").status_code == 200


def _get_with_token(key, url):
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c.get(url)


def test_no_token_or_a_wrong_one_is_401_in_both_languages(api_for):
    body = assert_error(api_for(None).get("/api/invoices/"), 401, "not_authenticated")
    assert body["message_zh"] == "未登录或令牌无效"
    assert body["message_en"] == "Not signed in, or the token is not valid"
    assert _get_with_token("0" * 40, "/api/invoices/").status_code == 401


def test_the_browser_session_works_too(client_for_session):
    assert keys(client_for_session.get("/api/invoices/"), "invoice_no") == ["INV-A"]


@pytest.fixture
def client_for_session(world, client, db):
    client.force_login(world.users["a_clerk"])
    return client


# Scopes


@pytest.mark.parametrize(
    ("user", "invoices"),
    [
        ("sd_bureau", ["INV-A", "INV-B"]),
        ("wh_bureau", ["INV-A"]),
        ("wh_health", ["INV-A"]),
        ("a_clerk", ["INV-A"]),
        ("m1", ["INV-A"]),
        ("dist", ["INV-B", "INV-C"]),
        ("no_membership", []),
        ("admin", ["INV-A", "INV-B", "INV-C"]),
    ],
)
def test_each_user_lists_only_the_invoices_of_its_scope(api_for, user, invoices):
    assert keys(api_for(user).get("/api/invoices/"), "invoice_no") == invoices


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("a_clerk", "/api/invoices/INV-A/", 200),
        ("a_clerk", "/api/invoices/INV-B/", 404),  # another institution's invoice: as if it did not exist
        ("a_clerk", "/api/invoices/NOPE/", 404),
        ("wh_bureau", "/api/orders/ORD-B/", 404),  # a sibling city
        ("sd_bureau", "/api/orders/ORD-C/", 404),  # another province
        ("m1", "/api/deliveries/DLV-B/", 404),
        ("dist", "/api/payments/PAY-C/", 200),
        ("a_clerk", "/api/institutions/H-JN-B/", 404),
        ("m1", "/api/monthly-reports/", 200),
    ],
)
def test_another_scopes_record_is_404(api_for, user, url, status):
    response = api_for(user).get(url)
    assert response.status_code == status
    if status == 404:
        assert_error(response, 404, "not_found")


def test_a_company_sees_the_awards_orders_and_volumes_of_its_own_products_only(api_for, world):
    m1 = api_for("m1")
    assert keys(m1.get("/api/awards/"), "id") == [str(world.keys["sd1"])]
    assert keys(m1.get("/api/orders/"), "order_id") == ["ORD-A"]
    assert keys(m1.get("/api/agreed-volumes/"), "institution") == ["H-WH-A"]
    assert keys(m1.get("/api/institutions/"), "code") == ["H-WH-A"]
    assert results(m1.get("/api/monthly-reports/")) == []  # companies read no report
    # The catalogue itself is public, like the companies' registry: each product names its manufacturer.
    products = results(m1.get("/api/products/"))
    assert {p["code"]: p["manufacturer"] for p in products} == {
        "XP-P1": world.objects["m1"].code,
        "XP-P2": world.objects["m2"].code,
    }


# Pagination and filters


def test_pages_have_a_count_and_links(api_for):
    page = api_for("admin").get("/api/invoices/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["previous"] is None
    assert "page=2" in page["next"]
    second = api_for("admin").get("/api/invoices/?page_size=2&page=2").json()
    assert [r["invoice_no"] for r in second["results"]] == ["INV-C"]
    assert_error(api_for("admin").get("/api/invoices/?page=x"), 400, "invalid")
    assert_error(api_for("admin").get("/api/invoices/?page=9"), 404, "not_found")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("institution=H-JN-B", ["INV-B"]),
        ("region=371000", ["INV-A"]),
        ("region=370000", ["INV-A", "INV-B"]),
        ("region=500102", ["INV-C"]),
        ("supplier=91370000000000003D", ["INV-B", "INV-C"]),
        ("from=2020-09-23&to=2020-09-23", ["INV-A", "INV-B", "INV-C"]),
        ("from=2020-09-24", []),
        ("to=2020-09-22", []),
    ],
)
def test_filters_by_code_and_date(api_for, query, expected):
    assert keys(api_for("admin").get(f"/api/invoices/?{query}"), "invoice_no") == expected


def test_filters_never_widen_the_scope(api_for):
    assert keys(api_for("a_clerk").get("/api/invoices/?institution=H-JN-B"), "invoice_no") == []
    assert keys(api_for("wh_bureau").get("/api/deliveries/?region=370000"), "delivery_id") == ["DLV-A"]


def test_a_bad_date_names_the_parameter(api_for):
    body = assert_error(api_for("admin").get("/api/deliveries/?from=2020-13-01"), 400, "invalid")
    assert body["errors"] == {"from": ["日期格式应为 YYYY-MM-DD"]}


LISTS = [
    "regions",
    "institutions",
    "companies",
    "batches",
    "products",
    "awards",
    "award-distributors",
    "baselines",
    "agreed-volumes",
    "agreed-volume-changes",
    "orders",
    "deliveries",
    "invoices",
    "invoice-lines",
    "payments",
    "usage",
    "warnings",
    "monthly-reports",
    "report-revisions",
    "supply-checks",
    "shortage-cases",
]


@pytest.mark.parametrize("name", LISTS)
def test_list_endpoints_make_the_same_queries_for_one_row_or_many(api_for, records, name):
    """Token and membership, the page's count and its rows (and a prefetch): never one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, counts = api_for("admin"), []
    for size in (1, 500):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/{name}/?page_size={size}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.json()["count"] >= 2, "the world must hold several rows of each kind for this to mean anything"
    assert counts[0] == counts[1] <= 6, counts


# The answers of SPEC §6 through the API: the same fields as the CLI's JSON


def _cli_json(capsys, *args) -> dict:
    capsys.readouterr()
    call_command(*args, "--format", "json")  # the commands write their JSON to the process's stdout
    return json.loads(capsys.readouterr().out)


def test_progress_answers_what_jicai_progress_answers(api_for, capsys):
    api = api_for("sd_bureau").get("/api/progress/?region=370000&as_of=2020-10-31")
    assert api.status_code == 200
    assert api.json() == _cli_json(
        capsys, "progress", "--region", "370000", "--as-of", "2020-10-31", "--user", "sd_bureau"
    )
    assert [r["institution"] for r in api.json()["rows"]] == ["H-JN-B", "H-WH-A"]


def test_payment_status_answers_what_jicai_payments_answers(api_for, capsys):
    api = api_for("a_clerk").get("/api/payment-status/?institution=H-WH-A&as_of=2020-11-30")
    assert api.status_code == 200
    cli = _cli_json(capsys, "payments", "--institution", "H-WH-A", "--as-of", "2020-11-30", "--user", "a_clerk")
    assert api.json() == cli
    assert api.json()["invoices"][0]["late_amount"] == "83.00"


@pytest.mark.parametrize(
    ("user", "url", "status", "code"),
    [
        ("a_clerk", "/api/payment-status/?institution=H-JN-B&as_of=2020-11-30", 404, "not_found"),
        ("wh_bureau", "/api/progress/?region=370100&as_of=2020-11-30", 404, "not_found"),
        ("wh_bureau", "/api/progress/?region=371000", 400, "invalid"),
        ("wh_bureau", "/api/progress/?region=371000&institution=H-WH-A&as_of=2020-11-30", 400, "invalid"),
    ],
)
def test_answers_refuse_what_is_out_of_scope_or_incomplete(api_for, user, url, status, code):
    assert_error(api_for(user).get(url), status, code)


# Errors


def test_an_unknown_api_path_is_a_json_404(api_for):
    assert_error(api_for("a_clerk").get("/api/no-such-thing/"), 404, "not_found")
    assert_error(api_for(None).get("/api/invoices/INV-A/lines/"), 404, "not_found")


def test_a_read_only_endpoint_refuses_writes_with_405(api_for):
    before = Company.objects.count()
    body = assert_error(api_for("admin").post("/api/companies/", {"code": "X", "name": "Y"}), 405, "method_not_allowed")
    assert body["message_en"] == "This method is not allowed here"
    assert Company.objects.count() == before


# Imports


GOOD = b"code,name,is_manufacturer,is_distributor\n91000000API0000001,API test company,true,false\n"
BAD = b"code,name,is_manufacturer,is_distributor\n91000000API0000002,,maybe,false\n"


def _upload(client, content: bytes, *, dry_run: bool):
    data = {"kind": "companies", "file": SimpleUploadedFile("companies.csv", content), "dry_run": dry_run}
    return client.post("/api/imports/", data, format="multipart")


def test_an_import_is_checked_then_lands(api_for):
    client = api_for("admin")
    checked = _upload(client, GOOD, dry_run=True)
    assert checked.status_code == 200
    assert checked.json() | {"errors": None, "record": None} == {
        "kind": "companies",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "landed": False,
        "dry_run": True,
        "errors": None,
        "record": None,
    }
    assert not Company.objects.filter(code="91000000API0000001").exists()
    landed = _upload(client, GOOD, dry_run=False)
    assert landed.json()["landed"] is True and landed.json()["created"] == 1
    assert Company.objects.get(code="91000000API0000001").name == "API test company"
    again = _upload(client, GOOD, dry_run=False)
    assert again.json()["unchanged"] == 1  # idempotent


def test_a_bad_import_lists_every_row_error_and_writes_nothing(api_for):
    before = Company.objects.count()
    body = assert_error(_upload(api_for("admin"), BAD, dry_run=False), 400, "import_rejected")
    assert {(e["line"], e["column"]) for e in body["errors"]} == {(2, "name"), (2, "is_manufacturer")}
    assert Company.objects.count() == before


def test_a_file_that_is_not_text_is_rejected_not_a_server_error(api_for):
    body = assert_error(_upload(api_for("admin"), b"\xff\xfe\x81\x30\xff", dry_run=True), 400, "import_rejected")
    assert body["errors"][0]["message"].startswith("无法读取文件：不是 UTF-8 或 GB18030 编码的 CSV 文本")


@pytest.mark.parametrize(("user", "status"), [("anonymous", 401), ("sd_bureau", 403), ("a_clerk", 403), ("m1", 403)])
def test_only_administrators_import(api_for, user, status):
    before = (Company.objects.count(), AuditEvent.objects.count())
    response = _upload(api_for(user), GOOD, dry_run=False)
    assert response.status_code == status
    assert (Company.objects.count(), AuditEvent.objects.count()) == before


# The monthly report


def _current_month() -> str:
    return f"{timezone.localdate():%Y-%m}"  # lock date still ahead, so a submission is accepted


def test_the_form_is_filled_from_the_records(api_for):
    doc = api_for("a_clerk").get("/api/monthly-reports/H-WH-A/2020-09/").json()
    assert doc["institution"] == "H-WH-A" and doc["month"] == "2020-09"
    [row] = doc["rows"]
    assert (row["generic_name"], row["agreed_wan"], row["purchased_wan"], row["fully_paid"]) == (
        "阿卡波糖片",
        "0.5000",
        "0.1000",
        False,
    )
    assert set(row) >= {"dosage_form", "spec", "manufacturer", "remarks"}  # the SPEC §6 report fields
    assert api_for("wh_bureau").get("/api/monthly-reports/H-WH-A/2020-09/").status_code == 200


@pytest.mark.parametrize(
    ("user", "status"),
    [("a_clerk", 200), ("wh_bureau", 200), ("sd_bureau", 200), ("m1", 404), ("dist", 404), ("anonymous", 401)],
)
def test_who_reads_the_form(api_for, user, status):
    assert api_for(user).get("/api/monthly-reports/H-WH-A/2020-09/").status_code == status


def test_a_bad_month_is_400(api_for):
    body = assert_error(api_for("a_clerk").get("/api/monthly-reports/H-WH-A/2020-13/"), 400, "invalid")
    assert "month" in body["errors"]
    assert_error(api_for("a_clerk").get("/api/monthly-reports/H-WH-A/9999-12/"), 400, "invalid")


@pytest.fixture
def next_year_in_calendar(db):
    """This month's report is due next month, perhaps next year, which the calendar package may not know yet: an
    administrator then enters it, as `jicai calendar init` does."""
    year = timezone.localdate().year + 1
    if not HolidayCalendar.objects.filter(date__year=year).exists():
        call_command("calendar", "init", str(year), stdout=io.StringIO())


def test_a_month_whose_dates_need_a_missing_calendar_year_is_a_409_naming_the_year(api_for):
    body = assert_error(api_for("a_clerk").get("/api/monthly-reports/H-WH-A/2098-12/"), 409, "calendar_missing")
    assert "2099" in body["message_zh"] and "2099" in body["message_en"]


def test_the_institution_signs_and_submits(api_for, next_year_in_calendar):
    client, month = api_for("a_clerk"), _current_month()
    url = f"/api/monthly-reports/H-WH-A/{month}/"
    refused = assert_error(client.post(url + "submit/", {}, format="json"), 409, "rejected")
    assert refused["message_zh"] == MISSING_SIGNATURE
    assert MISSING_SIGNATURE in refused["message_en"]
    saved = client.patch(url, {"preparer": "张三", "phone": "0631-0000000"}, format="json")
    assert saved.status_code == 200 and saved.json()["preparer"] == "张三"
    submitted = client.post(url + "submit/", {"expected_revision": 0}, format="json")
    assert submitted.status_code == 201, submitted.content
    assert submitted.json()["number"] == 1 and submitted.json()["on_time"] is True
    assert submitted.json()["source"] == "api"
    report = MonthlyReport.objects.get(institution__code="H-WH-A", month=date.fromisoformat(month + "-01"))
    assert report.status == "submitted" and report.revision == 1
    stale = assert_error(client.post(url + "submit/", {"expected_revision": 0}, format="json"), 409, "rejected")
    assert "第1版" in stale["message_zh"]
    assert keys(client.get(f"/api/report-revisions/?from={month}-01"), "number") == ["1"]
    assert keys(api_for("wh_bureau").get(f"/api/monthly-reports/?institution=H-WH-A&from={month}-01"), "revision") == [
        "1"
    ]


def test_a_locked_month_is_refused(api_for):
    client = api_for("a_clerk")
    body = client.post("/api/monthly-reports/H-WH-A/2020-09/submit/", {"preparer": "张三", "phone": "1"}, format="json")
    assert "锁定" in assert_error(body, 409, "rejected")["message_zh"]


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("anonymous", 401),
        ("a_viewer", 403),  # its own institution, but a viewer
        ("wh_bureau", 403),  # reads the report, does not fill it
        ("wh_health", 403),
        ("sd_bureau", 403),
        ("m1", 404),  # a company does not see reports at all
        ("dist", 404),
        ("no_membership", 404),
    ],
)
def test_denied_report_writes_change_nothing(api_for, user, status):
    client, url = api_for(user), f"/api/monthly-reports/H-WH-A/{_current_month()}/"
    before = (MonthlyReport.objects.count(), ReportRevision.objects.count(), AuditEvent.objects.count())
    assert client.patch(url, {"preparer": "X", "phone": "1"}, format="json").status_code == status
    assert client.post(url + "submit/", {"preparer": "X", "phone": "1"}, format="json").status_code == status
    assert (MonthlyReport.objects.count(), ReportRevision.objects.count(), AuditEvent.objects.count()) == before


def test_invalid_draft_fields_are_400_and_change_nothing(api_for):
    before = MonthlyReport.objects.count()
    body = assert_error(
        api_for("a_clerk").patch(
            f"/api/monthly-reports/H-WH-A/{_current_month()}/", {"phone": "1" * 31, "prepared_on": "x"}, format="json"
        ),
        400,
        "invalid",
    )
    assert set(body["errors"]) == {"phone", "prepared_on"}
    assert MonthlyReport.objects.count() == before


# Schema and documentation


def test_the_schema_and_its_page_are_served_without_a_cdn(api_for, client_for_session):
    schema = api_for("a_clerk").get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/invoices/{invoice_no}/" in schema.json()["paths"]
    page = client_for_session.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and "/api/progress/" in html
    assert "cdn" not in html.lower() and '<script src="http' not in html
