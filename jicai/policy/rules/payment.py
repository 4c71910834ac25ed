"""Payment deadlines and invoice payment status (SPEC §4.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jicai.policy.rules.days import WorkCalendar, add_days, month_end

NOT_DUE = "未到期"
PAID = "已付"
OVERDUE_UNPAID = "逾期未付"
OVERDUE_PAID = "逾期已付"


@dataclass(frozen=True)
class PaymentRule:
    """One region's payment rule, read from its policy profile."""

    kind: str  # "cq", "sd" or "national"
    working_days: int = 10
    days: int = 30
    months_after: int = 2
    civil_code: bool = True  # art. 203: a last day on a rest day rolls to the next working day


@dataclass(frozen=True)
class Due:
    due_on: date
    reasoning: str


def payment_due(rule: PaymentRule, accepted_on: date, invoice_confirmed_on: date | None, calendar: WorkCalendar) -> Due:
    """The last day to pay an invoice; its deliveries' earliest acceptance is `accepted_on`.

    cq — 渝医保发〔2020〕28号: "在发票确认后10个工作日内、交货验收后30日内支付货款" (the earlier of the two).
    sd — 鲁医保发〔2020〕25号: "从中选药品交货验收之日起至第二个月末完成支付药款".
    national — 30 days after acceptance.
    """
    roll = calendar if rule.civil_code else None
    if rule.kind == "sd":
        end = month_end(accepted_on.year, accepted_on.month + rule.months_after)
        due = calendar.next_working_day(end) if roll else end
        text = f"验收月后第{rule.months_after}个月末 {end}"
        return Due(due, text if due == end else f"{text}，遇休息日顺延至 {due}")
    by_days = add_days(accepted_on, rule.days, roll)
    days_text = f"验收后{rule.days}日 {by_days}"
    if rule.kind == "national" or invoice_confirmed_on is None:
        suffix = "" if rule.kind == "national" else "（发票尚未确认）"
        return Due(by_days, days_text + suffix)
    by_working = calendar.add_working_days(invoice_confirmed_on, rule.working_days)
    due = min(by_working, by_days)
    return Due(due, f"发票确认后第{rule.working_days}个工作日 {by_working}；{days_text}；取较早者 {due}")


@dataclass(frozen=True)
class InvoicePayment:
    amount: Decimal
    paid: Decimal  # paid by the as-of date
    paid_by_due: Decimal
    late_amount: Decimal  # what was not paid by the due date, once the due date has passed
    status: str
    days_late: int


def invoice_payment(amount: Decimal, due_on: date, payments: list[tuple[date, Decimal]], as_of: date) -> InvoicePayment:
    """An invoice is paid on time when the payments dated on or before its due date cover its amount."""
    dated = sorted(p for p in payments if p[0] <= as_of)
    paid = sum((a for _, a in dated), Decimal(0))
    paid_by_due = sum((a for d, a in dated if d <= due_on), Decimal(0))
    if paid_by_due >= amount:
        return InvoicePayment(amount, paid, paid_by_due, Decimal(0), PAID, 0)
    if as_of <= due_on:
        return InvoicePayment(amount, paid, paid_by_due, Decimal(0), NOT_DUE, 0)
    late = amount - paid_by_due
    if paid >= amount:
        running, settled_on = Decimal(0), as_of
        for day, a in dated:
            running += a
            if running >= amount:
                settled_on = day
                break
        return InvoicePayment(amount, paid, paid_by_due, late, OVERDUE_PAID, (settled_on - due_on).days)
    return InvoicePayment(amount, paid, paid_by_due, late, OVERDUE_UNPAID, (as_of - due_on).days)
