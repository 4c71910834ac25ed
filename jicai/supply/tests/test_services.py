"""Every write of supply: who may do it, what it writes (with its audit row), and that a refused write changes
nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from jicai.core.models import AuditEvent
from jicai.policy.rules.supply import NORMAL, OUT, TIGHT
from jicai.supply.costs import company_rows
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck, SupplyReminder
from jicai.supply.services import (
    Answer,
    SupplyError,
    add_substitute,
    answer_case,
    close_case,
    open_case,
    record_check,
    record_week,
    remind_missing_checks,
)

from .conftest import at


@pytest.fixture
def w(world, db):
    return world


def audit(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# Weekly checks


def test_one_submit_records_every_award_with_an_audit_row_each(w):
    o, u = w.o, w.users
    written = record_week(
        institution=o["a"],
        week=w.today,
        answers=[Answer(o["sd1"], NORMAL), Answer(o["sd2"], TIGHT, "到货不足")],
        by=u["a_clerk"],
    )
    assert len(written) == 2
    assert dict(SupplyCheck.objects.filter(institution=o["a"]).values_list("award_id", "status")) == {
        o["sd1"].pk: NORMAL,
        o["sd2"].pk: TIGHT,
    }
    assert SupplyCheck.objects.get(institution=o["a"], award=o["sd2"]).week == w.week  # stored as the Monday
    assert audit("supply.check") == 2
    # The same answers again change nothing and write no audit row.
    again = record_week(
        institution=o["a"],
        week=w.week,
        answers=[Answer(o["sd1"], NORMAL), Answer(o["sd2"], TIGHT, "到货不足")],
        by=u["a_clerk"],
    )
    assert again == [] and audit("supply.check") == 2 and SupplyCheck.objects.count() == 2


def test_a_correction_within_the_week_updates_the_check_and_is_audited(w):
    o, u = w.o, w.users
    record_check(institution=o["a"], award=o["sd1"], week=w.week, status=NORMAL, by=u["a_clerk"])
    check = record_check(institution=o["a"], award=o["sd1"], week=w.week, status=OUT, note="断货", by=u["a_clerk"])
    assert (check.status, check.note) == (OUT, "断货")
    assert SupplyCheck.objects.filter(institution=o["a"], award=o["sd1"]).count() == 1
    event = AuditEvent.objects.get(action="supply.check.correct")
    assert event.changes["before"] == {"status": NORMAL, "note": ""}
    assert event.changes["after"] == {"status": OUT, "note": "断货"}


def test_after_the_sunday_an_answer_cannot_be_corrected_but_a_missing_one_can_be_filled_late(w):
    o, u = w.o, w.users
    last = w.week - timedelta(weeks=1)
    record_check(
        institution=o["a"], award=o["sd1"], week=last, status=NORMAL, by=u["a_clerk"], at=at(last + timedelta(3))
    )
    with pytest.raises(SupplyError, match="当周已结束"):
        record_check(institution=o["a"], award=o["sd1"], week=last, status=OUT, note="断货", by=u["a_clerk"])
    assert SupplyCheck.objects.get(institution=o["a"], award=o["sd1"], week=last).status == NORMAL
    late = record_check(institution=o["a"], award=o["sd2"], week=last, status=NORMAL, by=u["a_clerk"])
    assert late.late and not SupplyCheck.objects.get(institution=o["a"], award=o["sd1"], week=last).late


def test_a_future_week_or_an_award_not_held_is_refused_and_nothing_is_written(w):
    o, u = w.o, w.users
    with pytest.raises(SupplyError, match="尚未开始"):
        record_check(institution=o["a"], award=o["sd1"], week=w.week + timedelta(7), status=NORMAL, by=u["a_clerk"])
    with pytest.raises(SupplyError, match="没有"):  # A2 holds sd1 only: one bad answer spoils the whole submit
        record_week(
            institution=o["a2"],
            week=w.week,
            answers=[Answer(o["sd1"], NORMAL), Answer(o["sd2"], NORMAL)],
            by=u["a2_clerk"],
        )
    with pytest.raises(SupplyError, match="请填写说明"):
        record_check(institution=o["a"], award=o["sd1"], week=w.week, status=TIGHT, note=" ", by=u["a_clerk"])
    with pytest.raises(SupplyError):
        record_check(institution=o["a"], award=o["sd1"], week=w.week, status="fine", by=u["a_clerk"])
    assert SupplyCheck.objects.count() == 0 and audit("supply.check") == 0


@pytest.mark.parametrize("who", ["a_viewer", "a2_clerk", "wh_bureau", "wh_health", "m1", "anonymous"])
def test_only_the_institutions_own_writers_record_its_checks(w, who):
    user = w.users[who]
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        record_check(institution=w.o["a"], award=w.o["sd1"], week=w.week, status=NORMAL, by=user)
    assert SupplyCheck.objects.count() == 0 and AuditEvent.objects.count() == 0


# Reminders


def test_reminders_go_once_a_week_to_participating_institutions_with_missing_checks(w, settings):
    o, u = w.o, w.users
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from jicai.orgs.models import Institution

    Institution.objects.filter(pk=o["a"].pk).update(email="yjk@a.example.com")
    u["a_clerk"].email = "clerk@a.example.com"
    u["a_clerk"].save(update_fields=["email"])
    u["a_viewer"].email = "viewer@a.example.com"  # viewers do not get the reminder
    u["a_viewer"].save(update_fields=["email"])
    # A2 checked all it holds (sd1); A checked one of its two; B and C nothing; N does not take part.
    record_check(institution=o["a2"], award=o["sd1"], week=w.week, status=NORMAL, by=u["a2_clerk"])
    record_check(institution=o["a"], award=o["sd1"], week=w.week, status=NORMAL, by=u["a_clerk"])

    assert remind_missing_checks(on=w.week + timedelta(days=4)) == 3
    reminded = dict(SupplyReminder.objects.values_list("institution__code", "missing"))
    assert reminded == {"H-A": 1, "H-B": 1, "H-C": 1}
    assert set(SupplyReminder.objects.values_list("week", flat=True)) == {w.week}
    assert len(mail.outbox) == 1 and sorted(mail.outbox[0].to) == ["clerk@a.example.com", "yjk@a.example.com"]
    assert "1 个中选药品未填报" in mail.outbox[0].body
    assert audit("supply.remind") == 3

    # A second call the same week (any day of it) creates none and sends nothing.
    assert remind_missing_checks(on=w.week) == 0
    assert SupplyReminder.objects.count() == 3 and len(mail.outbox) == 1
    # Another week is another reminder; before any award starts there is nothing to check.
    assert remind_missing_checks(on=w.week - timedelta(weeks=1)) == 4  # A2 had not checked that week either
    assert remind_missing_checks(on=w.start - timedelta(weeks=2)) == 0


# Shortage cases


def _case(w, **kw) -> ShortageCase:
    defaults = dict(award=w.o["sd1"], by=w.users["a_clerk"], description="阿卡波糖片断货", kind=OUT)
    return open_case(**{**defaults, **kw})


def test_an_institution_opens_a_case_for_itself_against_the_manufacturer(w):
    case = _case(w, region=w.o["jn"], institution=w.o["b"])  # what it names is ignored: the case is its own
    assert (case.institution, case.region, case.company, case.status) == (
        w.o["a"],
        w.o["hc"],
        w.o["m1"],
        ShortageCase.Status.AWAITING,
    )
    assert audit("supply.case.open") == 1


def test_a_bureau_opens_a_case_for_its_region_or_an_institution_below(w):
    case = open_case(award=w.o["sd2"], by=w.users["wh_bureau"], description="区域性紧张", kind=TIGHT)
    assert (case.region, case.institution, case.company) == (w.o["wh"], None, w.o["m2"])
    case = open_case(award=w.o["sd2"], by=w.users["wh_bureau"], description="断货", institution=w.o["a"])
    assert case.region == w.o["hc"]
    with pytest.raises(PermissionDenied):
        open_case(award=w.o["sd2"], by=w.users["wh_bureau"], description="断货", institution=w.o["b"])
    with pytest.raises(SupplyError, match="不在本区划供应"):
        open_case(award=w.o["cq2"], by=w.users["wh_bureau"], description="断货")


@pytest.mark.parametrize("who", ["wh_health", "wh_viewer", "a_viewer", "m1", "dist"])
def test_read_only_users_and_companies_cannot_open_cases(w, who):
    with pytest.raises(PermissionDenied):
        _case(w, by=w.users[who], region=w.o["wh"])
    assert ShortageCase.objects.count() == 0


@pytest.mark.parametrize("who", ["wh_bureau", "sd_bureau", "a_clerk", "m2", "dist", "admin"])
def test_only_the_awarded_company_answers(w, who):
    case = _case(w)
    with pytest.raises(PermissionDenied):
        answer_case(case=case, by=w.users[who], answer="已恢复")
    case.refresh_from_db()
    assert (case.status, case.answer, case.answered_on) == (ShortageCase.Status.AWAITING, "", None)
    answer_case(case=case, by=w.users["m1"], answer="原料药短缺，下周恢复", cause="原料药短缺")
    case.refresh_from_db()
    assert (case.status, case.cause, case.answered_by) == (ShortageCase.Status.ANSWERED, "原料药短缺", w.users["m1"])
    assert audit("supply.case.answer") == 1


@pytest.mark.parametrize("who", ["m1", "a_clerk", "wh_health", "wh_viewer", "jn_bureau", "fl_bureau"])
def test_only_the_bureau_of_the_region_or_above_closes(w, who):
    case = _case(w)
    with pytest.raises(PermissionDenied):
        close_case(case=case, by=w.users[who], conclusion="结案", cause="原料药短缺", force_majeure=False)
    case.refresh_from_db()
    assert case.status == ShortageCase.Status.AWAITING and case.closed_on is None
    assert audit("supply.case.close") == 0
    close_case(case=case, by=w.users["sd_bureau"], conclusion="结案", cause="原料药短缺", force_majeure=False)
    case.refresh_from_db()
    assert case.status == ShortageCase.Status.CLOSED and case.charged


def test_a_closed_case_is_final(w):
    case = _case(w)
    close_case(case=case, by=w.users["wh_bureau"], conclusion="结案", cause="暴雪", force_majeure=True)
    with pytest.raises(SupplyError, match="已关闭"):
        answer_case(case=case, by=w.users["m1"], answer="补充说明")
    with pytest.raises(SupplyError, match="已关闭"):
        add_substitute(case=case, by=w.users["a_clerk"], description="x", unit_price="1", quantity=1, bought_on=w.today)
    with pytest.raises(SupplyError, match="已关闭"):
        close_case(case=case, by=w.users["wh_bureau"], conclusion="再结", cause="暴雪", force_majeure=False)
    case.refresh_from_db()
    assert case.force_majeure and case.answer == "" and not case.substitutes.exists()


def test_closing_needs_a_conclusion_and_a_cause(w):
    case = _case(w)
    with pytest.raises(SupplyError, match="处理结论"):
        close_case(case=case, by=w.users["wh_bureau"], conclusion=" ", cause="暴雪", force_majeure=True)
    with pytest.raises(SupplyError, match="原因"):
        close_case(case=case, by=w.users["wh_bureau"], conclusion="结案", cause="", force_majeure=True)
    case.refresh_from_db()
    assert case.status == ShortageCase.Status.AWAITING


def test_substitutes_carry_their_extra_cost(w):
    case = _case(w, opened_on=w.today - timedelta(days=10))
    p = add_substitute(
        case=case,
        by=w.users["a_clerk"],
        description="非中选阿卡波糖片",
        unit_price="0.3000",
        quantity=24_000,
        bought_on=w.today - timedelta(days=9),
    )
    # (0.3000 − 0.1000) × 24,000
    assert (p.extra_cost, p.winning_price, p.institution) == (Decimal("4800.00"), Decimal("0.1000"), w.o["a"])
    cheaper = add_substitute(
        case=case, by=w.users["wh_bureau"], description="另一规格", unit_price="0.0800", quantity=100, bought_on=w.today
    )
    assert cheaper.extra_cost == 0 and cheaper.institution == w.o["a"]
    assert audit("supply.substitute.add") == 2


def test_bad_substitutes_are_refused_and_nothing_is_written(w):
    case = _case(w, opened_on=w.today - timedelta(days=3))
    u = w.users
    good = dict(description="替代", unit_price="0.3", quantity=10, bought_on=w.today)
    for bad, message in [
        ({"unit_price": "abc"}, "替代单价"),
        ({"unit_price": "0"}, "替代单价"),
        ({"unit_price": "0.12345"}, "替代单价"),
        ({"quantity": "1.5"}, "数量"),
        ({"quantity": 0}, "数量"),
        ({"bought_on": w.today - timedelta(days=4)}, "不能早于"),
        ({"bought_on": w.today + timedelta(days=1)}, "不能晚于今天"),
        ({"description": ""}, "替代药品"),
    ]:
        with pytest.raises(SupplyError, match=message):
            add_substitute(case=case, by=u["a_clerk"], **{**good, **bad})
    with pytest.raises(PermissionDenied):
        add_substitute(case=case, by=u["a2_clerk"], **good)  # another institution's case
    with pytest.raises(PermissionDenied):
        add_substitute(case=case, by=u["m1"], **good)  # the company does not record the hospital's purchases
    with pytest.raises(SupplyError, match="不在本区划"):
        add_substitute(case=case, by=u["sd_bureau"], institution=w.o["c"], **good)
    assert not SubstitutePurchase.objects.exists()


def test_extra_cost_is_charged_only_when_closed_and_not_force_majeure(w):
    o, u = w.o, w.users

    def case_with_cost(award, price):
        case = open_case(award=award, by=u["wh_bureau"], description="断货", institution=o["a"])
        add_substitute(
            case=case, by=u["wh_bureau"], description="替代", unit_price=price, quantity=1000, bought_on=w.today
        )
        return case

    charged = case_with_cost(o["sd1"], "0.3000")  # M1: 200.00
    close_case(case=charged, by=u["wh_bureau"], conclusion="结案", cause="企业停产", force_majeure=False)
    waived = case_with_cost(o["sd2"], "0.5830")  # M2: (0.5830 − 0.1830) × 1000 = 400.00
    close_case(case=waived, by=u["wh_bureau"], conclusion="结案", cause="地震", force_majeure=True)
    case_with_cost(o["sd2"], "0.2830")  # M2, still open: 100.00 pending

    companies, purchases = company_rows(ShortageCase.objects.visible_to(u["wh_bureau"]))
    by_name = {c.company: c.as_dict() for c in companies}
    assert by_name[o["m1"].name] == {
        "company": o["m1"].name,
        "cases": 1,
        "charged": Decimal("200.00"),
        "pending": 0,
        "waived": 0,
    }
    assert by_name[o["m2"].name] == {
        "company": o["m2"].name,
        "cases": 2,
        "charged": 0,
        "pending": Decimal("100.00"),
        "waived": Decimal("400.00"),
    }
    assert len(purchases) == 3
    # The company sees its own line only; another region's bureau sees none.
    assert [c.company for c in company_rows(ShortageCase.objects.visible_to(u["m1"]))[0]] == [o["m1"].name]
    assert company_rows(ShortageCase.objects.visible_to(u["fl_bureau"])) == ([], [])
