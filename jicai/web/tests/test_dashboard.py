"""The region dashboard: its numbers equal the shared row sources', its scope, its exports, its query count."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from jicai.monitoring.models import Warning
from jicai.policy.rules.progress import STATUSES
from jicai.purchasing.models import Delivery, Invoice, Order
from jicai.purchasing.payments import invoice_rows
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows
from jicai.web.dashboard import completion_histogram, default_as_of, institution_table

DASHBOARD_MAX_QUERIES = 33  # with stale deadlines to refresh (11 queries); PostgreSQL: +2 for turning JIT off
AS_OF = date(2020, 12, 31)


def test_default_as_of_is_the_earlier_of_today_and_the_data():
    assert default_as_of(date(2021, 4, 14), date(2025, 1, 1)) == date(2021, 4, 14)
    assert default_as_of(date(2021, 4, 14), date(2021, 1, 1)) == date(2021, 1, 1)
    assert default_as_of(None, date(2021, 1, 1)) == date(2021, 1, 1)


def test_status_counts_equal_progress_rows(client_for, world):
    response = client_for("sd_bureau").get("/dashboard/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    user = world.users["sd_bureau"]
    rows = progress_rows(AgreedVolume.objects.visible_to(user), as_of=AS_OF)
    expected = {s: sum(1 for r in rows if r.progress.status == s) for s in STATUSES}
    assert response.context["status_counts"] == expected
    assert sum(expected.values()) == 2
    tables = response.context["tables"]
    assert {r["institution"]: (r["agreed"], r["purchased"]) for r in tables["institutions"].rows} == {
        "H-WH-A": (5000, 1000),
        "H-JN-B": (5000, 1000),
    }
    # The year curve ends on the same purchased total as the rows; the histogram counts every institution.
    assert tables["year_curve"].rows[-1]["cumulative"] == sum(r.progress.purchased for r in rows)
    assert sum(r["institutions"] for r in tables["completion_bands"].rows) == 2
    assert [r["code"] for r in tables["regions"].rows] == ["370100", "371000"]


def test_default_date_is_the_latest_acceptance_in_scope(client_for):
    response = client_for("wh_bureau").get("/dashboard/")
    assert response.context["as_of"] == date(2020, 9, 22)
    assert response.context["as_of_defaulted"]
    assert "2020-09-22" in response.content.decode()


def test_aging_and_late_amounts_follow_invoice_rows(client_for, world):
    as_of = date(2021, 3, 31)
    response = client_for("sd_bureau").get("/dashboard/", {"as_of": as_of.isoformat()})
    user = world.users["sd_bureau"]
    invoices = invoice_rows(Invoice.objects.visible_to(user), as_of=as_of)
    aging = response.context["tables"]["aging"]
    outstanding = {i.institution: i.payment.amount - i.payment.paid for i in invoices}
    assert {r["institution"]: r["not_due"] + r["overdue"] for r in aging.rows} == outstanding
    late = response.context["tables"]["late_by_month"]
    assert sum(r["late"] for r in late.rows) == sum(i.payment.late_amount for i in invoices)


def test_status_filter(client_for):
    response = client_for("sd_bureau").get("/dashboard/", {"as_of": AS_OF.isoformat(), "status": "已完成"})
    assert response.context["tables"]["institutions"].rows == []
    assert sum(response.context["status_counts"].values()) == 2  # the figures stay unfiltered


def test_chongqing_bureau_never_sees_shandong(client_for, world):
    from jicai.core.testing import make_user

    client = client_for("anonymous")
    client.force_login(make_user(world.objects["cq"], role="clerk", username="cq_bureau_dash"))
    response = client.get("/dashboard/", {"as_of": AS_OF.isoformat()})
    html = response.content.decode()
    assert "H-FL-C" in html
    assert "H-WH-A" not in html and "H-JN-B" not in html and "威海" not in html
    assert client.get("/dashboard/", {"region": "371000"}).status_code == 404
    export = client.get("/dashboard/export/progress.csv", {"as_of": AS_OF.isoformat()}).content.decode("utf-8-sig")
    assert "H-FL-C" in export and "H-WH-A" not in export


def test_city_cannot_open_its_province(client_for):
    client = client_for("wh_bureau")
    assert client.get("/dashboard/", {"region": "370000"}).status_code == 404
    html = client.get("/dashboard/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "H-WH-A" in html and "H-JN-B" not in html


@pytest.mark.parametrize(
    "role, status", [("a_clerk", 403), ("m1", 403), ("dist", 403), ("no_membership", 403), ("wh_health", 200)]
)
def test_who_may_open_the_dashboard(client_for, role, status):
    assert client_for(role).get("/dashboard/").status_code == status
    assert client_for(role).get("/dashboard/export/awards.csv").status_code == status


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_exports(client_for):
    client = client_for("sd_bureau")
    params = {"as_of": AS_OF.isoformat()}
    response = client.get("/dashboard/export/institutions.xlsx", params)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("机构编码", "机构名称")
    assert sorted(r[0] for r in rows[1:]) == ["H-JN-B", "H-WH-A"]
    csv_text = client.get("/dashboard/export/progress.csv", params).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("机构编码,机构名称")
    assert len(csv_text.splitlines()) == 3
    assert client.get("/dashboard/export/secret.csv", params).status_code == 404
    assert client.get("/dashboard/export/awards.pdf", params).status_code == 404


def test_open_warnings_by_kind(client_for, world):
    Warning.objects.create(
        kind=Warning.Kind.OVERDUE,
        institution=world.objects["a"],
        subject="INV-A",
        message="",
        first_seen=AS_OF,
        last_seen=AS_OF,
    )
    Warning.objects.create(
        kind=Warning.Kind.OVERDUE,
        institution=world.objects["c"],
        subject="INV-C",
        message="",
        first_seen=AS_OF,
        last_seen=AS_OF,
    )
    rows = client_for("sd_bureau").get("/dashboard/").context["tables"]["warnings"].rows
    assert {r["code"]: r["count"] for r in rows}["overdue"] == 1


def test_charts_read_the_tables(client_for):
    response = client_for("sd_bureau").get("/dashboard/", {"as_of": AS_OF.isoformat()})
    charts = response.context["charts"]
    curve = response.context["tables"]["year_curve"]
    assert charts["year_curve"]["categories"] == [r["month"] for r in curve.rows]
    assert charts["year_curve"]["series"][0]["data"] == [float(r["completion"]) for r in curve.rows]
    html = response.content.decode()
    assert 'id="dashboard-charts"' in html and "echarts/echarts.min.js" in html


def test_query_count_is_bounded(client_for, django_assert_max_num_queries):
    client = client_for("sd_bureau")
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        assert client.get("/dashboard/", {"as_of": AS_OF.isoformat()}).status_code == 200
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        assert client.get("/dashboard/export/progress.xlsx", {"as_of": AS_OF.isoformat()}).status_code == 200


def test_histogram_bands():
    table = institution_table([], region_names={})
    table.rows = [{"completion": c} for c in (0, 19.9, 20, 99.9, 100, 250)]
    assert [r["institutions"] for r in completion_histogram(table).rows] == [2, 1, 0, 0, 1, 2]


def test_region_home_links_to_the_dashboard(client_for):
    assert 'href="/dashboard/"' in client_for("wh_health").get("/").content.decode()


def test_awards_and_aging_page_like_the_institutions_and_exports_keep_every_row(client_for):
    response = client_for("sd_bureau").get(
        "/dashboard/", {"as_of": AS_OF.isoformat(), "page": 1, "awards_page": 1, "aging_page": 1}
    )
    context = response.context
    for name in ("institutions", "awards", "aging"):
        page = context[f"{name}_page"]
        assert list(page.object_list) == context["tables"][name].rows[: page.paginator.per_page], name
        assert len(context["display"][name]) == len(page.object_list), name
    assert context["query"] == f"as_of={AS_OF.isoformat()}"


def _purchased(response, institution: str) -> int:
    return next(
        r["purchased"] for r in response.context["tables"]["institutions"].rows if r["institution"] == institution
    )


def test_the_page_is_computed_once_per_data_version_and_again_after_any_write(client_for, world):
    client, query = client_for("sd_bureau"), {"as_of": AS_OF.isoformat()}
    first = client.get("/dashboard/", query)
    purchased = _purchased(first, "H-WH-A")
    cached = client.get("/dashboard/", query)
    assert cached.context["content"] == first.context["content"] and "tables" not in cached.context  # not computed

    # A delivery saved through the ORM: computed again, with it.
    order = Order.objects.get(order_id="ORD-A")
    Delivery.objects.create(
        delivery_id="DLV-CACHE",
        order=order,
        institution=order.institution,
        product=order.product,
        quantity=70,
        delivered_on=date(2020, 10, 1),
        accepted_on=date(2020, 10, 2),
    )
    assert _purchased(client.get("/dashboard/", query), "H-WH-A") == purchased + 70
    # A bulk update sends no signal; the database cursor still sees it.
    Delivery.objects.filter(delivery_id="DLV-CACHE").update(quantity=30)
    assert _purchased(client.get("/dashboard/", query), "H-WH-A") == purchased + 30


def test_a_cached_page_is_never_served_to_another_user(client_for, world):
    from jicai.core.testing import make_user

    client_for("sd_bureau").get("/dashboard/", {"region": "371000"})  # cached for the province's bureau
    client = client_for("anonymous")
    client.force_login(make_user(world.objects["cq"], role="clerk", username="cq_bureau_cache"))
    assert client.get("/dashboard/", {"region": "371000"}).status_code == 404
    mine = client.get("/dashboard/").content.decode()
    assert "H-FL-C" in mine and "威海" not in mine
