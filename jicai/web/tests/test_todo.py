"""The institution's to-do list: which invoices and awards need attention, and its place on the home page."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace as NS

from jicai.policy.rules.payment import NOT_DUE, OVERDUE_PAID, OVERDUE_UNPAID, PAID
from jicai.policy.rules.progress import COMPLETED, LAGGING, NORMAL, SEVERELY_LAGGING
from jicai.web import todo

D = date.fromisoformat


def invoice(no, status, due_on, days_late=0):
    return NS(
        invoice_no=no, payment=NS(status=status, days_late=days_late), due=NS(due_on=D(due_on)) if due_on else None
    )


INVOICES = [
    invoice("A", OVERDUE_UNPAID, "2021-03-01", days_late=40),
    invoice("B", OVERDUE_UNPAID, "2021-04-01", days_late=10),
    invoice("C", OVERDUE_PAID, "2021-03-15", days_late=5),
    invoice("D", PAID, "2021-04-20"),
    invoice("E", NOT_DUE, "2021-04-23"),
    invoice("F", NOT_DUE, "2021-04-19"),
    invoice("G", NOT_DUE, "2021-05-30"),  # beyond the window
    invoice("H", NOT_DUE, None),  # no delivery accepted yet: no due date
]


def test_overdue_is_unpaid_past_due_longest_first():
    assert [r.invoice_no for r in todo.overdue(INVOICES)] == ["A", "B"]


def test_due_soon_is_unpaid_within_the_window_earliest_first():
    rows = todo.due_soon(INVOICES, as_of=D("2021-04-11"), until=D("2021-04-23"))
    assert [r.invoice_no for r in rows] == ["F", "E"]


def test_behind_schedule_is_lagging_furthest_behind_first():
    def row(product, status, completion, elapsed):
        return NS(
            product=product, progress=NS(status=status, completion=Decimal(completion), time_progress=Decimal(elapsed))
        )

    rows = [
        row("P1", COMPLETED, "1.1", "0.5"),
        row("P2", LAGGING, "0.4", "0.6"),
        row("P3", SEVERELY_LAGGING, "0.1", "0.6"),
        row("P4", NORMAL, "0.6", "0.6"),
    ]
    assert [r.product for r in todo.behind_schedule(rows)] == ["P3", "P2"]


def test_the_report_being_prepared_is_last_months():
    assert todo.last_data_month(D("2021-04-11")) == D("2021-03-01")
    assert todo.last_data_month(D("2021-01-05")) == D("2020-12-01")


def test_the_home_page_shows_the_to_do_list(client_for, django_assert_max_num_queries):
    client = client_for("a_clerk")
    with django_assert_max_num_queries(30):
        html = client.get("/").content.decode()
    assert 'id="todo"' in html and "待办事项" in html and "逾期未付发票" in html
