"""The dashboard's year curve (monthly_purchased, read from the monthly delivery totals) gives the answers of a
plain recomputation over the delivery lines: per month, the quantity accepted in [start, until] by the
(institution, product) pairs that hold one of the volumes. Checked on the demo and on a small generated province,
for all volumes and for one award's, with windows that start and end inside a month."""

from collections import Counter
from datetime import date

import pytest

from jicai.purchasing.models import Delivery
from jicai.volumes.models import AgreedVolume
from jicai.web.dashboard import monthly_purchased


def recomputed(volumes, start: date, until: date) -> dict[date, int]:
    pairs = set(volumes.values_list("institution_id", "award__product_id"))
    months: Counter = Counter()
    for institution_id, product_id, accepted_on, quantity in Delivery.objects.filter(
        accepted_on__range=(start, until)
    ).values_list("institution_id", "product_id", "accepted_on", "quantity"):
        if (institution_id, product_id) in pairs:
            months[accepted_on.replace(day=1)] += quantity
    return dict(months)


def check(start: date, until: date) -> None:
    volumes = AgreedVolume.objects.all()
    expected = recomputed(volumes, start, until)
    assert expected  # the comparison is not between empty sets
    assert monthly_purchased(volumes, start, until) == expected
    one_award = volumes.filter(award_id=volumes.order_by("award_id").values("award_id")[:1])
    narrower = recomputed(one_award, start, until)
    assert narrower != expected  # the other awards' deliveries are left out
    assert monthly_purchased(one_award, start, until) == narrower


@pytest.mark.parametrize("until", ["2020-05-10", "2020-12-31", "2021-03-15", "2021-04-14"])
def test_demo_year_curve_equals_a_plain_recomputation(demo_db, db, until):
    check(date(2020, 4, 15), date.fromisoformat(until))


@pytest.mark.parametrize(("start", "until"), [("2020-04-15", "2020-06-30"), ("2020-04-15", "2021-01-10")])
def test_generated_year_curve_equals_a_plain_recomputation(generated_db, db, start, until):
    check(date.fromisoformat(start), date.fromisoformat(until))
