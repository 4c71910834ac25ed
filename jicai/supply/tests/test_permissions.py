"""Who may open which supply page (SPEC §1): one table of (user, method, URL, status). Another institution's,
region's or company's case is a 404; a visible case the user may not change is a 403, and nothing changes."""

from datetime import timedelta

import pytest

from jicai.catalog.models import AwardDistributor
from jicai.catalog.services import name_distributor
from jicai.core.models import AuditEvent
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck
from jicai.supply.services import open_case

CASE_A = "/supply/cases/{case_a}/"
CASE_C = "/supply/cases/{case_c}/"

TABLE = [
    # anonymous users are sent to the login page
    ("anonymous", "get", "/supply/check/", 302),
    ("anonymous", "get", "/supply/week/", 302),
    ("anonymous", "get", CASE_A, 302),
    # the weekly check: institutions only
    ("a_clerk", "get", "/supply/check/", 200),
    ("a_viewer", "get", "/supply/check/", 200),
    ("wh_bureau", "get", "/supply/check/", 403),
    ("m1", "get", "/supply/check/", 403),
    ("a_viewer", "post", "/supply/check/", 403),
    # the week map: bureaus and health commissions, their region and below
    ("wh_bureau", "get", "/supply/week/", 200),
    ("wh_health", "get", "/supply/week/", 200),
    ("wh_bureau", "get", "/supply/week/?region=371002", 200),
    ("wh_bureau", "get", "/supply/week/?region=370100", 404),
    ("wh_bureau", "get", "/supply/week/?region=500102", 404),
    ("wh_bureau", "get", "/supply/week/export.xlsx?region=370000", 404),
    ("a_clerk", "get", "/supply/week/", 403),
    ("m1", "get", "/supply/week/export.csv", 403),
    ("wh_bureau", "get", "/supply/week/export.pdf", 404),
    # cases: the institution's own, the bureau's region, the company's products
    ("a_clerk", "get", CASE_A, 200),
    ("a_viewer", "get", CASE_A, 200),
    ("a2_clerk", "get", CASE_A, 404),
    ("c_clerk", "get", CASE_A, 404),
    ("wh_bureau", "get", CASE_A, 200),
    ("wh_health", "get", CASE_A, 200),
    ("sd_bureau", "get", CASE_A, 200),
    ("jn_bureau", "get", CASE_A, 404),
    ("fl_bureau", "get", CASE_A, 404),
    ("m1", "get", CASE_A, 200),
    ("m2", "get", CASE_A, 404),
    ("dist", "get", CASE_A, 404),
    ("wh_bureau", "get", CASE_C, 404),
    ("m2", "get", CASE_C, 200),
    ("c_clerk", "get", CASE_C, 200),
    # writes on a visible case by the wrong role: 403; on an invisible one: 404
    ("wh_bureau", "post", CASE_A + "answer/", 403),
    ("a_clerk", "post", CASE_A + "answer/", 403),
    ("m1", "post", CASE_A + "close/", 403),
    ("a_clerk", "post", CASE_A + "close/", 403),
    ("wh_health", "post", CASE_A + "close/", 403),
    ("m1", "post", CASE_A + "substitutes/", 403),
    ("a_viewer", "post", CASE_A + "substitutes/", 403),
    ("wh_health", "post", CASE_A + "substitutes/", 403),
    ("m2", "post", CASE_A + "answer/", 404),
    ("jn_bureau", "post", CASE_A + "close/", 404),
    ("a2_clerk", "post", CASE_A + "substitutes/", 404),
    # opening a case
    ("a_clerk", "get", "/supply/cases/open/", 200),
    ("wh_bureau", "get", "/supply/cases/open/", 200),
    ("a_viewer", "get", "/supply/cases/open/", 403),
    ("wh_health", "get", "/supply/cases/open/", 403),
    ("m1", "get", "/supply/cases/open/", 403),
    # costs: everyone reads their own scope
    ("wh_bureau", "get", "/supply/costs/", 200),
    ("wh_bureau", "get", "/supply/costs/?region=500102", 404),
    ("m1", "get", "/supply/costs/", 200),
    ("a_clerk", "get", "/supply/costs/export.xlsx", 200),
    # distributors: manufacturers and bureaus, never institutions
    ("m1", "get", "/supply/distributors/", 200),
    ("wh_bureau", "get", "/supply/distributors/", 200),
    ("dist", "get", "/supply/distributors/", 200),
    ("a_clerk", "get", "/supply/distributors/", 403),
    ("a_clerk", "post", "/supply/distributors/", 403),
    ("dist", "post", "/supply/distributors/", 403),
    ("wh_health", "post", "/supply/distributors/", 403),
    ("a_clerk", "post", "/supply/distributors/{named}/remove/", 403),
    ("m2", "post", "/supply/distributors/{named}/remove/", 404),
    ("jn_bureau", "post", "/supply/distributors/{named}/remove/", 404),
    ("wh_health", "post", "/supply/distributors/{named}/remove/", 403),
]


