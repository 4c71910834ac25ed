"""The company home page: progress of its products by region and institution, what each institution owes it and
since when, sorting that survives pagination, exports that follow the page, and the scope."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jicai.web.tests.test_views import _grow

COMPANY_MAX_QUERIES = 35  # with stale deadlines to refresh (11 queries); PostgreSQL: +4 for turning JIT off
AS_OF = "as_of=2020-12-31"


def test_manufacturer_sees_its_products_progress_by_region_and_institution(client_for, world):
    ctx = client_for("m1").get(f"/?{AS_OF}").context
    [region] = ctx["tables"]["regions"].rows
    assert (region["award_id"], region["region"], region["institutions"]) == (world.keys["sd1"], "环翠区", 1)
    assert (region["agreed"], region["purchased"], region["completion"]) == (5000, 1000, Decimal("20.0"))
    [row] = ctx["tables"]["progress"].rows
    assert (row["institution"], row["agreed"], row["purchased"]) == ("H-WH-A", 5000, 1000)
    assert row["links"]["generic_name"] == f"/institutions/H-WH-A/awards/{world.keys['sd1']}/?{AS_OF}"


def test_what_each_institution_owes_and_since_when(client_for):
    ctx = client_for("m1").get(f"/?{AS_OF}").context
    [owed] = ctx["tables"]["owed"].rows
    # INV-A: 183.00, accepted 2020-09-22, confirmed 09-25, 100.00 paid on 10-09; the national rule (the fixture's
    # regions have no profile) makes it due 30 days after acceptance: 2020-10-22, so 70 days late on 12-31.
    assert owed["institution"] == "H-WH-A"
    assert (owed["invoices"], owed["outstanding"], owed["not_due"], owed["overdue"]) == (
        1,
        Decimal("83.00"),
        Decimal("0.00"),
        Decimal("83.00"),
    )
    assert (owed["since"], owed["days_late"], owed["status"]) == (date(2020, 9, 22), 70, "逾期未付")
    [invoice] = ctx["tables"]["invoices"].rows
    assert (invoice["invoice_no"], invoice["due_on"], invoice["outstanding"]) == (
        "INV-A",
        date(2020, 10, 22),
        Decimal("83.00"),
    )
    assert ctx["owed_totals"]["overdue"] == Decimal("83.00")


def test_distributor_sees_what_it_billed_only(client_for):
    response = client_for("dist").get(f"/?{AS_OF}")
    owed = response.context["tables"]["owed"].rows
    assert sorted(r["institution"] for r in owed) == ["H-FL-C", "H-JN-B"]
    html = response.content.decode()
    assert "INV-A" not in html and "H-WH-A" not in html


def test_a_manufacturer_never_sees_another_companys_invoices(client_for):
    html = client_for("m1").get(f"/?{AS_OF}").content.decode()
    for other in ("INV-B", "INV-C", "H-JN-B", "H-FL-C"):
        assert other not in html


def test_sorting_survives_pagination(client_for, world):
    _grow(world)  # 60 more unpaid invoices of H-WH-A billed by M1, 0.83 outstanding each
    client = client_for("m1")
    first = client.get(f"/?{AS_OF}&invoices_sort=-outstanding").context
    page = first["pages"]["invoices"]
    assert (page.paginator.count, page.paginator.num_pages) == (61, 2)
    assert first["display"]["invoices"][0]["cells"][0][1] == "INV-A"  # the largest outstanding amount
    assert "invoices_sort=-outstanding" in page.next_url and "invoices_page=2" in page.next_url
    last = client.get(f"/?{AS_OF}&invoices_sort=outstanding&invoices_page=2").context
    assert last["display"]["invoices"][-1]["cells"][0][1] == "INV-A"
    # A header link sorts the whole table and goes back to the first page of that table.
    headers = dict((str(label), url) for label, _kind, url, _aria in last["headers"]["invoices"])
    assert "invoices_page" not in headers["未回款（元）"] and "invoices_sort=-outstanding" in headers["未回款（元）"]


def test_exports_follow_the_filters_and_the_sort(client_for, world):
    _grow(world)
    client = client_for("m1")
    response = client.get(f"/company/export/invoices.xlsx?{AS_OF}&invoices_sort=-outstanding")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("发票号", "机构编码", "机构名称")
    assert rows[1][0] == "INV-A" and len(rows) == 62
    response = client.get("/company/export/invoices.csv?as_of=2020-09-30")  # before the grown invoices
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["INV-A"]
    owed = client.get(f"/company/export/owed.csv?{AS_OF}").content.decode("utf-8-sig")
    assert "H-WH-A" in owed and "H-JN-B" not in owed


@pytest.mark.parametrize(
    ("role", "status"),
    [("m1", 200), ("dist", 200), ("a_clerk", 403), ("wh_bureau", 403), ("wh_health", 403), ("admin", 403)],
)
def test_who_may_export(client_for, role, status):
    assert client_for(role).get("/company/export/owed.csv").status_code == status


def test_unknown_table_or_format_or_date_is_not_found(client_for):
    client = client_for("m1")
    assert client.get("/company/export/secrets.csv").status_code == 404
    assert client.get("/company/export/owed.pdf").status_code == 404
    assert client.get("/?as_of=2020-13-45").status_code == 404


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get("/company/export/owed.csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", [f"/?{AS_OF}", f"/?{AS_OF}&sort=-completion&invoices_page=2&owed_sort=since"])
def test_query_count_is_bounded(client_for, world, url, django_assert_max_num_queries):
    client = client_for("m1")
    client.get(url)  # refreshes the stored deadlines of the fixture's invoices
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(world)
    with django_assert_max_num_queries(COMPANY_MAX_QUERIES):  # the new invoices' deadlines are stale
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
