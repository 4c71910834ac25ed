"""The institution's home page costs a fixed number of queries, whatever the number of its awards and invoices, and
its to-do list is the same whether or not the fully paid invoices are left out before the payment rules run."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jicai.core.testing import (
    make_award,
    make_company,
    make_institution,
    make_product,
    make_purchase,
    make_region,
    make_user,
)
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows
from jicai.volumes.models import AgreedVolume
from jicai.web import todo

MAX_QUERIES = 25  # session, user and membership included
FIRST, LAST = date(2020, 6, 1), date(2021, 4, 1)


@pytest.fixture
def hospital(db):
    province = make_region("370000", name="山东省")
    city = make_region("371000", parent=province, name="威海市")
    return make_institution(city, code="H-1"), province


def grow(institution, province, awards: int, invoices_per_award: int) -> None:
    """Awards held by the institution, each with invoices: unpaid, half paid and fully paid, some long overdue and
    some still to fall due; the latest acceptance sets the page's as-of day."""
    for _ in range(awards):
        maker = make_company(distributor=True)
        product = make_product(maker)
        award = make_award(product, province)
        AgreedVolume.objects.create(institution=institution, award=award, year_no=1, quantity=10_000)
        for i in range(invoices_per_award):
            accepted = FIRST + timedelta(days=7 * i)
            paid = [[], [(accepted + timedelta(days=20), "9.15")], [(accepted + timedelta(days=20), "18.30")]][i % 3]
            make_purchase(institution, product, maker, quantity=100, accepted=accepted, confirmed=accepted, paid=paid)
        make_purchase(institution, product, maker, quantity=1, accepted=LAST)  # not invoiced yet


def home(client, user) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def overdue_figure(html: str) -> int:
    return int(re.search(r"逾期未付发票</dt><dd[^>]*>(\d+)</dd>", html).group(1))


def test_the_home_page_costs_the_same_queries_for_many_awards_and_invoices(client, hospital):
    institution, province = hospital
    user = make_user(institution)
    grow(institution, province, awards=1, invoices_per_award=3)
    few, html = home(client, user)
    assert overdue_figure(html) > 0  # the to-do list has rows to show: the count is not that of an empty page

    grow(institution, province, awards=6, invoices_per_award=12)
    many, html = home(client, user)
    assert overdue_figure(html) > 20
    assert many == few <= MAX_QUERIES


def test_the_to_do_invoices_come_in_pages_under_their_full_count(client, hospital):
    institution, province = hospital
    user = make_user(institution)
    grow(institution, province, awards=2, invoices_per_award=24)
    _n, html = home(client, user)
    table = html.split('id="todo-invoices"')[1].split("</table>")[0]
    overdue = overdue_figure(html)
    assert overdue > 20
    assert table.count("<tr>") == 1 + 20  # the header and one page
    due_soon = int(re.search(r"到期</dt><dd>(\d+)</dd>", html).group(1))
    assert f"共 {overdue + due_soon} 条" in html


def test_leaving_the_paid_invoices_out_changes_no_to_do(hospital):
    institution, province = hospital
    grow(institution, province, awards=2, invoices_per_award=18)
    for as_of in (FIRST + timedelta(days=40), FIRST + timedelta(days=100), FIRST + timedelta(days=200)):
        until = as_of + timedelta(days=14)
        every = invoice_rows(Invoice.objects.all(), as_of=as_of)
        unpaid = invoice_rows(todo.unpaid(Invoice.objects.all(), as_of), as_of=as_of)
        assert len(unpaid) < len(every)
        assert todo.overdue(unpaid) == todo.overdue(every) != []
        assert todo.due_soon(unpaid, as_of=as_of, until=until) == todo.due_soon(every, as_of=as_of, until=until)
    assert sum(r.payment.paid for r in every) > Decimal(0)
