"""The supply world. Awards start 20 weeks before today, so that the current week is inside agreement year 1 and
the pages (which write only the current week) can be driven as users would.

山东 370000 (sd)
├── 威海 371000 ── 环翠区 371002 ── A, A2 (take part), N (does not take part)
└── 济南 370100 ── B
重庆 500000 (cq) ── 涪陵区 500102 ── C

Companies: M1 makes p1, M2 makes p2, DIST and DIST2 distribute. Awards: sd1 (p1 in 山东, winning price 0.1000),
sd2 (p2 in 山东), cq2 (p2 in 重庆). Agreed volumes (year 1): A sd1 and sd2; A2 sd1; N sd1; B sd2; C cq2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from jicai.core.testing import make_award, make_company, make_institution, make_product, make_region, make_user
from jicai.policy.rules.supply import week_of
from jicai.volumes.models import AgreedVolume

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@dataclass
class World:
    today: date
    week: date  # the current week's Monday
    start: date
    users: dict = field(default_factory=dict)
    o: dict = field(default_factory=dict)  # objects by short name


def build_world() -> World:
    today = timezone.localdate()
    start = week_of(today) - timedelta(weeks=20)
    w = World(today=today, week=week_of(today), start=start)
    sd = make_region("370000", name="山东省", profile="sd")
    wh = make_region("371000", parent=sd, name="威海市")
    hc = make_region("371002", parent=wh, name="环翠区")
    jn = make_region("370100", parent=sd, name="济南市")
    cq = make_region("500000", name="重庆市", profile="cq")
    fl = make_region("500102", parent=cq, level="district", name="涪陵区")
    a = make_institution(hc, code="H-A")
    a2 = make_institution(hc, code="H-A2")
    n = make_institution(hc, code="H-N", kind="private", participation="none")
    b = make_institution(jn, code="H-B")
    c = make_institution(fl, code="H-C")
    m1 = make_company(code="91370000000000001M")
    m2 = make_company(code="91370000000000002M")
    dist = make_company(code="91370000000000003D", manufacturer=False, distributor=True)
    dist2 = make_company(code="91370000000000004D", manufacturer=False, distributor=True)
    p1 = make_product(m1, code="XP-P1", generic_name="阿卡波糖片")
    p2 = make_product(m2, code="XP-P2", generic_name="氨氯地平片", spec="5mg")
    sd1 = make_award(p1, sd, price="0.1000", start=start)
    sd2 = make_award(p2, sd, start=start)
    cq2 = make_award(p2, cq, start=start)
    for inst, award in ((a, sd1), (a, sd2), (a2, sd1), (n, sd1), (b, sd2), (c, cq2)):
        AgreedVolume.objects.create(institution=inst, award=award, year_no=1, quantity=10_000)
    w.o = dict(
        sd=sd, wh=wh, hc=hc, jn=jn, cq=cq, fl=fl, a=a, a2=a2, n=n, b=b, c=c,
        m1=m1, m2=m2, dist=dist, dist2=dist2, p1=p1, p2=p2, sd1=sd1, sd2=sd2, cq2=cq2,
    )  # fmt: skip
    w.users = {
        "anonymous": None,
        "sd_bureau": make_user(sd, role="manager", username="sd_bureau"),
        "wh_bureau": make_user(wh, role="clerk", username="wh_bureau"),
        "wh_viewer": make_user(wh, role="viewer", username="wh_viewer"),
        "wh_health": make_user(wh, role="viewer", body="health", username="wh_health"),
        "jn_bureau": make_user(jn, role="clerk", username="jn_bureau"),
        "fl_bureau": make_user(fl, role="clerk", username="fl_bureau"),
        "a_clerk": make_user(a, role="clerk", username="a_clerk"),
        "a_viewer": make_user(a, role="viewer", username="a_viewer"),
        "a2_clerk": make_user(a2, role="clerk", username="a2_clerk"),
        "c_clerk": make_user(c, role="clerk", username="c_clerk"),
        "m1": make_user(m1, role="clerk", username="m1_clerk"),
        "m2": make_user(m2, role="clerk", username="m2_clerk"),
        "dist": make_user(dist, role="clerk", username="dist_clerk"),
        "admin": make_user(None, superuser=True, username="admin"),
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back when the module is done."""
    # The world's users never sign in with a password (tests use force_login): hash them cheaply.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast:
            world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def client_for(client, world, db):
    def sign_in(name: str):
        user = world.users[name]
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
