"""The demo's ledger story: every capability shows with realistic cases."""

from datetime import date
from decimal import Decimal

import pytest

from jicai.monitoring.ledger import institution_totals, ledger_rows
from jicai.monitoring.models import BudgetDeduction, Prepayment
from jicai.orgs.models import Institution
from jicai.reports.models import Bulletin, PaymentAudit

pytestmark = pytest.mark.usefixtures("demo_db")


@pytest.fixture
def db_access(db):
    return db


def test_weihai_prepayments_offsets_and_direct_settlement(db_access):
    assert Prepayment.objects.filter(kind="prepaid", institution__region__path__startswith="370000/").exists()
    assert not Prepayment.objects.filter(institution__region__path__startswith="500000/").exists()
    rows = ledger_rows(
        Institution.objects.filter(region__path__startswith="370000/371000/"), year_no=1, as_of=date(2021, 4, 14)
    )
    totals = {t["institution"]: t for t in institution_totals(rows)}
    # 30 % of the agreed amount, rounded per award
    for t in totals.values():
        assert abs(t["prepaid"] - t["agreed_amount"] * Decimal("0.3")) <= Decimal("0.01") * t["awards"]
    assert any(t["balance"] == 0 for t in totals.values()) and any(t["balance"] > 0 for t in totals.values())
    fund = totals["H37100000002"]  # 威海市中心医院: the fund pays its companies directly
    assert fund["direct_settled"] > 0 and fund["offset"] == 0


def test_fuling_deductions_bulletins_and_audits(db_access):
    deductions = BudgetDeduction.objects.filter(institution__region__code="500102", year_no=1)
    assert {d.kind for d in deductions} == {"shortfall", "late"}
    confirmed = deductions.filter(status="confirmed")
    assert [(d.institution.code, d.confirmed_by.username) for d in confirmed] == [("H50010200005", "fuling_bureau")]
    assert deductions.filter(status="proposed").count() > 5
    bulletins = {f"{b.month:%Y-%m}": b for b in Bulletin.objects.filter(region__code="500102")}
    assert bulletins["2020-12"].status == "published" and bulletins["2020-12"].content["late_payers"]
    assert bulletins["2021-01"].status == "draft"
    audits = PaymentAudit.objects.filter(year=2020, quarter=4)
    assert sorted(a.region.code for a in audits) == ["370000", "500000"]
    assert all(a.rows for a in audits)
