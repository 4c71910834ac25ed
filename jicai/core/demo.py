"""Demo data (SPEC §7): fictional institutions, companies, prices and quantities, marked 演示数据, on real regions
and real VBP generic names. It goes through the importers, so the demo also exercises them.

The shape is deliberate: each institution has a purchasing habit and a paying habit, so that every progress
status, payment status and warning of SPEC §4 occurs somewhere in the first agreement year (2020-04-15 …
2021-04-14).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

DEMO = "（演示数据）"
START = date(2020, 4, 15)
YEAR_END = date(2021, 4, 14)
PASSWORD = "jicai-demo-2020"

REGIONS = [
    # code, name, level, parent, profile
    ("370000", "山东省", "province", "", "sd"),
    ("371000", "威海市", "city", "370000", ""),
    ("371002", "环翠区", "district", "371000", ""),
    ("371003", "文登区", "district", "371000", ""),
    ("371082", "荣成市", "district", "371000", ""),
    ("371083", "乳山市", "district", "371000", ""),
    ("500000", "重庆市", "province", "", "cq"),
    ("500102", "涪陵区", "district", "500000", ""),
    ("500101", "万州区", "district", "500000", ""),
]

# code, name, region, kind, participation, purchasing habit, paying habit
# Purchasing habits: ahead (finishes early), steady, slow (滞后), very_slow (严重滞后), rush (突击采购),
# hoard (只采不用: buys on pace, uses little). Paying habits: prompt, late, partial, fund (直接结算), slow_tail.
INSTITUTIONS = [
    ("H37100000001", "威海市立医院", "371000", "public", "mandatory", "ahead", "prompt"),
    ("H37100000002", "威海市中心医院", "371000", "public", "mandatory", "steady", "fund"),
    ("H37100000003", "威海市妇幼保健院", "371000", "public", "mandatory", "slow", "prompt"),
    ("H37100000004", "威海海滨部队医院", "371000", "military", "mandatory", "steady", "prompt"),
    ("H37100200001", "环翠区人民医院", "371002", "public", "mandatory", "steady", "late"),
    ("H37100200002", "环翠区竹岛街道社区卫生服务中心", "371002", "primary", "mandatory", "very_slow", "prompt"),
    ("H37100200003", "威海康宁医院", "371002", "private", "voluntary", "steady", "partial"),
    ("H37100200004", "威海仁和大药房", "371002", "pharmacy", "voluntary", "hoard", "prompt"),
    ("H37100200005", "环翠区孙家疃卫生院", "371002", "primary", "mandatory", "steady", "prompt"),
    ("H37100300001", "文登区人民医院", "371003", "public", "mandatory", "ahead", "fund"),
    ("H37100300002", "文登区中医院", "371003", "public", "mandatory", "slow", "slow_tail"),
    ("H37100300003", "文登区宋村镇卫生院", "371003", "primary", "mandatory", "steady", "prompt"),
    ("H37100300004", "文登惠民药房", "371003", "pharmacy", "none", "none", "prompt"),
    ("H37108200001", "荣成市人民医院", "371082", "public", "mandatory", "steady", "prompt"),
    ("H37108200002", "荣成市石岛人民医院", "371082", "public", "mandatory", "very_slow", "late"),
    ("H37108200003", "荣成康复医院", "371082", "private", "none", "none", "prompt"),
    ("H37108300001", "乳山市人民医院", "371083", "public", "mandatory", "steady", "prompt"),
    ("H37108300002", "乳山市中医院", "371083", "public", "mandatory", "rush", "prompt"),
    ("H37108300003", "乳山市夏村镇卫生院", "371083", "primary", "mandatory", "slow", "partial"),
    ("H50010200001", "涪陵中心医院", "500102", "public", "mandatory", "ahead", "prompt"),
    ("H50010200002", "涪陵区人民医院", "500102", "public", "mandatory", "steady", "late"),
    ("H50010200003", "涪陵区中医院", "500102", "public", "mandatory", "slow", "prompt"),
    ("H50010200004", "涪陵区妇幼保健院", "500102", "public", "mandatory", "steady", "partial"),
    ("H50010200005", "涪陵区第二人民医院", "500102", "public", "mandatory", "very_slow", "slow_tail"),
    ("H50010200006", "涪陵区精神卫生中心", "500102", "public", "mandatory", "steady", "prompt"),
    ("H50010200007", "涪陵区敦仁街道社区卫生服务中心", "500102", "primary", "mandatory", "steady", "prompt"),
    ("H50010200008", "涪陵区李渡街道社区卫生服务中心", "500102", "primary", "mandatory", "hoard", "late"),
    ("H50010200009", "涪陵区龙潭镇卫生院", "500102", "primary", "mandatory", "slow", "prompt"),
    ("H50010200010", "涪陵博爱医院", "500102", "private", "voluntary", "rush", "prompt"),
    ("H50010200011", "涪陵协和医院", "500102", "private", "none", "none", "prompt"),
    ("H50010200012", "涪陵同济大药房", "500102", "pharmacy", "voluntary", "steady", "prompt"),
    ("H50010200013", "涪陵长江部队医院", "500102", "military", "mandatory", "ahead", "late"),
    ("H50010100001", "万州区人民医院", "500101", "public", "mandatory", "steady", "prompt"),
    ("H50010100002", "万州区第一人民医院", "500101", "public", "mandatory", "slow", "prompt"),
]
# Institutions that send no usage data: only the rush-buying check can run for them (SPEC §4.9).
NO_USAGE = {"H37100200005", "H50010200009"}

MANUFACTURERS = [
    "东临制药",
    "渝江药业",
    "泰岳医药",
    "黄海制药",
    "长嘉生物制药",
    "华岭药业",
    "蓬岛制药",
    "巴渝康药业",
    "三峡健民制药",
    "琴岛医药",
]
DISTRIBUTORS = ["海岱医药配送", "胶东药品物流", "渝东医药", "涪州药品配送"]
UNNAMED_DISTRIBUTOR = "长河医药商贸"  # delivers once without being named: a distributor warning
NAMED = {"371000": ["海岱医药配送", "胶东药品物流"], "500102": ["渝东医药", "涪州药品配送"], "500101": ["渝东医药"]}

# Winning products. batch, generic name, form, spec, unit, pack, winners, winning price, baseline at a large
# hospital (smallest units a year). Prices and quantities are fictional.
AWARDS = [
    ("1", "阿托伐他汀钙片", "片剂", "20mg", "片", 7, 3, "0.1240", 600_000),
    ("1", "瑞舒伐他汀钙片", "片剂", "10mg", "片", 28, 3, "0.1830", 420_000),
    ("1", "硫酸氢氯吡格雷片", "片剂", "75mg", "片", 7, 2, "1.1800", 300_000),
    ("1", "苯磺酸氨氯地平片", "片剂", "5mg", "片", 28, 3, "0.0595", 900_000),
    ("1", "恩替卡韦分散片", "片剂", "0.5mg", "片", 28, 2, "0.2740", 150_000),
    ("1", "厄贝沙坦片", "片剂", "75mg", "片", 30, 3, "0.1980", 360_000),
    ("1", "盐酸帕罗西汀片", "片剂", "20mg", "片", 30, 2, "1.6700", 60_000),
    ("1", "蒙脱石散", "散剂", "3g", "袋", 10, 2, "0.7600", 120_000),
    ("1", "注射用培美曲塞二钠", "注射剂", "0.1g", "支", 1, 2, "205.0000", 1_200),
    ("1", "右美托咪定注射液", "注射剂", "2ml:0.2mg", "支", 1, 2, "36.5000", 9_000),
    ("2", "阿卡波糖片", "片剂", "50mg", "片", 30, 3, "0.1830", 800_000),
    ("2", "盐酸二甲双胍片", "片剂", "0.5g", "片", 60, 4, "0.0310", 1_500_000),
    ("2", "格列美脲片", "片剂", "2mg", "片", 30, 4, "0.0870", 260_000),
    ("2", "富马酸比索洛尔片", "片剂", "5mg", "片", 10, 3, "0.2400", 220_000),
    ("2", "吲达帕胺片", "片剂", "2.5mg", "片", 30, 3, "0.0450", 240_000),
    ("2", "阿莫西林胶囊", "胶囊剂", "0.25g", "粒", 24, 4, "0.0950", 700_000),
    ("2", "阿奇霉素片", "片剂", "0.25g", "片", 6, 4, "0.4700", 180_000),
    ("2", "盐酸莫西沙星片", "片剂", "0.4g", "片", 3, 3, "2.8900", 50_000),
    ("2", "美洛昔康片", "片剂", "7.5mg", "片", 10, 3, "0.1100", 160_000),
    ("2", "盐酸坦索罗辛缓释胶囊", "胶囊剂", "0.2mg", "粒", 10, 2, "0.8500", 110_000),
    ("2", "盐酸多奈哌齐片", "片剂", "5mg", "片", 7, 2, "0.6300", 70_000),
    ("2", "福多司坦片", "片剂", "0.2g", "片", 24, 2, "0.3500", 90_000),
]
# Primary care and pharmacies hold volume of the common chronic-disease drugs only.
SMALL_SET = {
    "阿托伐他汀钙片",
    "苯磺酸氨氯地平片",
    "盐酸二甲双胍片",
    "阿卡波糖片",
    "厄贝沙坦片",
    "格列美脲片",
    "阿莫西林胶囊",
    "蒙脱石散",
}
SIZE = {"public": 1.0, "military": 0.6, "private": 0.35, "primary": 0.15, "pharmacy": 0.1}
PACE = {"ahead": 1.25, "steady": 1.1, "slow": 0.85, "very_slow": 0.55, "rush": 1.0, "hoard": 1.05}

# Non-winning products of the same generic names: for the batch-1 ratio rule, the listing rule (阿卡波糖片 has
# three evaluated makers, so its non-evaluated product is delisted) and the strength factor (10 mg against 5 mg).
# generic name, spec, strength factor, evaluated, listed price
NON_WINNING = [
    ("阿托伐他汀钙片", "20mg", "1", True, "2.9500"),  # priced far above the winner: counts for the ratio rule
    ("阿托伐他汀钙片", "20mg", "1", True, "0.1200"),  # at or below the winning price: the Shandong exemption
    ("苯磺酸氨氯地平片", "10mg", "2", True, "1.2000"),  # strength factor 2 against the 5 mg award
    ("阿卡波糖片", "50mg", "1", True, "1.8000"),
    ("阿卡波糖片", "50mg", "1", True, "1.6500"),
    ("阿卡波糖片", "50mg", "1", False, "0.9000"),  # not evaluated, three evaluated makers: loses its listing
]


@dataclass
class Demo:
    """The demo as rows per import kind, in import order."""

    rows: dict[str, list[dict]]


def money(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), ROUND_HALF_UP)


def company_code(n: int) -> str:
    return f"91000000MA{n:08d}"  # 18 characters like a 统一社会信用代码; fictional


def build(seed: int = 2020) -> Demo:
    rnd = random.Random(seed)
    rows: dict[str, list[dict]] = defaultdict(list)

    rows["regions"] = [dict(code=c, name=n, level=lv, parent_code=p, profile=pr) for c, n, lv, p, pr in REGIONS]
    rows["institutions"] = [
        dict(code=c, name=n + DEMO, region_code=r, kind=k, participation=pa) for c, n, r, k, pa, *_ in INSTITUTIONS
    ]
    makers = {name: company_code(i + 1) for i, name in enumerate(MANUFACTURERS)}
    dists = {name: company_code(101 + i) for i, name in enumerate(DISTRIBUTORS + [UNNAMED_DISTRIBUTOR])}
    rows["companies"] = [
        dict(code=code, name=f"{name}有限公司{DEMO}", is_manufacturer=True, is_distributor=False)
        for name, code in makers.items()
    ] + [
        dict(code=code, name=f"{name}有限公司{DEMO}", is_manufacturer=False, is_distributor=True)
        for name, code in dists.items()
    ]
    rows["batches"] = [
        dict(code="GY-YD2019-1", name="第一批（联盟地区扩围）", ratio_rule_applies=True),
        dict(code="GY-YD2019-2", name="第二批", ratio_rule_applies=False),
    ]

    maker_codes = list(makers.values())
    products = []  # (code, generic, award tuple or None)
    winners = {}
    for i, (batch, generic, form, spec, unit, pack, nwin, price, base) in enumerate(AWARDS):
        code = f"XD{i + 1:04d}"
        winners[generic] = dict(code=code, price=Decimal(price), batch=f"GY-YD2019-{batch}", base=base, nwin=nwin)
        rows["products"].append(
            dict(
                code=code,
                generic_name=generic,
                dosage_form=form,
                spec=spec,
                unit=unit,
                pack_size=pack,
                manufacturer_code=maker_codes[i % len(maker_codes)],
                consistency_evaluated=True,
                listed_price=Decimal(price),
                strength_factor=Decimal(1),
            )
        )
        products.append((code, generic))
    others = {}
    for j, (generic, spec, factor, evaluated, listed) in enumerate(NON_WINNING):
        code = f"XN{j + 1:04d}"
        award = next(a for a in AWARDS if a[1] == generic)
        rows["products"].append(
            dict(
                code=code,
                generic_name=generic,
                dosage_form=award[2],
                spec=spec,
                unit=award[4],
                pack_size=award[5],
                manufacturer_code=maker_codes[(j + 3) % len(maker_codes)],
                consistency_evaluated=evaluated,
                listed_price=Decimal(listed),
                strength_factor=Decimal(factor),
            )
        )
        others[j] = code

    cycle = {1: 1, 2: 2, 3: 2}
    for w in winners.values():
        for province in ("370000", "500000"):
            rows["awards"].append(
                dict(
                    batch_code=w["batch"],
                    product_code=w["code"],
                    province_code=province,
                    winning_price=w["price"],
                    winners=w["nwin"],
                    start_date=START,
                    cycle_years=cycle.get(w["nwin"], 3),
                )
            )
            for region, names in NAMED.items():
                if region.startswith(province[:2]):
                    rows["award_distributors"] += [
                        dict(
                            batch_code=w["batch"], product_code=w["code"], region_code=region, distributor_code=dists[n]
                        )
                        for n in names
                    ]

    # Baselines (2018 usage) and first-year agreed volumes (baseline × the batch ratio for the winner count).
    ratio = {1: Decimal("0.5"), 2: Decimal("0.6"), 3: Decimal("0.7")}
    holdings = []  # (institution row, generic, agreed)
    for code, _name, region, kind, participation, habit, paying in INSTITUTIONS:
        generics = [g for g in winners if kind in ("public", "military", "private") or g in SMALL_SET]
        for generic in generics:
            w = winners[generic]
            base = int(w["base"] * SIZE[kind] * rnd.uniform(0.6, 1.4))
            rows["baselines"].append(dict(institution_code=code, product_code=w["code"], year=2018, quantity=base))
            if participation == "none":
                continue
            agreed = int((base * ratio.get(w["nwin"], Decimal("0.8"))).to_integral_value(ROUND_HALF_UP))
            rows["agreed_volumes"].append(
                dict(institution_code=code, batch_code=w["batch"], product_code=w["code"], year_no=1, quantity=agreed)
            )
            holdings.append((code, region, habit, paying, generic, agreed, base))
        if code == "H37100000001":  # a baseline in the 10 mg specification, converted by its strength factor
            rows["baselines"].append(dict(institution_code=code, product_code=others[2], year=2018, quantity=40_000))

    _purchases(rows, rnd, holdings, winners, dists, others)
    return Demo(rows=dict(rows))


def _purchases(rows, rnd, holdings, winners, dists, others) -> None:
    """Orders, deliveries (with returns), invoices, payments and usage over the first agreement year."""
    months = [
        (START + timedelta(days=round(30.4 * m)), START + timedelta(days=round(30.4 * (m + 1)) - 1)) for m in range(12)
    ]
    seq = defaultdict(int)

    def next_id(prefix: str) -> str:
        seq[prefix] += 1
        return f"{prefix}{seq[prefix]:07d}"

    usage = defaultdict(int)  # (institution, product, month start) → quantity
    for inst, region, habit, paying, generic, agreed, base in holdings:
        w = winners[generic]
        named = NAMED.get(region) or NAMED[region[:4] + "00"]
        shares = _monthly_shares(habit, rnd)
        for m, (first, last) in enumerate(months):
            qty = int(agreed * shares[m] * rnd.uniform(0.9, 1.1))
            if qty <= 0:
                continue
            ordered = first + timedelta(days=rnd.randint(0, max(0, (last - first).days - 6)))
            distributor = dists[rnd.choice(named)]
            if inst == "H37108200001" and generic == "格列美脲片" and m == 5:
                distributor = dists[UNNAMED_DISTRIBUTOR]
            _order(rows, rnd, next_id, inst, w["code"], distributor, qty, w["price"], ordered, paying, m)
        # Usage: what was dispensed, by month (none for the institutions that send no usage data).
        if inst in NO_USAGE:
            continue
        monthly_use = base / 12 * (0.3 if habit == "hoard" else 1.0)
        for first, _last in months:
            month = first.replace(day=1)
            usage[(inst, w["code"], month)] += int(monthly_use * rnd.uniform(0.85, 1.15))

    # Non-winning purchases: the ratio rule (batch 1), its Shandong exemption, and a delisted product.
    for inst, product, qty, m in [
        ("H37100000002", others[0], 600_000, 2),  # more than the winner is used: the ratio rule is broken
        ("H37100000001", others[1], 20_000, 10),  # cheap, bought after completion: exempt in Shandong
        ("H50010200002", others[5], 12_000, 4),  # not evaluated and delisted: a listing warning
        ("H37100000004", others[2], 5_000, 6),  # 10 mg amlodipine, strength factor 2
    ]:
        price = Decimal(next(p for p in rows["products"] if p["code"] == product)["listed_price"])
        first, _ = months[m]
        region = next(r for c, _n, r, *_ in INSTITUTIONS if c == inst)
        named = NAMED.get(region) or NAMED[region[:4] + "00"]
        _order(rows, rnd, next_id, inst, product, dists[named[0]], qty, price, first + timedelta(days=3), "prompt", m)

    rows["usage"] = [
        dict(institution_code=i, product_code=p, month=m.strftime("%Y-%m"), quantity=q)
        for (i, p, m), q in sorted(usage.items())
    ]


def _monthly_shares(habit: str, rnd: random.Random) -> list[float]:
    if habit == "rush":  # 60 % of the year's volume in the first two months, then a trickle
        return [0.32, 0.30] + [0.05] * 10
    pace = PACE[habit]
    if habit in ("slow", "very_slow"):  # a slow start that never catches up
        return [pace / 12 * (0.6 + 0.07 * m) for m in range(12)]
    return [pace / 12] * 12


def _order(rows, rnd, next_id, inst, product, distributor, qty, price, ordered, paying, month_no) -> None:
    order_id = next_id("DD")
    rows["orders"].append(
        dict(
            order_id=order_id,
            institution_code=inst,
            product_code=product,
            distributor_code=distributor,
            quantity=qty,
            unit_price=price,
            ordered_on=ordered,
        )
    )
    # One or two deliveries; the second sometimes a few days later. Acceptance the same or the next day.
    parts = [qty] if qty < 200 or rnd.random() < 0.7 else [qty - qty // 3, qty // 3]
    deliveries = []
    day = ordered + timedelta(days=rnd.randint(1, 3))
    for part in parts:
        accepted = day + timedelta(days=rnd.randint(0, 1))
        if accepted > YEAR_END:  # still in transit at the end of the year: not accepted yet
            accepted = None
        delivery_id = next_id("PS")
        rows["deliveries"].append(
            dict(delivery_id=delivery_id, order_id=order_id, quantity=part, delivered_on=day, accepted_on=accepted)
        )
        if accepted:
            deliveries.append((delivery_id, part, accepted))
        day += timedelta(days=rnd.randint(3, 7))
    if not deliveries:
        return
    if rnd.random() < 0.03:  # a damaged or near-expiry lot goes back: a return is a negative delivery
        back = max(1, deliveries[0][1] // 10)
        returned_on = deliveries[0][2] + timedelta(days=5)
        if returned_on <= YEAR_END:
            delivery_id = next_id("PS")
            rows["deliveries"].append(
                dict(
                    delivery_id=delivery_id,
                    order_id=order_id,
                    quantity=-back,
                    delivered_on=returned_on,
                    accepted_on=returned_on,
                )
            )
            deliveries.append((delivery_id, -back, returned_on))
    _invoice(rows, rnd, next_id, inst, distributor, deliveries, price, paying, month_no)


def _invoice(rows, rnd, next_id, inst, supplier, deliveries, price, paying, month_no) -> None:
    invoice_no = f"{37 if inst.startswith('H37') else 50}{next_id('FP')[2:]}"
    amounts = [(d, money(q * price)) for d, q, _ in deliveries]
    total = sum(a for _, a in amounts)
    if total <= 0:
        return
    earliest = min(a for _, _, a in deliveries)
    issued = max(a for _, _, a in deliveries)
    confirmed = issued + timedelta(days=rnd.randint(1, 4))
    rows["invoices"].append(
        dict(
            invoice_no=invoice_no,
            supplier_code=supplier,
            institution_code=inst,
            amount=total,
            issued_on=issued,
            confirmed_on=confirmed,
        )
    )
    rows["invoice_lines"] += [dict(invoice_no=invoice_no, delivery_id=d, amount=a) for d, a in amounts]

    def pay(amount, on, payer="institution"):
        if on <= YEAR_END and amount > 0:
            rows["payments"].append(
                dict(payment_id=next_id("HK"), invoice_no=invoice_no, amount=amount, paid_on=on, payer=payer)
            )

    prompt = confirmed + timedelta(days=rnd.randint(3, 8))  # inside every rule's deadline
    if paying == "prompt" or (paying == "slow_tail" and month_no < 9):
        pay(total, prompt)
    elif paying == "fund":  # 直接结算: the medical-insurance fund pays the company directly
        pay(total, prompt, "fund")
    elif paying == "late":  # past every rule's deadline (the Shandong one is the end of the 2nd month)
        pay(total, earliest + timedelta(days=rnd.randint(95, 140)))
    elif paying == "partial":  # 60 % on time, the rest later or not at all
        first = money(total * Decimal("0.6"))
        pay(first, prompt)
        if month_no % 2:
            pay(total - first, earliest + timedelta(days=rnd.randint(100, 130)))
    # slow_tail after month 9: unpaid at the year's end, some of it overdue, some not yet due


def load(*, seed: int = 2020, progress=None) -> dict[str, int]:
    """Import the demo through the importers and create the demo users. Returns rows per kind."""
    from django.db import transaction

    from jicai.core.imports import KINDS, run_import
    from jicai.monitoring.demo import load as ledger_story
    from jicai.purchasing.demo import load as upload_story
    from jicai.reports.demo import load as report_story
    from jicai.supply.demo import load as supply_story
    from jicai.volumes.demo import load as allocation_story

    demo = build(seed)
    counts = {}
    with transaction.atomic():
        for kind in KINDS:
            result = run_import(kind, demo.rows.get(kind, []))
            if result.errors:
                raise ValueError(f"演示数据 {kind} 导入失败：{result.errors[:5]}")
            counts[kind] = result.rows
            if progress:
                progress(kind, result.rows)
        create_users()
        allocation_story()  # year 2 by the default rule and a reallocation (调剂), by the 威海 bureau
        report_story()  # 涪陵 monthly reports from June 2020: on time, late, returned and resubmitted, missing
        monitoring_story()  # the warnings of the year-end check, open on the dashboards
        supply_story()  # weekly supply checks, shortage cases, named distributors
        ledger_story()  # prepayments, budget deductions, bulletins, quarterly audits
        upload_story()  # 威海市立医院's usage file: refused with row errors, corrected, imported (我的上传)
    return counts


WARNINGS_AS_OF = date(2020, 12, 31)


def monitoring_story() -> None:
    """Run every check of both provinces as the bureaus would at the end of 2020."""
    from jicai.monitoring.checks import run_checks
    from jicai.orgs.models import Region

    for province in Region.objects.filter(parent__isnull=True).order_by("code"):
        run_checks(region=province, as_of=WARNINGS_AS_OF)


# username, organisation kind, organisation code, role, body, what the login shows
USERS = [
    ("admin", None, None, None, "", "系统管理员：用户、机构、日历、政策配置"),
    ("sd_bureau", "region", "370000", "manager", "bureau", "山东省医保局 负责人"),
    ("weihai_bureau", "region", "371000", "clerk", "bureau", "威海市医保局 经办"),
    ("huancui_bureau", "region", "371002", "viewer", "bureau", "环翠区医保局 查看"),
    ("weihai_health", "region", "371000", "viewer", "health", "威海市卫生健康委 查看"),
    ("cq_bureau", "region", "500000", "manager", "bureau", "重庆市医保局 负责人"),
    ("fuling_bureau", "region", "500102", "clerk", "bureau", "涪陵区医保局 经办"),
    ("fuling_health", "region", "500102", "viewer", "health", "涪陵区卫生健康委 查看"),
    ("whsl_manager", "institution", "H37100000001", "manager", "", "威海市立医院 负责人"),
    ("whsl_clerk", "institution", "H37100000001", "clerk", "", "威海市立医院 经办（药剂科）"),
    ("whsl_viewer", "institution", "H37100000001", "viewer", "", "威海市立医院 查看"),
    ("fuling_hospital", "institution", "H50010200001", "clerk", "", "涪陵中心医院 经办"),
    ("fuling_pharmacy", "institution", "H50010200012", "clerk", "", "涪陵同济大药房 经办"),
    ("maker", "company", company_code(1), "manager", "", "东临制药（生产企业）负责人"),
    ("distributor", "company", company_code(101), "clerk", "", "海岱医药配送（配送企业）经办"),
]


def create_users() -> None:
    from jicai.orgs.models import Company, Institution, Region
    from jicai.orgs.services import add_member

    models = {"region": Region, "institution": Institution, "company": Company}
    for username, kind, code, role, body, _ in USERS:
        organisation = models[kind].objects.get(code=code) if kind else None
        add_member(
            username=username,
            password=PASSWORD,
            organisation=organisation,
            role=role,
            body=body,
            superuser=kind is None,
        )
