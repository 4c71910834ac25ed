"""The demo's supply story (jicai.supply.demo): every capability shows, with the figures the story tells."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from jicai.catalog.models import AwardDistributor
from jicai.core.models import AuditEvent
from jicai.orgs.models import Institution
from jicai.supply.costs import company_rows
from jicai.supply.models import ShortageCase, SupplyCheck, SupplyReminder
from jicai.supply.weeks import week_map

D = date.fromisoformat
pytestmark = pytest.mark.usefixtures("demo_db")


def user(name):
    return get_user_model().objects.select_related("membership").get(username=name)


def test_six_weeks_of_checks_with_problems_and_gaps(db):
    assert sorted(SupplyCheck.objects.order_by().values_list("week", flat=True).distinct()) == [
        D("2020-11-23"),
        D("2020-11-30"),
        D("2020-12-07"),
        D("2020-12-14"),
        D("2020-12-21"),
        D("2020-12-28"),
    ]
    m = week_map(Institution.objects.filter(region__code="500102"), D("2020-12-16"))
    amoxicillin = next(a for a in m.awards if a.generic_name == "阿莫西林胶囊")
    assert len(amoxicillin.out) == 3 and m.awards[0] is amoxicillin  # the worst problem first
    weihai = week_map(Institution.objects.filter(region__path__startswith="370000/371000/"), D("2020-12-28"))
    assert {i.code for i in weihai.missing} == {"H37100000001", "H37100200002", "H37108300003"}
    assert AuditEvent.objects.filter(action="supply.check.correct").count() == 1


def test_reminders_for_the_missing_weeks_one_by_email(db):
    reminded = set(SupplyReminder.objects.values_list("institution__code", "week"))
    assert ("H37100000001", D("2020-12-28")) in reminded and ("H50010200009", D("2020-12-21")) in reminded
    assert len(reminded) == 5
    assert SupplyReminder.objects.exclude(emailed_to="").count() == 2  # 竹岛's clerk has an address


def test_three_cases_and_what_they_cost(db):
    cases = {c.award.product.generic_name: c for c in ShortageCase.objects.select_related("award__product")}
    assert cases["蒙脱石散"].status == "closed" and cases["蒙脱石散"].force_majeure
    assert cases["阿莫西林胶囊"].status == "closed" and not cases["阿莫西林胶囊"].force_majeure
    assert cases["阿卡波糖片"].status == "awaiting"
    companies, _ = company_rows(ShortageCase.objects.all())
    by_name = {c.company[:4]: c for c in companies}
    assert by_name["华岭药业"].charged == Decimal("7620.00")  # (0.32 − 0.095) × 24,000 + (0.28 − 0.095) × 12,000
    assert by_name["巴渝康药"].waived == Decimal("1320.00") and by_name["巴渝康药"].charged == 0


def test_maker_sees_the_case_awaiting_its_answer_and_has_named_distributors(db):
    maker = user("maker")
    [case] = ShortageCase.objects.visible_to(maker)
    assert case.status == "awaiting" and case.institution.code == "H37100000001"
    assert AuditEvent.objects.filter(action="catalog.distributor.name", user=maker).count() == 2
    assert AwardDistributor.objects.filter(region__code="500101", award__product__manufacturer=maker.membership.company)


def test_the_demo_logins_see_the_story(client, db):
    client.force_login(user("whsl_clerk"))
    page = client.get("/supply/check/").content.decode()
    assert "2020-12-28 至 2021-01-03" in page and "补报该周未填报的品种" in page
    client.force_login(user("weihai_bureau"))
    assert "蒙脱石散" in client.get("/supply/week/?week=2020-12-07").content.decode()
    client.force_login(user("fuling_bureau"))
    assert "7620.00" in client.get("/supply/costs/").content.decode()
