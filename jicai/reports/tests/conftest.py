"""The monthly-report world: a Chongqing district with two reporting institutions, one that does not take part,
and an institution of another district.

重庆 500000 (cq)
├── 涪陵区 500102   H-A   agreed 100,000 (year 1) and 120,000 (year 2) of 阿卡波糖片 (start 2020-04-15)
│                   H-B   agreed 50,000 (year 1), nothing bought
│                   H-N   does not take part (participation none)
└── 万州区 500101   H-W   agreed 80,000 (year 1)

Purchases of H-A (price 0.1830), September 2020 as the data month:
  2020-03-01  5,000 before the agreement year: not counted
  2020-05-10 10,000 invoice confirmed 05-15, paid in full 05-20
  2020-08-03  2,000 invoice confirmed 08-05 (due 08-19), 100.00 paid: overdue, needs a reason
  2020-09-22  1,000 invoice confirmed 09-25 (due 10-15), unpaid: 未到付款期
  2020-09-28   −500 a return
  2020-09-29    700 invoice confirmed 10-02: after the month, not listed
  2020-10-05  3,000 after the month: not counted
Purchased by 2020-09-30: 10,000 + 2,000 + 1,000 − 500 + 700 = 13,200 → 1.3200 万.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from jicai.core.testing import (
    make_award,
    make_company,
    make_institution,
    make_product,
    make_purchase,
    make_region,
    make_user,
)
from jicai.volumes.models import AgreedVolume

D = date.fromisoformat


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    institutions: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    invoices: dict = field(default_factory=dict)
    award: object = None
    product: object = None


def build_world() -> World:
    w = World()
    cq = make_region("500000", profile="cq", name="重庆市")
    fl = make_region("500102", parent=cq, level="district", name="涪陵区")
    wz = make_region("500101", parent=cq, level="district", name="万州区")
    w.regions = {"cq": cq, "fl": fl, "wz": wz}
    w.institutions = {
        "H-A": make_institution(fl, code="H-A"),
        "H-B": make_institution(fl, code="H-B", kind="primary"),
        "H-N": make_institution(fl, code="H-N", kind="private", participation="none"),
        "H-W": make_institution(wz, code="H-W"),
    }
    maker = make_company()
    dist = make_company(manufacturer=False, distributor=True)
    w.product = make_product(maker, code="XP-ACA50", generic_name="阿卡波糖片", spec="50mg")
    w.award = make_award(w.product, cq, winners=3, cycle_years=2)
    a, b, wi = w.institutions["H-A"], w.institutions["H-B"], w.institutions["H-W"]
    for inst, year_no, quantity in ((a, 1, 100_000), (a, 2, 120_000), (b, 1, 50_000), (wi, 1, 80_000)):
        AgreedVolume.objects.create(institution=inst, award=w.award, year_no=year_no, quantity=quantity)
    buy = {"product": w.product, "distributor": dist}
    make_purchase(a, **buy, quantity=5_000, accepted=D("2020-03-01"))
    w.invoices["paid"] = make_purchase(
        a,
        **buy,
        quantity=10_000,
        accepted=D("2020-05-10"),
        confirmed=D("2020-05-15"),
        paid=[(D("2020-05-20"), "1830.00")],
    )
    w.invoices["overdue"] = make_purchase(
        a,
        **buy,
        quantity=2_000,
        accepted=D("2020-08-03"),
        confirmed=D("2020-08-05"),
        paid=[(D("2020-08-10"), "100.00")],
    )
    w.invoices["not_due"] = make_purchase(a, **buy, quantity=1_000, accepted=D("2020-09-22"), confirmed=D("2020-09-25"))
    make_purchase(a, **buy, quantity=-500, accepted=D("2020-09-28"))
    w.invoices["later"] = make_purchase(a, **buy, quantity=700, accepted=D("2020-09-29"), confirmed=D("2020-10-02"))
    make_purchase(a, **buy, quantity=3_000, accepted=D("2020-10-05"))
    w.users = {
        "admin": make_user(None, superuser=True, username="admin"),
        "a_clerk": make_user(a, role="clerk", username="a_clerk"),
        "a_viewer": make_user(a, role="viewer", username="a_viewer"),
        "b_clerk": make_user(b, role="clerk", username="b_clerk"),
        "fl_bureau": make_user(fl, role="clerk", username="fl_bureau"),
        "fl_health": make_user(fl, role="viewer", body="health", username="fl_health"),
        "cq_bureau": make_user(cq, role="manager", username="cq_bureau"),
        "wz_bureau": make_user(wz, role="clerk", username="wz_bureau"),
        "maker": make_user(maker, role="manager", username="maker"),
    }
    return w


@pytest.fixture
def world(db):
    return build_world()
