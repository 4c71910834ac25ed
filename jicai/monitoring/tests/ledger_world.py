"""The world of the ledger, deduction, bulletin and audit tests: one award at 0.1000 元 in each province.

山东 370000 (sd: prepayment on, due at the end of the 2nd month after acceptance)
├── 威海 371000 ── A  agreed 100,000
│   └── 环翠 371002 ── B  agreed 50,000
重庆 500000 (cq: penalties on, due 10 working days after confirmation or 30 days after acceptance)
├── 涪陵 500102 ── C  agreed 100,000, bought 60,000, paid late
│                 E  agreed 20,000, bought all, paid on time (has an e-mail address)
└── 万州 500101 ── D  agreed 10,000, bought nothing

Invoices (amount = quantity × 0.1000):
  a1 A 20,000 accepted 2020-05-10, due 07-31, paid 2,000.00 by A on 06-01
  a2 A 10,000 accepted 06-10, due 08-31, paid 1,000.00 by the fund on 07-01 (直接结算)
  a3 A  5,000 accepted 07-10, due 09-30, paid 500.00 by A on 09-20
  a4 A  8,000 accepted 06-20, due 08-31, unpaid (800.00)
  b1 B 40,000 accepted 06-15, due 08-31, paid 4,000.00 on 09-10 (late)
  c1 C 60,000 accepted 05-10, confirmed 05-12, due 05-26, paid 6,000.00 on 08-01 (late)
  e1 E 20,000 accepted 06-01, confirmed 06-02, paid 2,000.00 on 06-05
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
    invoices: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    awards: dict = field(default_factory=dict)
    product: object = None
    distributor: object = None


def build() -> World:
    w = World()
    sd = make_region("370000", profile="sd", name="山东省")
    wh = make_region("371000", parent=sd, name="威海市")
    hc = make_region("371002", parent=wh, name="环翠区")
    cq = make_region("500000", profile="cq", name="重庆市")
    fl = make_region("500102", parent=cq, level="district", name="涪陵区")
    wz = make_region("500101", parent=cq, level="district", name="万州区")
    w.regions = dict(sd=sd, wh=wh, hc=hc, cq=cq, fl=fl, wz=wz)
    maker = make_company()
    w.distributor = dist = make_company(manufacturer=False, distributor=True)
    w.product = p = make_product(maker, code="XP-L1", listed_price="0.1000")
    w.awards = {"sd": make_award(p, sd, price="0.1000"), "cq": make_award(p, cq, price="0.1000")}
    a, b = make_institution(wh, code="A"), make_institution(hc, code="B")
    c, d, e = make_institution(fl, code="C"), make_institution(wz, code="D"), make_institution(fl, code="E")
    e.email = "e@example.org"
    e.save()
    w.institutions = dict(A=a, B=b, C=c, D=d, E=e)
    for inst, province, qty in ((a, "sd", 100_000), (b, "sd", 50_000), (c, "cq", 100_000), (d, "cq", 10_000)):
        AgreedVolume.objects.create(institution=inst, award=w.awards[province], year_no=1, quantity=qty)
    AgreedVolume.objects.create(institution=e, award=w.awards["cq"], year_no=1, quantity=20_000)

    def buy(inst, qty, accepted, confirmed, paid=(), payer="institution"):
        return make_purchase(
            inst,
            p,
            dist,
            quantity=qty,
            accepted=D(accepted),
            price="0.1000",
            confirmed=D(confirmed),
            paid=[(D(on), amount) for on, amount in paid],
            payer=payer,
        )

    w.invoices = {
        "a1": buy(a, 20_000, "2020-05-10", "2020-05-12", [("2020-06-01", "2000.00")]),
        "a2": buy(a, 10_000, "2020-06-10", "2020-06-12", [("2020-07-01", "1000.00")], payer="fund"),
        "a3": buy(a, 5_000, "2020-07-10", "2020-07-12", [("2020-09-20", "500.00")]),
        "a4": buy(a, 8_000, "2020-06-20", "2020-06-22"),
        "b1": buy(b, 40_000, "2020-06-15", "2020-06-16", [("2020-09-10", "4000.00")]),
        "c1": buy(c, 60_000, "2020-05-10", "2020-05-12", [("2020-08-01", "6000.00")]),
        "e1": buy(e, 20_000, "2020-06-01", "2020-06-02", [("2020-06-05", "2000.00")]),
    }
    w.users = {
        "admin": make_user(None, superuser=True, username="admin"),
        "sd_bureau": make_user(sd, role="manager", username="sd_bureau"),
        "wh_bureau": make_user(wh, role="clerk", username="wh_bureau"),
        "hc_bureau": make_user(hc, role="clerk", username="hc_bureau"),
        "wh_viewer": make_user(wh, role="viewer", username="wh_viewer"),
        "wh_health": make_user(wh, role="viewer", body="health", username="wh_health"),
        "fl_bureau": make_user(fl, role="clerk", username="fl_bureau"),
        "fl_health": make_user(fl, role="viewer", body="health", username="fl_health"),
        "wz_bureau": make_user(wz, role="clerk", username="wz_bureau"),
        "cq_bureau": make_user(cq, role="manager", username="cq_bureau"),
        "a_clerk": make_user(a, role="clerk", username="a_clerk"),
        "b_clerk": make_user(b, role="clerk", username="b_clerk"),
        "c_clerk": make_user(c, role="clerk", username="c_clerk"),
        "maker": make_user(maker, role="manager", username="maker"),
    }
    return w
