"""The demo's supply story (SPEC §4.13, §7), around December 2020.

Six weeks of supply checks (2020-11-23 … 2021-01-03) by every participating institution, as 威医保发〔2020〕23号
asks ("每周至少一次……调度分析"), mostly 正常, with three stories:

- 蒙脱石散 in 威海 is 紧张 for two weeks of snow; the 威海 bureau opens a case, the manufacturer answers, a
  hospital buys a substitute, and the bureau closes it as force majeure: the extra cost is waived.
- 阿莫西林胶囊 in 涪陵 is 断供: 涪陵中心医院 opens a case, the manufacturer blames a raw-material stoppage, two
  hospitals buy substitutes, and the 涪陵 bureau closes it as not force majeure: the extra cost is charged.
- 阿卡波糖片 (made by the demo login `maker`) is 紧张 at 威海市立医院, which opens a case still awaiting the
  company's answer; 威海市立医院 has not checked the last week yet, so it has a reminder and can fill it in.

A few other institutions miss a week, and reminders go to them (one by e-mail). `maker` names a distributor for
two of its awards in 万州区. The checks are bulk-created as historical rows; every scripted step goes through the
services, as a user would.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from jicai.catalog.models import Award
from jicai.catalog.services import name_distributor
from jicai.orgs.models import Company, Institution, Region
from jicai.orgs.services import add_member
from jicai.policy.rules.supply import NORMAL, OUT, TIGHT
from jicai.supply.models import SupplyCheck, SupplyReminder
from jicai.supply.services import (
    Answer,
    add_substitute,
    answer_case,
    close_case,
    open_case,
    record_week,
    remind_missing_checks,
)
from jicai.supply.weeks import held_awards, participating

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKS = [date(2020, 11, 23) + timedelta(weeks=k) for k in range(6)]
DEMO = "（演示数据）"

SMECTITE, AMOXICILLIN, ACARBOSE = "XD0008", "XD0016", "XD0011"  # 蒙脱石散, 阿莫西林胶囊, 阿卡波糖片
WHSL = "H37100000001"  # 威海市立医院
SNOW = ["H37108200001", "H37108200002", "H37100300001"]  # 荣成市人民医院, 荣成市石岛人民医院, 文登区人民医院
STOPPAGE = ["H50010200001", "H50010200002", "H50010200003"]  # 涪陵中心医院, 涪陵区人民医院, 涪陵区中医院

# (institution, product, province) → {week index: (status, note)}
PROBLEMS = {
    **{
        (code, SMECTITE, "370000"): {
            1: (TIGHT, "寒潮暴雪，高速封闭，配送延迟" + DEMO),
            2: (TIGHT, "道路陆续恢复，到货不足" + DEMO),
        }
        for code in SNOW
    },
    **{
        (code, AMOXICILLIN, "500000"): {
            2: (OUT, "配送企业称生产企业停产，无货可配" + DEMO),
            3: (OUT, "仍无到货，已临时采购替代药品" + DEMO),
            4: (TIGHT, "少量到货" + DEMO),
        }
        for code in STOPPAGE
    },
    (WHSL, ACARBOSE, "370000"): {4: (TIGHT, "配送企业到货量不足订单的一半" + DEMO)},
}
# Institutions that skipped a week (week indexes): reminders go to them.
SKIPPED = {
    "H37100200002": {3, 5},  # 环翠区竹岛街道社区卫生服务中心
    "H50010200009": {4},  # 涪陵区龙潭镇卫生院
    "H37108300003": {5},  # 乳山市夏村镇卫生院
    WHSL: {5},  # 威海市立医院: the demo login fills it in
}
# 涪陵区中医院 first answers 正常 in week 4, then corrects it to 紧张 the same week (an audited correction).
CORRECTED = ("H50010200003", AMOXICILLIN, "500000", 4)
REMINDED_BY_MAIL = ("H37100200002", "zhudao_clerk", "zhudao-yaojike@example.com")
COMPANY_USERS = {SMECTITE: "bayukang", AMOXICILLIN: "hualing"}  # who answers for the two manufacturers


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _user(username: str):
    return get_user_model().objects.select_related("membership").get(username=username)


def _member(username: str, organisation, email: str = ""):
    """A clerk of `organisation`, created on first use (the reports story may have created it already)."""
    from jicai.core.demo import PASSWORD

    if not get_user_model().objects.filter(username=username).exists():
        add_member(username=username, password=PASSWORD, organisation=organisation, role="clerk", email=email)
    return _user(username)


def _company_user(award: Award):
    """A clerk of the award's manufacturer."""
    return _member(COMPANY_USERS[award.product.code], award.product.manufacturer)


def _institution_user(username: str, institution: Institution):
    return _member(username, institution)


