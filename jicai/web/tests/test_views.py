"""What each home and detail page lists (always the user's scope), what it costs in queries, and the shell."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jicai.catalog.models import Award
from jicai.core.models import AuditEvent
from jicai.core.testing import make_institution, make_region, make_user
from jicai.orgs.models import Region
from jicai.policy.models import HolidayCalendar
from jicai.purchasing.models import Delivery, Invoice, Order, Payment
from jicai.supply.services import Answer, record_week

HOME_MAX_QUERIES = 25  # an institution's home also computes its to-do list (payments, progress, report)
# The first read after invoices changed recomputes their stored deadlines (jicai.purchasing.due.refresh): a fixed
# 10 queries more however many changed (the company home reads them; the requests measured follow `_grow`).
REFRESH_QUERIES = 10
DETAIL_MAX_QUERIES = 8
DRILL_MAX_QUERIES = 20  # an institution's pages also compute its progress (profiles, volumes, purchases) and payments


def codes(rows, attr="code"):
    return sorted(getattr(row, attr) for row in rows)


# --- home pages ---------------------------------------------------------------------------------------------


def test_province_bureau_home(client_for):
    response = client_for("sd_bureau").get("/")
    ctx = response.context
    assert [r.code for r in ctx["regions_below"]] == ["370100", "371000", "371002"]
    assert codes(ctx["institutions"]) == ["H-JN-B", "H-WH-A"]
    assert sorted((a.product.code, a.province.code) for a in ctx["awards"]) == [
        ("XP-P1", "370000"),
        ("XP-P2", "370000"),
    ]
    assert (ctx["order_count"], ctx["invoice_count"]) == (2, 2)
    html = response.content.decode()
    assert "山东省医疗保障局" in html and "负责人" in html  # header: organisation and role
    assert "H-FL-C" not in html and "重庆市" not in html


@pytest.mark.parametrize("role", ["wh_bureau", "wh_health"])
def test_city_home_sees_its_city_only(client_for, role):
    ctx = client_for(role).get("/").context
    assert [r.code for r in ctx["regions_below"]] == ["371002"]
    assert codes(ctx["institutions"]) == ["H-WH-A"]
    assert len(ctx["awards"]) == 2  # the province's catalogue
    assert (ctx["order_count"], ctx["invoice_count"]) == (1, 1)


def test_health_commission_header(client_for):
    html = client_for("wh_health").get("/").content.decode()
    assert "威海市卫生健康委员会" in html and "查看" in html


@pytest.mark.parametrize("role", ["a_clerk", "a_viewer"])
def test_institution_home(client_for, world, role):
    response = client_for(role).get("/")
    ctx = response.context
    assert [(v.award_id, v.year_no, v.quantity) for v in ctx["volumes"]] == [(world.keys["sd1"], 1, 5000)]
    assert codes(ctx["orders"], "order_id") == ["ORD-A"]
    assert codes(ctx["invoices"], "invoice_no") == ["INV-A"]
    assert ctx["invoices"][0].paid == Decimal("100.00")
    html = response.content.decode()
    assert "ORD-B" not in html and "INV-B" not in html and "H-JN-B" not in html


def _column(ctx, table, key):
    return sorted(row[key] for row in ctx["tables"][table].rows)


def test_manufacturer_home(client_for, world):
    ctx = client_for("m1").get("/").context
    assert codes(ctx["products"]) == ["XP-P1"]
    assert [a.pk for a in ctx["awards"]] == [world.keys["sd1"]]
    assert _column(ctx, "progress", "institution") == ["H-WH-A"]
    assert _column(ctx, "invoices", "invoice_no") == ["INV-A"]


def test_distributor_home(client_for, world):
    response = client_for("dist").get("/")
    ctx = response.context
    assert list(ctx["products"]) == []
    assert sorted(a.pk for a in ctx["awards"]) == sorted([world.keys["sd2"], world.keys["cq2"]])
    assert ctx["tables"]["progress"].rows == []  # volumes belong to manufacturers
    assert _column(ctx, "owed", "institution") == ["H-FL-C", "H-JN-B"]
    assert _column(ctx, "invoices", "invoice_no") == ["INV-B", "INV-C"]
    assert 'id="products"' not in response.content.decode()  # not a manufacturer: no product list


def test_admin_home_links_to_the_admin(client_for):
    html = client_for("admin").get("/").content.decode()
    assert 'href="/admin/"' in html and 'href="/admin/policy/holidaycalendar/"' in html


def test_user_without_organisation_sees_nothing(client_for):
    response = client_for("no_membership").get("/")
    assert response.templates[0].name == "web/home_none.html"
    assert "H-WH-A" not in response.content.decode()


# --- detail pages -------------------------------------------------------------------------------------------


def test_institution_detail_lists_its_volumes(client_for, world):
    ctx = client_for("wh_bureau").get("/institutions/H-WH-A/").context
    assert ctx["institution"].code == "H-WH-A"
    assert [v.award_id for v in ctx["volumes"]] == [world.keys["sd1"]]


def test_award_detail_lists_named_distributors_in_scope(client_for, world):
    url = f"/awards/{world.keys['sd2']}/"
    assert [d.region.code for d in client_for("sd_bureau").get(url).context["distributors"]] == ["370100"]
    # 威海's bureau sees the province's award, but not the distributor named for 济南.
    assert list(client_for("wh_bureau").get(url).context["distributors"]) == []


def test_invoice_detail(client_for):
    response = client_for("a_clerk").get("/invoices/INV-A/")
    ctx = response.context
    assert [line.delivery.delivery_id for line in ctx["lines"]] == ["DLV-A"]
    assert [p.payment_id for p in ctx["payments"]] == ["PAY-A"]
    assert (ctx["paid"], ctx["unpaid"]) == (Decimal("100.00"), Decimal("83.00"))
    assert 'href="/orders/ORD-A/"' in response.content.decode()


def test_order_detail(client_for):
    ctx = client_for("m1").get("/orders/ORD-A/").context
    assert [d.delivery_id for d in ctx["deliveries"]] == ["DLV-A"]
    assert ctx["accepted"] == 1000


# --- bounded queries ----------------------------------------------------------------------------------------


def _grow(world, n=60):
    """More rows of every listed kind in every scope: a page must not cost more queries because of them."""
    wh, a = world.objects["wh"], world.objects["a"]
    order = Order.objects.get(order_id="ORD-A")
    for i in range(n):
        district = make_region(f"3710{50 + i:02d}", parent=wh)
        make_institution(district, code=f"H-WH-X{i:03d}")
        o = Order.objects.create(
            order_id=f"ORD-X{i}",
            institution=a,
            product=order.product,
            distributor=order.distributor,
            quantity=10,
            unit_price=order.unit_price,
            ordered_on=date(2020, 10, 1),
        )
        d = Delivery.objects.create(
            delivery_id=f"DLV-X{i}",
            order=o,
            institution=a,
            product=o.product,
            quantity=10,
            delivered_on=date(2020, 10, 2),
            accepted_on=date(2020, 10, 3),
        )
        inv = Invoice.objects.create(
            invoice_no=f"INV-X{i}",
            supplier=world.objects["m1"],
            institution=a,
            amount=Decimal("1.83"),
            issued_on=date(2020, 10, 3),
        )
        inv.lines.create(delivery=d, amount=Decimal("1.83"))
        Payment.objects.create(payment_id=f"PAY-X{i}", invoice=inv, amount=Decimal("1.00"), paid_on=date(2020, 10, 9))


PAGES = [
    "/",
    "/?page=2",
    "/institutions/H-WH-A/",
    "/institutions/H-WH-A/awards/{sd1}/",
    "/institutions/H-WH-A/awards/{sd1}/?as_of=2020-12-31&invoices_sort=-amount&deliveries_page=2",
    "/awards/{sd1}/",
    "/invoices/INV-A/",
    "/orders/ORD-A/",
]


@pytest.mark.parametrize("role", ["sd_bureau", "wh_bureau", "wh_health", "a_clerk", "m1", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_queries_are_bounded(client_for, world, role, url, django_assert_max_num_queries):
    url = url.format(**world.keys)
    client = client_for(role)
    limit = (
        HOME_MAX_QUERIES + REFRESH_QUERIES * (role == "m1")
        if url.startswith("/?") or url == "/"
        else DRILL_MAX_QUERIES
        if url.startswith("/institutions/")
        else DETAIL_MAX_QUERIES
    )
    client.get(url)  # the first read recomputes the deadlines the fixtures left stale
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), f"{role} {url}: the query count grows with the rows"


def test_institution_list_is_paginated_by_50(client_for, world):
    _grow(world)
    client = client_for("wh_bureau")
    first = client.get("/").context["institutions"]
    assert (len(first), first.paginator.count, first.paginator.num_pages) == (50, 61, 2)
    assert first.next_url == "?page=2#institutions"
    second = client.get("/?page=2&awards_page=1").context["institutions"]
    assert len(second) == 11
    assert second.previous_url == "?page=1&awards_page=1#institutions"


# --- the shell ----------------------------------------------------------------------------------------------


def test_login_and_logout(client, world, db):
    response = client.post("/login/", {"username": "wh_bureau", "password": "pw-Jicai-2020"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_login_with_a_wrong_password_stays(client, world, db):
    response = client.post("/login/", {"username": "wh_bureau", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_language_switch(client_for):
    client = client_for("a_clerk")
    html = client.get("/").content.decode()
    assert "国家组织药品集中带量采购管理系统（jicai）" in html and "退出登录" in html
    assert 'action="/i18n/setlang/"' in html and ">English</button>" in html and ">简体中文</button>" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign out" in html and "Agreed volumes" in html and "退出登录" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get("/").content.decode()


def test_chinese_whatever_the_browser_prefers_until_the_user_switches(client_for):
    client = client_for("a_clerk")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "退出登录" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign out" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_stylesheet_is_our_own(client_for):
    html = client_for("a_clerk").get("/").content.decode()
    assert "/static/web/jicai.css" in html
    assert "http://" not in html and "https://" not in html  # no CDN


# --- the admin ----------------------------------------------------------------------------------------------


def test_every_admin_page_opens(client_for, world):
    from django.contrib import admin

    client = client_for("admin")
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(f"/admin/{info[0]}/{info[1]}/").status_code == 200, info
        add = client.get(f"/admin/{info[0]}/{info[1]}/add/").status_code
        assert add == (200 if model_admin.has_add_permission(_request(world.users["admin"])) else 403), info
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(f"/admin/{info[0]}/{info[1]}/{obj.pk}/change/").status_code == 200, info


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_imported_records_are_read_only_in_the_admin(client_for):
    client = client_for("admin")
    order = Order.objects.get(order_id="ORD-A")
    assert client.get("/admin/purchasing/order/add/").status_code == 403
    response = client.post(f"/admin/purchasing/order/{order.pk}/change/", {"quantity": 1})
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).quantity == 1000


def test_holiday_calendar_is_editable_and_audited(client_for):
    client = client_for("admin")
    day = HolidayCalendar.objects.get(date=date(2020, 10, 10))
    response = client.post(
        f"/admin/policy/holidaycalendar/{day.pk}/change/",
        {"date": "2020-10-10", "is_working_day": "", "name": "改为休息"},
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.is_working_day, day.name, day.source) == (False, "改为休息", "admin")
    event = AuditEvent.objects.get(model="policy.holidaycalendar", key=str(day.pk))
    assert event.action == "admin.change" and set(event.changes) == {"is_working_day", "name"}
    assert client.get("/admin/policy/holidaycalendar/?date__year=2020&date__month=10").status_code == 200


def test_region_added_in_the_admin_gets_its_path(client_for, world):
    client = client_for("admin")
    response = client.post(
        "/admin/orgs/region/add/",
        {"code": "371003", "name": "文登区", "level": "district", "parent": world.objects["wh"].pk, "profile": ""},
    )
    assert response.status_code == 302
    assert Region.objects.get(code="371003").path == "370000/371000/371003/"


def test_admin_lists_are_scoped_for_staff(client, world, db):
    """A staff member who is not a superuser sees only their scope in the admin too."""
    user = make_user(world.objects["wh"], username="wh_staff")
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_institution"))
    client.force_login(user)
    response = client.get("/admin/orgs/institution/")
    assert response.status_code == 200
    assert [i.code for i in response.context["cl"].result_list] == ["H-WH-A"]
    b = world.objects["b"]
    assert client.get(f"/admin/orgs/institution/{b.pk}/change/").status_code == 302  # "does not exist"


def test_institution_todo_shows_the_weeks_supply_check(client_for, world):
    client = client_for("a_clerk")
    ctx = client.get("/").context
    assert (ctx["supply_held"], ctx["supply_unchecked"]) == (1, 1)
    assert "1 个品种未填报" in client.get("/").content.decode()
    user = ctx["user"]
    award = Award.objects.get(pk=world.keys["sd1"])
    week = ctx["supply_week"]
    at = timezone.make_aware(datetime.combine(week, time(12)))  # answered within that week
    record_week(institution=user.membership.institution, week=week, answers=[Answer(award, "normal")], by=user, at=at)
    assert client.get("/").context["supply_unchecked"] == 0


def test_a_page_needing_a_missing_calendar_year_names_it_instead_of_failing(client_for):
    response = client_for("a_clerk").get("/reports/H-WH-A/2098-12/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "节假日日历缺少 2099 年的数据" in text and "jicai calendar init 2099" in text


def test_the_institution_home_is_served_from_the_cache_until_the_next_write(client_for):
    client = client_for("a_clerk")
    first = client.get("/")
    assert "todo_invoices" in first.context  # computed
    again = client.get("/")
    assert "todo_invoices" not in again.context and again.context["content"] == first.context["content"]
    invoice = Invoice.objects.get(invoice_no="INV-A")
    Payment.objects.create(payment_id="PAY-CACHE", invoice=invoice, amount=Decimal("0.01"), paid_on=date(2020, 10, 9))
    assert "todo_invoices" in client.get("/").context  # computed again
