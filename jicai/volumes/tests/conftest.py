"""The allocation world: a province with institutions at every level, a strength-converted baseline, a voluntary
and a non-participating institution, a sibling city, and another province.

山东 370000 (sd)      H-P      1000            (an institution directly under the province)
├── 威海 371000        H-C      1000
│   ├── 环翠 371002    H-D1A     500
│   │                  H-D1B     300 of 50 mg + 100 of 100 mg (strength factor 2) = 500
│   │                  H-D1Z       — (no baseline)
│   │                  H-VOL     200 (private, voluntary)
│   │                  H-NONE   1000 (private, does not take part)
│   └── 文登 371003    H-D2      800
└── 济南 370100        H-JN     2000
重庆 500000 (cq)       H-CQ     1000

Baselines of 2018 (older 2017 rows are ignored). The award 阿卡波糖片 has 3 winners (ratio 0.7) and a 2-year
cycle: the province's total is 6000 × 0.7 = 4200, and every institution's share is exactly 0.7 × its baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from jicai.core.testing import make_award, make_company, make_institution, make_product, make_region, make_user
from jicai.volumes.models import Baseline

BASELINES_2018 = {"H-P": 1000, "H-C": 1000, "H-D1A": 500, "H-VOL": 200, "H-NONE": 1000, "H-D2": 800, "H-JN": 2000}


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    institutions: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    award: object = None
    cq_award: object = None
    product: object = None


def build_world() -> World:
    w = World()
    sd = make_region("370000", profile="sd", name="山东省")
    wh = make_region("371000", parent=sd, name="威海市")
    hc = make_region("371002", parent=wh, name="环翠区")
    wd = make_region("371003", parent=wh, name="文登区")
    jn = make_region("370100", parent=sd, name="济南市")
    cq = make_region("500000", profile="cq", name="重庆市")
    fl = make_region("500102", parent=cq, level="district", name="涪陵区")
    w.regions = {"sd": sd, "wh": wh, "hc": hc, "wd": wd, "jn": jn, "cq": cq, "fl": fl}
    places = {
        "H-P": (sd, "public", "mandatory"),
        "H-C": (wh, "public", "mandatory"),
        "H-D1A": (hc, "public", "mandatory"),
        "H-D1B": (hc, "primary", "mandatory"),
        "H-D1Z": (hc, "primary", "mandatory"),
        "H-VOL": (hc, "private", "voluntary"),
        "H-NONE": (hc, "private", "none"),
        "H-D2": (wd, "public", "mandatory"),
        "H-JN": (jn, "public", "mandatory"),
        "H-CQ": (fl, "public", "mandatory"),
    }
    for code, (region, kind, participation) in places.items():
        w.institutions[code] = make_institution(region, code=code, kind=kind, participation=participation)
    maker = make_company()
    w.product = make_product(maker, code="XP-ACA50", generic_name="阿卡波糖片", spec="50mg")
    strong = make_product(maker, code="XP-ACA100", generic_name="阿卡波糖片", spec="100mg", strength_factor="2")
    other = make_product(maker, code="XP-OTHER", generic_name="二甲双胍片", spec="0.5g")
    w.award = make_award(w.product, sd, winners=3, cycle_years=2)
    w.cq_award = make_award(w.product, cq, winners=3, cycle_years=2)
    rows = [
        Baseline(institution=w.institutions[c], product=w.product, year=2018, quantity=q)
        for c, q in BASELINES_2018.items()
    ]
    rows += [
        Baseline(institution=w.institutions["H-D1B"], product=w.product, year=2018, quantity=300),
        Baseline(institution=w.institutions["H-D1B"], product=strong, year=2018, quantity=100),
        Baseline(institution=w.institutions["H-CQ"], product=w.product, year=2018, quantity=1000),
        # an older year and another generic name: both ignored
        Baseline(institution=w.institutions["H-D2"], product=w.product, year=2017, quantity=99_999),
        Baseline(institution=w.institutions["H-C"], product=other, year=2018, quantity=77_777),
    ]
    Baseline.objects.bulk_create(rows)
    w.users = {
        "admin": make_user(None, superuser=True, username="admin"),
        "sd_bureau": make_user(sd, role="manager", username="sd_bureau"),
        "wh_bureau": make_user(wh, role="clerk", username="wh_bureau"),
        "wh_viewer": make_user(wh, role="viewer", username="wh_viewer"),
        "wh_health": make_user(wh, role="clerk", body="health", username="wh_health"),
        "hc_bureau": make_user(hc, role="clerk", username="hc_bureau"),
        "jn_bureau": make_user(jn, role="clerk", username="jn_bureau"),
        "cq_bureau": make_user(cq, role="manager", username="cq_bureau"),
        "inst": make_user(w.institutions["H-C"], role="manager", username="inst_manager"),
        "maker": make_user(maker, role="manager", username="maker"),
    }
    return w


@pytest.fixture
def world(db):
    return build_world()