def load() -> dict[str, int]:
    """Run the story; returns how many rows each part wrote."""
    awards = {
        (a.product.code, a.province.code): a
        for a in Award.objects.select_related("product__manufacturer", "province", "batch")
    }
    institutions = {i.code: i for i in Institution.objects.select_related("region")}
    problems = {(i, awards[(p, prov)].pk): weeks for (i, p, prov), weeks in PROBLEMS.items()}
    corrected = (CORRECTED[0], awards[(CORRECTED[1], CORRECTED[2])].pk, CORRECTED[3])
    code_of = {i.pk: c for c, i in institutions.items()}
    checks = []
    for n, week in enumerate(WEEKS):
        for inst_id, held in sorted(held_awards(participating(Institution.objects.all()), week).items()):
            code = code_of[inst_id]
            if n in SKIPPED.get(code, ()):
                continue
            for award_id in sorted(held):
                status, note = problems.get((code, award_id), {}).get(n, (NORMAL, ""))
                if (code, award_id, n) == corrected:
                    status, note = NORMAL, ""  # corrected below, through the service
                checks.append(
                    SupplyCheck(
                        institution_id=inst_id,
                        award_id=award_id,
                        week=week,
                        status=status,
                        note=note,
                        checked_at=_at(week + timedelta(days=3)),
                    )
                )
    SupplyCheck.objects.bulk_create(checks, batch_size=2000)

    # The correction, within its week.
    inst = institutions[CORRECTED[0]]
    status, note = PROBLEMS[(CORRECTED[0], CORRECTED[1], CORRECTED[2])][CORRECTED[3]]
    record_week(
        institution=inst,
        week=WEEKS[CORRECTED[3]],
        answers=[Answer(awards[(CORRECTED[1], CORRECTED[2])], status, note + "（更正）")],
        by=_institution_user("fuling_zyy", inst),
        at=_at(WEEKS[CORRECTED[3]] + timedelta(days=4), 16),
    )

    # Reminders at the end of each week; one institution's clerk has an e-mail address.
    code, username, email = REMINDED_BY_MAIL
    _member(username, institutions[code], email)
    reminders = 0
    for week in WEEKS:
        created = remind_missing_checks(on=week + timedelta(days=4))
        # Loaded years later: date each reminder on the Friday evening it would have gone out.
        SupplyReminder.objects.filter(week=week).update(at=_at(week + timedelta(days=4), 18))
        reminders += created

    cases = _snow(awards, institutions) + _stoppage(awards, institutions) + _acarbose(awards)
    named = _distributors(awards)
    return {"checks": len(checks), "reminders": reminders, "cases": cases, "distributors": named}


def _snow(awards, institutions) -> int:
    """蒙脱石散 in 威海: force majeure, the extra cost waived."""
    bureau = _user("weihai_bureau")
    award = awards[(SMECTITE, "370000")]
    case = open_case(
        award=award,
        by=bureau,
        region=Region.objects.get(code="371000"),
        kind=TIGHT,
        description="荣成、文登多家医院反映蒙脱石散到货不足，请企业说明原因及恢复供应时间" + DEMO,
        opened_on=date(2020, 12, 1),
    )
    answer_case(
        case=case,
        by=_company_user(award),
        answer="受寒潮暴雪影响，威海方向高速公路封闭，配送车辆滞留；道路恢复后优先补发" + DEMO,
        cause="寒潮暴雪致交通管制",
        answered_on=date(2020, 12, 2),
    )
    add_substitute(
        case=case,
        by=bureau,
        institution=institutions["H37108200001"],
        description="蒙脱石散 3g（非中选，挂网采购）" + DEMO,
        unit_price="1.2000",
        quantity=3000,
        bought_on=date(2020, 12, 3),
    )
    close_case(
        case=case,
        by=bureau,
        conclusion="经核实为极端天气导致的交通管制，属不可抗力；企业已恢复供应，替代采购额外费用不由企业承担" + DEMO,
        force_majeure=True,
        closed_on=date(2020, 12, 11),
    )
    return 1


def _stoppage(awards, institutions) -> int:
    """阿莫西林胶囊 in 涪陵: not force majeure, the extra cost charged to the manufacturer."""
    hospital = _user("fuling_hospital")
    bureau = _user("fuling_bureau")
    award = awards[(AMOXICILLIN, "500000")]
    case = open_case(
        award=award,
        by=hospital,
        kind=OUT,
        description="阿莫西林胶囊自12月7日起断货，配送企业称生产企业停产，门诊已无库存" + DEMO,
        opened_on=date(2020, 12, 8),
    )
    answer_case(
        case=case,
        by=_company_user(award),
        answer="原料药供应商停产检修，我公司未提前备货；预计12月下旬恢复供应" + DEMO,
        cause="原料药供应中断（企业备货不足）",
        answered_on=date(2020, 12, 10),
    )
    add_substitute(
        case=case,
        by=hospital,
        description="阿莫西林胶囊 0.25g（非中选）" + DEMO,
        unit_price="0.3200",
        quantity=24000,
        bought_on=date(2020, 12, 9),
    )
    add_substitute(
        case=case,
        by=bureau,
        institution=institutions["H50010200002"],
        description="阿莫西林胶囊 0.25g（非中选）" + DEMO,
        unit_price="0.2800",
        quantity=12000,
        bought_on=date(2020, 12, 15),
    )
    close_case(
        case=case,
        by=bureau,
        conclusion="企业原料药备货不足导致断供，不属于不可抗力；替代采购的额外费用由中选企业承担" + DEMO,
        force_majeure=False,
        closed_on=date(2020, 12, 30),
    )
    return 1


def _acarbose(awards) -> int:
    """阿卡波糖片 at 威海市立医院: opened, awaiting the answer of `maker`."""
    open_case(
        award=awards[(ACARBOSE, "370000")],
        by=_user("whsl_clerk"),
        kind=TIGHT,
        description="阿卡波糖片近两周到货量不足订单的一半，库存仅够一周使用，请企业说明" + DEMO,
        opened_on=date(2020, 12, 24),
    )
    return 1


def _distributors(awards) -> int:
    """`maker` names 涪州药品配送 for two of its awards in 万州区 as well."""
    maker = _user("maker")
    wanzhou = Region.objects.get(code="500101")
    distributor = Company.objects.get(name__startswith="涪州药品配送")
    for product in ("XD0001", "XD0021"):  # 阿托伐他汀钙片, 盐酸多奈哌齐片
        name_distributor(award=awards[(product, "500000")], region=wanzhou, distributor=distributor, by=maker)
    return 2