@pytest.fixture
def keys(world, db):
    o, u = world.o, world.users
    case_a = open_case(award=o["sd1"], by=u["a_clerk"], description="断货", opened_on=world.today - timedelta(3))
    case_c = open_case(award=o["cq2"], by=u["c_clerk"], description="断货")
    named = name_distributor(award=o["sd1"], region=o["hc"], distributor=o["dist"], by=u["m1"])
    return {"case_a": case_a.pk, "case_c": case_c.pk, "named": named.pk}


def _state():
    return (
        list(ShortageCase.objects.order_by("pk").values_list("status", "answer", "closed_on", "force_majeure")),
        SubstitutePurchase.objects.count(),
        SupplyCheck.objects.count(),
        AwardDistributor.objects.count(),
        AuditEvent.objects.count(),
    )


POST_DATA = {
    "answer": "已恢复",
    "cause": "暴雪",
    "conclusion": "结案",
    "force_majeure": "no",
    "description": "替代",
    "unit_price": "0.3",
    "quantity": "10",
    "bought_on": "",
    "award": "",
    "region": "371002",
    "distributor": "91370000000000004D",
}


@pytest.mark.parametrize("who, method, url, status", TABLE)
def test_permissions(client_for, world, keys, who, method, url, status):
    client = client_for(who)
    url = url.format(**keys)
    before = _state()
    data = {**POST_DATA, "award": str(world.o["sd1"].pk), "bought_on": str(world.today)}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == status, response.content[:300]
    if method == "post":
        assert _state() == before  # a refused write changes nothing


def test_who_sees_which_checks_reminders_and_substitutes(world, db):
    from jicai.policy.rules.supply import NORMAL
    from jicai.supply.models import SupplyReminder
    from jicai.supply.services import add_substitute, record_check, remind_missing_checks

    o, u = world.o, world.users
    for inst, award, clerk in (
        (o["a"], o["sd1"], "a_clerk"),
        (o["a"], o["sd2"], "a_clerk"),
        (o["c"], o["cq2"], "c_clerk"),
    ):
        record_check(institution=inst, award=award, week=world.week, status=NORMAL, by=u[clerk])
    remind_missing_checks(on=world.today)  # A2 and B have not checked
    case = open_case(award=o["sd1"], by=u["a_clerk"], description="断货")
    add_substitute(case=case, by=u["a_clerk"], description="替代", unit_price="1", quantity=1, bought_on=world.today)

    def seen(model, who, field):
        return sorted(model.objects.visible_to(u[who]).values_list(field, flat=True))

    assert seen(SupplyCheck, "a_clerk", "award__product__code") == ["XP-P1", "XP-P2"]
    assert seen(SupplyCheck, "a2_clerk", "pk") == []
    assert seen(SupplyCheck, "wh_bureau", "institution__code") == ["H-A", "H-A"]
    assert seen(SupplyCheck, "fl_bureau", "institution__code") == ["H-C"]
    assert seen(SupplyCheck, "m1", "award__product__code") == ["XP-P1"]  # its own award's checks only
    assert seen(SupplyCheck, "m2", "institution__code") == ["H-A", "H-C"]
    assert seen(SupplyCheck, "dist", "pk") == []
    assert seen(SupplyReminder, "wh_health", "institution__code") == ["H-A2"]
    assert seen(SupplyReminder, "a_clerk", "pk") == [] and seen(SupplyReminder, "m1", "pk") == []
    assert seen(SubstitutePurchase, "m1", "quantity") == [1] and seen(SubstitutePurchase, "m2", "pk") == []
    assert seen(SubstitutePurchase, "a2_clerk", "pk") == [] and seen(SubstitutePurchase, "jn_bureau", "pk") == []
