"""Budget deductions as records (SPEC §4.10): proposed from the records with their evidence, confirmed by the
bureau, never changed once confirmed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jicai.core.testing import make_purchase
from jicai.monitoring.deductions import (
    DeductionError,
    confirm_deduction,
    deduction_dict,
    propose_deductions,
)
from jicai.monitoring.models import BudgetDeduction
from jicai.monitoring.tests.ledger_world import build

D = date.fromisoformat


@pytest.fixture
def w(db):
    return build()


def _amounts():
    return {(d.institution.code, d.kind): d.amount for d in BudgetDeduction.objects.select_related("institution")}


def test_proposals_carry_shortfall_and_late_amounts_with_evidence(w):
    p = propose_deductions(region=w.regions["cq"], year_no=1, as_of=D("2021-05-01"), by=w.users["cq_bureau"])
    assert p.created == 3
    assert _amounts() == {
        ("C", "shortfall"): Decimal("4000.00"),  # (100,000 − 60,000) × 0.1000
        ("C", "late"): Decimal("6000.00"),  # due 2020-05-26, paid 08-01
        ("D", "shortfall"): Decimal("1000.00"),
    }
    late = BudgetDeduction.objects.get(institution__code="C", kind="late")
    assert [e["invoice_no"] for e in late.evidence] == [w.invoices["c1"].invoice_no]
    assert late.evidence[0]["due_on"] == "2020-05-26"
    short = BudgetDeduction.objects.get(institution__code="C", kind="shortfall")
    assert (short.evidence[0]["agreed"], short.evidence[0]["purchased"]) == (100_000, 60_000)
    assert "约定 100000，已采购 60000" in deduction_dict(short)["evidence_text"]
    assert all(d.status == "proposed" for d in BudgetDeduction.objects.all())


def test_proposing_before_the_year_ends_is_refused(w):
    with pytest.raises(DeductionError, match="2021-04-14"):
        propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-04-14"), by=w.users["fl_bureau"])
    assert not BudgetDeduction.objects.exists()


def test_a_profile_without_penalties_is_refused(w):
    with pytest.raises(DeductionError, match="未启用医保总额扣减"):
        propose_deductions(region=w.regions["wh"], year_no=1, as_of=D("2021-05-01"), by=w.users["wh_bureau"])


def test_confirmed_records_never_change_and_proposals_follow_the_records(w):
    by = w.users["fl_bureau"]
    propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-01"), by=by)
    short = BudgetDeduction.objects.get(institution__code="C", kind="shortfall")
    confirm_deduction(deduction=short, by=by, note="属实")
    short.refresh_from_db()
    assert (short.status, short.confirmed_by, short.note) == ("confirmed", by, "属实")
    with pytest.raises(DeductionError, match="不能再改"):
        confirm_deduction(deduction=short, by=by)
    # More purchases accepted in year 1 would shrink the shortfall: the confirmed record stays as it was.
    make_purchase(w.institutions["C"], w.product, w.distributor, quantity=10_000, accepted=D("2020-12-01"))
    p = propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-02"), by=by)
    assert (p.created, p.updated, p.unchanged, p.confirmed) == (0, 0, 1, 1)
    assert _amounts()[("C", "shortfall")] == Decimal("4000.00")


def test_a_proposal_is_refreshed_or_withdrawn_when_the_records_change(w):
    by = w.users["fl_bureau"]
    propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-01"), by=by)
    make_purchase(w.institutions["C"], w.product, w.distributor, quantity=10_000, accepted=D("2020-12-01"))
    p = propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-02"), by=by)
    assert p.updated == 1
    assert _amounts()[("C", "shortfall")] == Decimal("3000.00")
    make_purchase(w.institutions["C"], w.product, w.distributor, quantity=30_000, accepted=D("2020-12-02"))
    p = propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-03"), by=by)
    assert p.removed == 1
    assert ("C", "shortfall") not in _amounts()


@pytest.mark.parametrize("user", ["fl_health", "wz_bureau", "c_clerk", "wh_bureau", "maker"])
def test_denied_confirmations_change_nothing(w, user):
    propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-01"), by=w.users["fl_bureau"])
    d = BudgetDeduction.objects.get(institution__code="C", kind="late")
    with pytest.raises(PermissionDenied):
        confirm_deduction(deduction=d, by=w.users[user])
    d.refresh_from_db()
    assert (d.status, d.confirmed_by, d.confirmed_at) == ("proposed", None, None)


def test_a_higher_bureau_may_confirm(w):
    propose_deductions(region=w.regions["fl"], year_no=1, as_of=D("2021-05-01"), by=w.users["fl_bureau"])
    d = BudgetDeduction.objects.get(institution__code="C", kind="late")
    confirm_deduction(deduction=d, by=w.users["cq_bureau"])
    assert BudgetDeduction.objects.get(pk=d.pk).status == "confirmed"
