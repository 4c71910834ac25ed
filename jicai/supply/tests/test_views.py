"""The supply pages driven as users would: what they show, what a submit writes, and a pinned query count per
page that does not grow with the data."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from jicai.catalog.models import AwardDistributor
from jicai.core.tabular import read_rows
from jicai.core.testing import make_institution
from jicai.policy.rules.supply import NORMAL, OUT, TIGHT
from jicai.supply.models import ShortageCase, SupplyCheck
from jicai.supply.services import Answer, add_substitute, open_case, record_check, record_week
from jicai.volumes.models import AgreedVolume

from .conftest import at


@pytest.fixture
def w(world, db):
    return world


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_weekly_check_is_prefilled_with_last_weeks_answers_and_saved_in_one_submit(w, client_for):
    o, u = w.o, w.users
    last = w.week - timedelta(weeks=1)
    record_week(
        institution=o["a"],
        week=last,
        answers=[Answer(o["sd1"], NORMAL), Answer(o["sd2"], TIGHT, "到货不足一半")],
        by=u["a_clerk"],
        at=at(last + timedelta(days=2)),
    )
    client = client_for("a_clerk")
    page = client.get("/supply/check/").content.decode()
    assert f'name="status_{o["sd2"].pk}" value="tight" checked' in page
    assert 'value="到货不足一半"' in page and "沿用上周" in page

    bad = client.post("/supply/check/", {f"status_{o['sd1'].pk}": NORMAL})  # sd2 left unanswered
    assert "未选择供应情况" in " ".join(_messages(bad)) and not SupplyCheck.objects.filter(week=w.week).exists()

    client.post(
        "/supply/check/",
        {
            "week": str(w.week),
            f"status_{o['sd1'].pk}": OUT,
            f"note_{o['sd1'].pk}": "断货三天",
            f"status_{o['sd2'].pk}": NORMAL,
            f"note_{o['sd2'].pk}": "",
        },
    )
    assert dict(SupplyCheck.objects.filter(week=w.week).values_list("award_id", "status")) == {
        o["sd1"].pk: OUT,
        o["sd2"].pk: NORMAL,
    }
    assert SupplyCheck.objects.get(week=w.week, award=o["sd1"]).checked_by == u["a_clerk"]


def test_a_past_week_is_read_only_except_for_the_missing_answers(w, client_for):
    o, u = w.o, w.users
    last = w.week - timedelta(weeks=1)
    record_check(
        institution=o["a"], award=o["sd1"], week=last, status=NORMAL, by=u["a_clerk"], at=at(last + timedelta(1))
    )
    client = client_for("a_clerk")
    page = client.get(f"/supply/check/?week={last}").content.decode()
    assert f'name="status_{o["sd1"].pk}"' not in page and f'name="status_{o["sd2"].pk}"' in page
    assert "补报该周未填报的品种" in page
    # Posting both: the answered one is ignored, the missing one filled in late.
    client.post(
        f"/supply/check/?week={last}",
        {"week": str(last), f"status_{o['sd1'].pk}": OUT, f"note_{o['sd1'].pk}": "x", f"status_{o['sd2'].pk}": NORMAL},
    )
    assert dict(SupplyCheck.objects.filter(week=last).values_list("award_id", "status")) == {
        o["sd1"].pk: NORMAL,
        o["sd2"].pk: NORMAL,
    }
    assert "补报" in client.get(f"/supply/check/?week={last}").content.decode()


def test_the_check_page_query_count_does_not_grow_with_the_awards(w, client_for, django_assert_max_num_queries):
    client = client_for("a_clerk")
    with django_assert_max_num_queries(14) as few:
        assert client.get("/supply/check/").status_code == 200
    from jicai.core.testing import make_award, make_product

    for i in range(8):
        award = make_award(make_product(w.o["m1"], generic_name=f"品种{i}"), w.o["sd"], start=w.start)
        AgreedVolume.objects.create(institution=w.o["a"], award=award, year_no=1, quantity=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/supply/check/").content.decode().count('value="tight"') == 10


def _week_setup(w):
    o, u = w.o, w.users
    record_check(institution=o["a"], award=o["sd1"], week=w.week, status=OUT, note="断货", by=u["a_clerk"])
    record_check(institution=o["a2"], award=o["sd1"], week=w.week, status=TIGHT, note="不足", by=u["a2_clerk"])


def test_the_week_map_shows_problems_by_award_and_company_and_who_has_not_checked(w, client_for):
    _week_setup(w)
    o = w.o
    page = client_for("wh_bureau").get(f"/supply/week/?week={w.week + timedelta(days=3)}").content.decode()
    assert f"{w.week:%Y-%m-%d} 至" in page
    assert "1：医院H-A2" in page and "1：医院H-A<" in page  # 紧张 and 断供 with the institutions' names
    assert "医院H-N" not in page  # does not take part: nothing to check, never missing
    assert "医院H-B" not in page  # 济南 is not 威海's
    # The export: same rows, Chinese headers.
    response = client_for("wh_bureau").get(f"/supply/week/export.xlsx?week={w.week}")
    rows = [r for _line, r in read_rows(io.BytesIO(response.content))]
    by_name = {r["药品通用名"]: r for r in rows}
    assert (by_name["阿卡波糖片"]["紧张"], by_name["阿卡波糖片"]["断供"], by_name["阿卡波糖片"]["未填报"]) == (1, 1, 0)
    assert by_name["氨氯地平片"]["未填报机构"] == "医院H-A" and by_name["阿卡波糖片"]["生产企业"] == o["m1"].name
    csv = client_for("wh_bureau").get(f"/supply/week/export.csv?week={w.week}")
    assert csv["Content-Type"].startswith("text/csv") and "药品通用名" in csv.content.decode("utf-8-sig")


def test_the_week_map_query_count_does_not_grow_with_institutions(w, client_for, django_assert_max_num_queries):
    _week_setup(w)
    client = client_for("sd_bureau")
    with django_assert_max_num_queries(14) as few:
        client.get("/supply/week/")
    for _ in range(15):
        inst = make_institution(w.o["hc"])
        AgreedVolume.objects.create(institution=inst, award=w.o["sd2"], year_no=1, quantity=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/supply/week/").content.decode()
    assert "未填报全部品种的机构" in page


def test_cases_from_opening_to_closing_through_the_pages(w, client_for):
    o = w.o
    client = client_for("a_clerk")
    response = client.post(
        "/supply/cases/open/",
        {"award": o["sd1"].pk, "kind": OUT, "description": "门诊断货", "opened_on": str(w.today - timedelta(2))},
    )
    case = ShortageCase.objects.get()
    assert response.url == f"/supply/cases/{case.pk}/" and case.institution == o["a"]
    client.post(
        f"/supply/cases/{case.pk}/substitutes/",
        {"description": "非中选", "unit_price": "0.2500", "quantity": "2000", "bought_on": str(w.today)},
    )
    assert case.substitutes.get().extra_cost == Decimal("300.00")  # (0.25 − 0.10) × 2000
    bad = client.post(
        f"/supply/cases/{case.pk}/substitutes/",
        {"description": "非中选", "unit_price": "abc", "quantity": "2000", "bought_on": str(w.today)},
    )
    assert "替代单价" in " ".join(_messages(bad)) and case.substitutes.count() == 1

    client_for("m1").post(f"/supply/cases/{case.pk}/answer/", {"answer": "产线检修", "cause": "设备故障"})
    case.refresh_from_db()
    assert case.status == ShortageCase.Status.ANSWERED
    client_for("wh_bureau").post(
        f"/supply/cases/{case.pk}/close/", {"conclusion": "企业原因", "cause": "设备故障", "force_majeure": "no"}
    )
    case.refresh_from_db()
    assert case.status == ShortageCase.Status.CLOSED and not case.force_majeure
    costs = client_for("m1").get("/supply/costs/").content.decode()
    assert "300.00" in costs and "已计入企业" in costs
    rows = [r for _l, r in read_rows(io.BytesIO(client_for("wh_bureau").get("/supply/costs/export.xlsx").content))]
    assert [(r["中选企业"], r["额外费用（元）"], r["处理"]) for r in rows] == [(o["m1"].name, 300, "已计入企业")]


def test_a_bureau_opens_a_case_for_a_region_and_a_bad_code_keeps_the_form(w, client_for):
    client = client_for("wh_bureau")
    response = client.post(
        "/supply/cases/open/", {"award": w.o["sd2"].pk, "region": "371002", "institution": "H-B", "description": "x"}
    )
    assert response.status_code == 200 and "找不到医疗机构" in response.content.decode()
    assert not ShortageCase.objects.exists()
    client.post("/supply/cases/open/", {"award": w.o["sd2"].pk, "region": "371000", "description": "区域紧张"})
    assert ShortageCase.objects.get().region == w.o["wh"]


def test_case_list_query_count_is_pinned(w, client_for, django_assert_max_num_queries):
    o, u = w.o, w.users
    client = client_for("wh_bureau")
    open_case(award=o["sd1"], by=u["a_clerk"], description="断货")
    with django_assert_max_num_queries(8) as few:
        client.get("/supply/cases/")
    with django_assert_max_num_queries(8) as few_costs:
        client.get("/supply/costs/")
    for _ in range(10):
        case = open_case(award=o["sd2"], by=u["a_clerk"], description="断货")
        add_substitute(case=case, by=u["a_clerk"], description="x", unit_price="1", quantity=1, bought_on=w.today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/supply/cases/").content.decode()
    assert page.count("/supply/cases/") >= 11
    with django_assert_max_num_queries(len(few_costs.captured_queries)):
        assert "1.00" in client.get("/supply/costs/").content.decode()


def test_the_manufacturer_names_and_removes_distributors_on_its_page(w, client_for, django_assert_max_num_queries):
    o = w.o
    client = client_for("m1")
    page = client.get("/supply/distributors/").content.decode()
    assert "阿卡波糖片" in page and "氨氯地平片" not in page  # only its own awards to pick
    client.post("/supply/distributors/", {"award": o["sd1"].pk, "region": "371002", "distributor": o["dist"].code})
    client.post("/supply/distributors/", {"award": o["sd1"].pk, "region": "370100", "distributor": o["dist2"].code})
    response = client.post(
        "/supply/distributors/", {"award": o["sd1"].pk, "region": "370100", "distributor": o["dist2"].code}
    )
    assert "已是该中选药品" in " ".join(_messages(response))
    assert AwardDistributor.objects.count() == 2
    with django_assert_max_num_queries(12):
        page = client.get("/supply/distributors/").content.decode()
    assert page.count("取消指定") == 2
    client.post(f"/supply/distributors/{AwardDistributor.objects.get(region__code='370100').pk}/remove/")
    assert list(AwardDistributor.objects.values_list("region__code", flat=True)) == ["371002"]
    # The 威海 bureau sees the naming in its region, the distributor its own, the other manufacturer none.
    assert "环翠区" in client_for("wh_bureau").get("/supply/distributors/").content.decode()
    assert "取消指定" not in client_for("dist").get("/supply/distributors/").content.decode()
    assert "取消指定" not in client_for("m2").get("/supply/distributors/").content.decode()  # none of its own
