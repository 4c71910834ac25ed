"""The fixture world of the web tests: two provinces, their cities, institutions, companies and purchases.

山东 370000
├── 威海 371000 ── 环翠区 371002 ── H-WH-A（institution A: p1 by M1, supplied and invoiced by M1）
└── 济南 370100 ── H-JN-B（institution B: p2 by M2, distributed and invoiced by DIST）
重庆 500000
└── 涪陵区 500102 ── H-FL-C（institution C: p2 by M2, distributed and invoiced by DIST）

Awards: sd1 (p1 in 山东), sd2 (p2 in 山东), cq2 (p2 in 重庆). Named distributors: sd1 → M1 in 威海,
sd2 → DIST in 济南, cq2 → DIST in 涪陵. Every institution has one agreed volume, one order with one delivery,
one invoice with one line and one payment; platform keys are fixed (ORD-A, INV-A …) so URLs read plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from jicai.catalog.models import AwardDistributor
from jicai.core.testing import make_award, make_company, make_institution, make_product, make_region, make_user
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment
from jicai.volumes.models import AgreedVolume


@dataclass
class World:
    users: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)  # placeholders of URLs, e.g. {"sd1": award pk}
    objects: dict = field(default_factory=dict)


def _purchases(key: str, institution, award, distributor, supplier) -> None:
    product = award.product
    order = Order.objects.create(
        order_id=f"ORD-{key}",
        institution=institution,
        product=product,
        distributor=distributor,
        quantity=1000,
        unit_price=award.winning_price,
        ordered_on=date(2020, 9, 1),
    )
    delivery = Delivery.objects.create(
        delivery_id=f"DLV-{key}",
        order=order,
        institution=institution,
        product=product,
        quantity=1000,
        delivered_on=date(2020, 9, 20),
        accepted_on=date(2020, 9, 22),
    )
    invoice = Invoice.objects.create(
        invoice_no=f"INV-{key}",
        supplier=supplier,
        institution=institution,
        amount=Decimal("183.00"),
        issued_on=date(2020, 9, 23),
        confirmed_on=date(2020, 9, 25),
    )
    InvoiceLine.objects.create(invoice=invoice, delivery=delivery, amount=Decimal("183.00"))
    Payment.objects.create(
        payment_id=f"PAY-{key}", invoice=invoice, amount=Decimal("100.00"), paid_on=date(2020, 10, 9)
    )
    AgreedVolume.objects.create(institution=institution, award=award, year_no=1, quantity=5000)


def build_world() -> World:
    w = World()
    sd = make_region("370000", name="山东省")
    wh = make_region("371000", parent=sd, name="威海市")
    hc = make_region("371002", parent=wh, name="环翠区")
    jn = make_region("370100", parent=sd, name="济南市")
    cq = make_region("500000", name="重庆市")
    fl = make_region("500102", parent=cq, level="district", name="涪陵区")

    a = make_institution(hc, code="H-WH-A")
    b = make_institution(jn, code="H-JN-B")
    c = make_institution(fl, code="H-FL-C")

    m1 = make_company(code="91370000000000001M", manufacturer=True, distributor=True)
    m2 = make_company(code="91370000000000002M", manufacturer=True)
    dist = make_company(code="91370000000000003D", manufacturer=False, distributor=True)
    p1 = make_product(m1, code="XP-P1", generic_name="阿卡波糖片")
    p2 = make_product(m2, code="XP-P2", generic_name="氨氯地平片", spec="5mg")

    sd1 = make_award(p1, sd)
    sd2 = make_award(p2, sd)
    cq2 = make_award(p2, cq)
    AwardDistributor.objects.create(award=sd1, region=wh, distributor=m1)
    AwardDistributor.objects.create(award=sd2, region=jn, distributor=dist)
    AwardDistributor.objects.create(award=cq2, region=fl, distributor=dist)

    _purchases("A", a, sd1, distributor=m1, supplier=m1)
    _purchases("B", b, sd2, distributor=dist, supplier=dist)
    _purchases("C", c, cq2, distributor=dist, supplier=dist)

    w.keys = {"sd1": sd1.pk, "sd2": sd2.pk, "cq2": cq2.pk}
    w.objects = {"sd": sd, "wh": wh, "jn": jn, "cq": cq, "a": a, "b": b, "c": c, "m1": m1, "m2": m2, "dist": dist}
    w.users = {
        "anonymous": None,
        "sd_bureau": make_user(sd, role="manager", username="sd_bureau"),
        "wh_bureau": make_user(wh, role="clerk", username="wh_bureau"),
        "wh_health": make_user(wh, role="viewer", body="health", username="wh_health"),
        "a_clerk": make_user(a, role="clerk", username="a_clerk"),
        "a_viewer": make_user(a, role="viewer", username="a_viewer"),
        "m1": make_user(m1, role="clerk", username="m1_clerk"),
        "dist": make_user(dist, role="clerk", username="dist_clerk"),
        "no_membership": make_user(None, username="no_membership"),
        "admin": make_user(None, superuser=True, username="admin"),
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def client_for(client, world, db):
    """client_for("a_clerk") is a test client signed in as that user of the world (None: anonymous)."""

    def sign_in(name: str):
        user = world.users[name]
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
