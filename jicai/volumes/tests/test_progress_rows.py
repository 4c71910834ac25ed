"""progress_rows (the set-based path of every screen, report and check) gives the answers of a plain recomputation:
one agreed volume at a time, its purchases summed by their own query, its profile found by walking up the regions.
Checked on the demo and on a small generated province, at dates inside, at the edges of and between years."""

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from jicai.policy.models import PolicyProfile
from jicai.policy.rules.progress import agreement_year, progress, year_no_on
from jicai.purchasing.models import Delivery
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows


def profile_of(region) -> PolicyProfile:
    while region is not None:
        if region.profile_id:
            return region.profile
        region = region.parent
    return PolicyProfile()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def bought(volume, start: date, until: date) -> int:
    total = Delivery.objects.filter(
        institution=volume.institution,
        product=volume.award.product,
        accepted_on__gte=start,
        accepted_on__lte=until,
    ).aggregate(total=Sum("quantity"))["total"]
    return total or 0


def recomputed(as_of: date) -> set[tuple]:
    expected = set()
    for v in AgreedVolume.objects.select_related("institution__region", "award__product"):
        if v.year_no != year_no_on(v.award.start_date, as_of):
            continue
        profile = profile_of(v.institution.region)
        start, end = agreement_year(v.award.start_date, v.year_no)
        until = min(end, as_of)
        early_end = add_months(start, profile.rush_months) - timedelta(days=1)
        p = progress(
            agreed=v.quantity,
            purchased=bought(v, start, until),
            purchased_in_window=bought(v, max(start, as_of - timedelta(days=profile.projection_days - 1)), until),
            year_start=start,
            year_end=end,
            as_of=as_of,
            lag_ratio=Decimal(profile.lag_ratio),
            window=profile.projection_days,
        )
        early = bought(v, start, min(until, early_end))
        expected.add((v.institution.code, v.award_id, v.award.product.code, v.year_no, start, end, early, p))
    return expected


def computed(as_of: date) -> set[tuple]:
    rows = progress_rows(AgreedVolume.objects.all(), as_of=as_of)
    result = {
        (r.institution, r.award_id, r.product, r.year_no, r.year_start, r.year_end, r.purchased_early, r.progress)
        for r in rows
    }
    assert len(result) == len(rows)
    # Quantities are ints on every database (PostgreSQL sums bigints as numeric), as wan() and the JSON need.
    assert all(type(r.progress.purchased) is int and type(r.purchased_early) is int for r in rows)
    return result


@pytest.mark.parametrize(
    "as_of", ["2020-04-14", "2020-04-15", "2020-05-10", "2020-07-14", "2020-12-31", "2021-04-14", "2021-06-30"]
)
def test_demo_progress_equals_a_plain_recomputation(demo_db, db, as_of):
    day = date.fromisoformat(as_of)
    expected = recomputed(day)
    assert computed(day) == expected
    if date(2020, 7, 1) <= day <= date(2021, 4, 14):
        assert any(row[-1].purchased for row in expected)  # the comparison is not between empty sets


@pytest.mark.parametrize("as_of", ["2020-05-10", "2020-06-30", "2020-07-15", "2021-01-10", "2021-04-14", "2021-04-15"])
def test_generated_progress_equals_a_plain_recomputation(generated_db, db, as_of):
    day = date.fromisoformat(as_of)
    expected = recomputed(day)
    assert expected
    assert computed(day) == expected
