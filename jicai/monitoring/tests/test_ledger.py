"""The prepayment ledger (SPEC §4.11): prepaid, offset by the institution's own payments, balance, and the fund's
direct settlements shown beside them without offsetting."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jicai.monitoring.ledger import LedgerError, institution_totals, ledger_rows, offset, prepay
from jicai.monitoring.models import Prepayment
from jicai.monitoring.tests.ledger_world import build
from jicai.orgs.models import Institution
from jicai.policy.rules.payment import PAID
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows

D = date.fromisoformat


@pytest.fixture
def w(db):
    return build()


def _totals(w, region="wh", as_of="2021-05-01"):
    rows = ledger_rows(
        Institution.objects.filter(region__path__startswith=w.regions[region].path), year_no=1, as_of=D(as_of)
    )
    return {t["institution"]: t for t in institution_totals(rows)}


def test_prepaid_is_the_profile_share_of_the_agreed_amount_and_written_once(w):
    assert prepay(region=w.regions["wh"], year_no=1, on=D("2020-04-15"), by=w.users["wh_bureau"]) == 2
    t = _totals(w)
    assert (t["A"]["agreed_amount"], t["A"]["prepaid"]) == (Decimal("10000.00"), Decimal("3000.00"))
    assert t["B"]["prepaid"] == Decimal("1500.00")
    assert prepay(region=w.regions["wh"], year_no=1, on=D("2020-04-20"), by=w.users["wh_bureau"]) == 0
    assert Prepayment.objects.filter(kind="prepaid").count() == 2


def test_a_share_above_the_floor_is_allowed_below_it_is_refused(w):
    with pytest.raises(LedgerError, match="不得低于"):
        prepay(region=w.regions["wh"], year_no=1, on=D("2020-04-15"), by=w.users["wh_bureau"], share=Decimal("0.2"))
    assert not Prepayment.objects.exists()
    prepay(region=w.regions["hc"], year_no=1, on=D("2020-04-15"), by=w.users["hc_bureau"], share=Decimal("0.5"))
    assert _totals(w)["B"]["prepaid"] == Decimal("2500.00")


def test_offsets_use_the_institutions_own_payments_not_the_funds(w):
    prepay(region=w.regions["wh"], year_no=1, on=D("2020-04-15"), by=w.users["wh_bureau"])
    assert offset(region=w.regions["wh"], year_no=1, as_of=D("2021-05-01"), by=w.users["wh_bureau"]) == 3
    t = _totals(w)
    # A: 2,000 (06-01) + 500 (09-20) offset; the fund's 1,000 is direct settlement and leaves the advance alone.
    assert (t["A"]["offset"], t["A"]["balance"], t["A"]["direct_settled"]) == (
        Decimal("2500.00"),
        Decimal("500.00"),
        Decimal("1000.00"),
    )
    # B paid 4,000 against an advance of 1,500: the offset stops at the advance.
    assert (t["B"]["offset"], t["B"]["balance"]) == (Decimal("1500.00"), Decimal("0.00"))
    assert offset(region=w.regions["wh"], year_no=1, as_of=D("2021-05-01"), by=w.users["wh_bureau"]) == 0


def test_offsets_count_payments_up_to_the_date_and_continue_later(w):
    prepay(region=w.regions["wh"], year_no=1, on=D("2020-04-15"), by=w.users["wh_bureau"])
    offset(region=w.regions["wh"], year_no=1, as_of=D("2020-08-31"), by=w.users["wh_bureau"])
    assert _totals(w)["A"]["offset"] == Decimal("2000.00")
    offset(region=w.regions["wh"], year_no=1, as_of=D("2020-09-30"), by=w.users["wh_bureau"])
    assert _totals(w)["A"]["offset"] == Decimal("2500.00")


def test_direct_settlement_counts_as_payment_of_the_invoice(w):
    row = next(
        r for r in invoice_rows(Invoice.objects.filter(invoice_no=w.invoices["a2"].invoice_no), as_of=D("2020-12-31"))
    )
    assert (row.payment.status, row.payment.paid) == (PAID, Decimal("1000.00"))


def test_regions_without_prepayment_are_refused(w):
    with pytest.raises(LedgerError, match="未启用医保基金预付"):
        prepay(region=w.regions["fl"], year_no=1, on=D("2020-04-15"), by=w.users["fl_bureau"])


@pytest.mark.parametrize("user", ["wh_viewer", "wh_health", "hc_bureau", "fl_bureau", "a_clerk", "maker"])
def test_denied_writes_change_nothing(w, user):
    with pytest.raises(PermissionDenied):
        prepay(region=w.regions["wh"], year_no=1, on=D("2020-04-15"), by=w.users[user])
    assert not Prepayment.objects.exists()
