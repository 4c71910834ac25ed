from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jicai.policy.calendar import package_days
from jicai.policy.rules.days import MissingCalendarYear, WorkCalendar
from jicai.policy.rules.payment import (
    NOT_DUE,
    OVERDUE_PAID,
    OVERDUE_UNPAID,
    PAID,
    PaymentRule,
    invoice_payment,
    payment_due,
)

CQ, SD, NATIONAL = PaymentRule("cq"), PaymentRule("sd"), PaymentRule("national")
D = date.fromisoformat
_days = [d for year in range(2019, 2023) for d in package_days(year)]
CAL = WorkCalendar(frozenset(d for d, w, _ in _days if w), frozenset(range(2019, 2023)))


@pytest.mark.parametrize(
    "rule, accepted, confirmed, due",
    [
        # SPEC §4.6 worked examples
        (CQ, "2020-09-22", "2020-09-25", "2020-10-15"),
        (CQ, "2020-01-15", "2020-01-20", "2020-02-11"),
        (SD, "2020-04-28", None, "2020-06-30"),
        (SD, "2020-12-20", None, "2021-03-01"),
        # Spring Festival 2020 (extended to 02-02): 30 days from 2020-01-02 end 02-01, a holiday → 02-03
        (CQ, "2020-01-02", "2020-01-20", "2020-02-03"),
        (NATIONAL, "2020-01-02", None, "2020-02-03"),
        # National Day 2020: 30 days from 09-05 is 10-05 (holiday) → 10-09; 10 working days from 09-28: 10-19
        (NATIONAL, "2020-09-05", None, "2020-10-09"),
        (CQ, "2020-09-20", "2020-09-28", "2020-10-19"),
        # 30 days end on the make-up Saturday 2020-10-10: a working day, no roll
        (NATIONAL, "2020-09-10", None, "2020-10-10"),
        # a month end on a Sunday: 2021-10-31 → 2021-11-01 (National Day 2021 is not in the way)
        (SD, "2021-08-03", None, "2021-11-01"),
        # a year boundary: 2020-12-31 → 30 days → 2021-01-30 (Saturday) → 2021-02-01
        (NATIONAL, "2020-12-31", None, "2021-02-01"),
        # cq without confirmation: only the 30-day clock
        (CQ, "2020-09-22", None, "2020-10-22"),
        # 2019 National Day: 10 working days after 2019-09-26 skip 10-01…10-07, 09-29 and 10-12 are working
        (CQ, "2019-09-20", "2019-09-26", "2019-10-15"),
    ],
)
def test_due_dates(rule, accepted, confirmed, due):
    assert payment_due(rule, D(accepted), confirmed and D(confirmed), CAL).due_on == D(due)


def test_reasoning_names_both_clocks():
    due = payment_due(CQ, D("2020-09-22"), D("2020-09-25"), CAL)
    assert due.reasoning == "发票确认后第10个工作日 2020-10-15；验收后30日 2020-10-22；取较早者 2020-10-15"


def test_art_203_can_be_switched_off():
    plain = PaymentRule("sd", civil_code=False)
    assert payment_due(plain, D("2020-12-20"), None, CAL).due_on == D("2021-02-28")


def test_months_after_is_a_setting():
    assert payment_due(PaymentRule("sd", months_after=1), D("2020-04-28"), None, CAL).due_on == D(
        "2020-05-31"
    ) + timedelta(days=1)  # 2020-05-31 is a Sunday


def test_missing_year_is_named():
    with pytest.raises(MissingCalendarYear, match="2023"):
        payment_due(CQ, D("2022-12-20"), D("2022-12-28"), CAL)


days_2020 = st.dates(min_value=D("2019-01-01"), max_value=D("2022-06-30"))


@settings(max_examples=200, deadline=None)
@given(accepted=days_2020, lag=st.integers(0, 60), kind=st.sampled_from(["cq", "sd", "national"]))
def test_due_never_before_start(accepted, lag, kind):
    confirmed = accepted + timedelta(days=lag)
    due = payment_due(PaymentRule(kind), accepted, confirmed, CAL).due_on
    assert due > accepted
    if kind == "cq":
        assert due >= min(confirmed + timedelta(days=1), accepted + timedelta(days=30))


@settings(max_examples=200, deadline=None)
@given(accepted=days_2020, lag=st.integers(0, 30), n=st.integers(1, 20))
def test_one_more_working_day_never_moves_due_earlier(accepted, lag, n):
    confirmed = accepted + timedelta(days=lag)
    a = payment_due(PaymentRule("cq", working_days=n), accepted, confirmed, CAL).due_on
    b = payment_due(PaymentRule("cq", working_days=n + 1), accepted, confirmed, CAL).due_on
    assert b >= a


@pytest.mark.parametrize(
    "payments, as_of, status, late, days_late",
    [
        ([], "2020-10-15", NOT_DUE, "0", 0),
        ([("2020-10-10", "100.00")], "2020-10-20", PAID, "0", 0),
        ([("2020-10-15", "100.00")], "2020-10-20", PAID, "0", 0),  # on the due date is on time
        ([], "2020-10-16", OVERDUE_UNPAID, "100.00", 1),
        ([("2020-10-10", "60.00")], "2020-10-25", OVERDUE_UNPAID, "40.00", 10),
        ([("2020-10-10", "60.00"), ("2020-10-20", "40.00")], "2020-11-01", OVERDUE_PAID, "40.00", 5),
        ([("2020-10-10", "60.00"), ("2020-11-20", "40.00")], "2020-11-01", OVERDUE_UNPAID, "40.00", 17),
        ([("2020-10-10", "60.00")], "2020-10-12", NOT_DUE, "0", 0),
    ],
)
def test_invoice_payment(payments, as_of, status, late, days_late):
    result = invoice_payment(Decimal("100.00"), D("2020-10-15"), [(D(d), Decimal(a)) for d, a in payments], D(as_of))
    assert (result.status, result.late_amount, result.days_late) == (status, Decimal(late), days_late)
