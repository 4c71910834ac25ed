"""What an institution must do now: invoices overdue and due within the next working days, awards behind
schedule, and the monthly report of the last data month. Selections over the rows of the rules' services, and the
filter that keeps the fully paid invoices out of them."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Value
from django.db.models.functions import Coalesce

from jicai.policy.rules.payment import NOT_DUE, OVERDUE_UNPAID
from jicai.policy.rules.progress import LAGGING, SEVERELY_LAGGING
from jicai.purchasing.payments import MONEY, paid_sum

SOON_WORKING_DAYS = 10


def unpaid(invoices, as_of: date):
    """The invoices (a queryset) that payments dated on or before `as_of` do not cover: only they can be overdue
    or due soon, and a hospital's paid invoices are most of its history."""
    paid_by = Coalesce(paid_sum(as_of), Value(0), output_field=MONEY)
    return invoices.alias(paid_by=paid_by).filter(amount__gt=F("paid_by"))


def overdue(invoices) -> list:
    """Invoices past their due date and not fully paid, the longest overdue first."""
    return sorted((r for r in invoices if r.payment.status == OVERDUE_UNPAID), key=lambda r: -r.payment.days_late)


def due_soon(invoices, *, as_of: date, until: date) -> list:
    """Invoices not yet due whose due date falls between `as_of` and `until`, the earliest first."""
    rows = [r for r in invoices if r.payment.status == NOT_DUE and r.due and as_of <= r.due.due_on <= until]
    return sorted(rows, key=lambda r: (r.due.due_on, r.invoice_no))


def behind_schedule(progress) -> list:
    """Awards whose completion lags the time progress, the furthest behind first."""
    rows = [r for r in progress if r.progress.status in (LAGGING, SEVERELY_LAGGING)]
    return sorted(rows, key=lambda r: (r.progress.completion - r.progress.time_progress, r.product))


def last_data_month(as_of: date) -> date:
    """The month whose report is being prepared on `as_of`: the month before."""
    return (as_of.replace(day=1) - date.resolution).replace(day=1)
