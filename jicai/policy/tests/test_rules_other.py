from datetime import date
from decimal import Decimal

import pytest

from jicai.policy.rules.penalties import deduction, shortfall_deduction
from jicai.policy.rules.ratio import NonWinningPurchase, ratio_rule
from jicai.policy.rules.standards import award_standard, delisted, non_winning_standard
from jicai.policy.rules.stock import BUYING_WITHOUT_USING, NO_USAGE_NOTE, RUSH_BUYING, stock_checks

D = date.fromisoformat
CHECK = dict(rush_months=3, rush_share=Decimal("0.5"), max_stock_months=Decimal(3))


def test_rush_buying_and_hoarding_with_their_figures():
    result = stock_checks(agreed=1000, purchased_early=600, purchased=900, used=100, baseline=1200, **CHECK)
    assert [f.kind for f in result.findings] == [RUSH_BUYING, BUYING_WITHOUT_USING]
    assert result.findings[0].figures["purchased_early"] == 600
    assert result.findings[1].figures["stock"] == 800  # above 3 × 100 a month


def test_within_limits_nothing():
    result = stock_checks(agreed=1000, purchased_early=500, purchased=900, used=600, baseline=1200, **CHECK)
    assert result.findings == [] and result.usage_checked


def test_without_usage_only_rush_runs_and_says_so():
    result = stock_checks(agreed=1000, purchased_early=100, purchased=900, used=None, baseline=1200, **CHECK)
    assert result.findings == [] and not result.usage_checked and result.note == NO_USAGE_NOTE


def test_ratio_rule_with_shandong_exemption():
    purchases = [
        NonWinningPurchase(500, Decimal("2.95"), D("2020-06-01")),
        NonWinningPurchase(700, Decimal("0.10"), D("2021-01-10")),
    ]
    args = dict(winning_usage=800, purchases=purchases, winning_price=Decimal("0.1240"), completed_on=D("2020-12-01"))
    assert not ratio_rule(**args, exemption=False).holds  # 800 < 1200
    exempt = ratio_rule(**args, exemption=True)
    assert exempt.holds and exempt.non_winning_counted == 500 and exempt.non_winning_exempt == 700


def test_penalties():
    assert shortfall_deduction(agreed=1000, purchased=600, winning_price=Decimal("0.1830")) == Decimal("73.20")
    assert shortfall_deduction(agreed=1000, purchased=1600, winning_price=Decimal("0.1830")) == 0
    d = deduction(shortfalls=[Decimal("73.20"), Decimal("0")], late_amounts=[Decimal("40.00")])
    assert (d.shortfall_amount, d.late_amount, d.total) == (Decimal("73.20"), Decimal("40.00"), Decimal("113.20"))


@pytest.mark.parametrize(
    "listed, evaluated, year, standard",
    [
        ("3.00", True, 1, "2.1000"),
        ("3.00", True, 2, "1.5500"),
        ("3.00", True, 3, "1.0000"),
        ("1.90", True, 1, "1.0000"),
        ("0.80", True, 1, "0.80"),
        ("3.00", False, 1, "1.0000"),
    ],
)
def test_non_winning_standard(listed, evaluated, year, standard):
    assert non_winning_standard(
        listed_price=Decimal(listed),
        winning_price=Decimal("1.0000"),
        evaluated=evaluated,
        year_no=year,
        phase_in_years=3,
    ) == Decimal(standard)


def test_award_standard_and_listing():
    assert award_standard(Decimal("0.0595"), Decimal(2)) == Decimal("0.1190")
    assert delisted(3, evaluated=False) and not delisted(2, evaluated=False) and not delisted(5, evaluated=True)
