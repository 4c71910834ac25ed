from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jicai.policy.rules.progress import (
    COMPLETED,
    LAGGING,
    NORMAL,
    SEVERELY_LAGGING,
    STATUSES,
    agreement_year,
    progress,
    progress_status,
    time_progress,
    wan,
    year_no_on,
)

D = date.fromisoformat


def test_agreement_years():
    assert agreement_year(D("2020-04-15"), 1) == (D("2020-04-15"), D("2021-04-14"))
    assert agreement_year(D("2020-04-15"), 2) == (D("2021-04-15"), D("2022-04-14"))
    assert year_no_on(D("2020-04-15"), D("2021-04-14")) == 1
    assert year_no_on(D("2020-04-15"), D("2021-04-15")) == 2
    assert year_no_on(D("2020-04-15"), D("2020-04-14")) == 0


def test_time_progress_counts_start_and_as_of():
    start, end = agreement_year(D("2020-04-15"), 1)
    assert time_progress(start, end, D("2020-04-15")) == Decimal(1) / 365
    assert time_progress(start, end, D("2021-04-14")) == 1
    assert time_progress(start, end, D("2022-01-01")) == 1
    assert time_progress(start, end, D("2020-01-01")) == 0


@pytest.mark.parametrize(
    "done, elapsed, status",
    [
        ("1", "0.5", COMPLETED),
        ("1.2", "1", COMPLETED),
        ("0.5", "0.5", NORMAL),
        ("0.4", "0.5", LAGGING),
        ("0.39", "0.5", SEVERELY_LAGGING),
        ("0", "0", NORMAL),
    ],
)
def test_status(done, elapsed, status):
    assert progress_status(Decimal(done), Decimal(elapsed), Decimal("0.8")) == status


@given(a=st.integers(0, 10**7), b=st.integers(0, 10**7), agreed=st.integers(1, 10**7), elapsed=st.fractions(0, 1))
def test_status_monotone_in_purchases(a, b, agreed, elapsed):
    lo, hi = sorted((a, b))
    e = Decimal(elapsed.numerator) / Decimal(elapsed.denominator)
    rank = STATUSES.index
    s_lo = progress_status(Decimal(lo) / agreed, e, Decimal("0.8"))
    s_hi = progress_status(Decimal(hi) / agreed, e, Decimal("0.8"))
    assert rank(s_hi) <= rank(s_lo)


def test_projection_from_last_90_days():
    start, end = agreement_year(D("2020-04-15"), 1)
    p = progress(
        agreed=3650,
        purchased=1000,
        purchased_in_window=900,
        year_start=start,
        year_end=end,
        as_of=D("2020-10-14"),
        lag_ratio=Decimal("0.8"),
    )
    # 10 units a day for the 182 remaining days: 1000 + 1820 = 2820 of 3650
    assert p.projected == Decimal(2820) / 3650
    assert p.status == SEVERELY_LAGGING  # 1000/3650 = 0.27 against 183/365 = 0.50


@pytest.mark.parametrize("units, text", [(0, "0.0000"), (1, "0.0001"), (123456789, "12345.6789"), (-5, "-0.0005")])
def test_wan(units, text):
    assert wan(units) == text
