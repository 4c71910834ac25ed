"""Generated data for load tests and benchmarks (issue 9): one SPEC §8 file per kind for a fictional province.

The province, its cities, institutions, companies, prices and quantities are fictional and marked 演示数据; the
generic names, forms and specifications are those of real VBP varieties (the demo's list and a few more).
Every code and id starts with a prefix the demo never uses (province 90, which no real province has; institutions
G…, products GD…, companies 91900000GN…, batches G-GY-…, platform ids GDD/GPS/GFP/GHK…), so generated data can
sit beside the demo in one database.

Streaming: the rows of one institution are generated and written before the next institution's, so memory is
bounded by the largest institution whatever the size. Deterministic: every institution draws from its own
random stream seeded by (seed, index), so the same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from jicai.core.demo import AWARDS, DEMO, PACE, SIZE, SMALL_SET, START, YEAR_END, money

PROVINCE = "900000"
PROVINCE_NAME = "南岭省"
PROFILE = "national"
BASELINE_YEAR = 2018


@dataclass(frozen=True)
class Size:
    institutions: int
    awards: int
    deliveries: int


SCALES = {
    "city": Size(institutions=500, awards=150, deliveries=200_000),
    "province": Size(institutions=3000, awards=150, deliveries=10_000_000),
}

# SPEC §8 columns, in import order (jicai.core.imports.KINDS).
COLUMNS: dict[str, tuple[str, ...]] = {
    "regions": ("code", "name", "level", "parent_code", "profile"),
    "institutions": ("code", "name", "region_code", "kind", "participation"),
    "companies": ("code", "name", "is_manufacturer", "is_distributor"),
    "products": (
        "code",
        "generic_name",
        "dosage_form",
        "spec",
        "unit",
        "pack_size",
        "manufacturer_code",
        "consistency_evaluated",
        "listed_price",
        "strength_factor",
    ),
    "batches": ("code", "name", "ratio_rule_applies"),
    "awards": ("batch_code", "product_code", "province_code", "winning_price", "winners", "start_date", "cycle_years"),
    "award_distributors": ("batch_code", "product_code", "region_code", "distributor_code"),
    "baselines": ("institution_code", "product_code", "year", "quantity"),
    "agreed_volumes": ("institution_code", "batch_code", "product_code", "year_no", "quantity"),
    "orders": (
        "order_id",
        "institution_code",
        "product_code",
        "distributor_code",
        "quantity",
        "unit_price",
        "ordered_on",
    ),
    "deliveries": ("delivery_id", "order_id", "quantity", "delivered_on", "accepted_on"),
    "invoices": ("invoice_no", "supplier_code", "institution_code", "amount", "issued_on", "confirmed_on"),
    "invoice_lines": ("invoice_no", "delivery_id", "amount"),
    "payments": ("payment_id", "invoice_no", "amount", "paid_on", "payer"),
    "usage": ("institution_code", "product_code", "month", "quantity"),
}

# More real VBP varieties (batches 3–5) beside the demo's, so that a province has ~150 awards. Same shape as
# demo.AWARDS: batch, generic name, form, spec, unit, pack, winners, winning price, baseline at a large hospital.
# Prices and quantities are fictional.
MORE_VARIETIES = [
    ("3", "格列齐特缓释片", "片剂", "30mg", "片", 30, 5, "0.1500", 300_000),
    ("3", "奥美拉唑肠溶胶囊", "胶囊剂", "20mg", "粒", 14, 5, "0.1200", 500_000),
    ("3", "氯沙坦钾片", "片剂", "50mg", "片", 7, 5, "0.2600", 400_000),
    ("3", "缬沙坦胶囊", "胶囊剂", "80mg", "粒", 7, 5, "0.3200", 400_000),
    ("3", "非洛地平缓释片", "片剂", "5mg", "片", 10, 4, "0.2000", 300_000),
    ("3", "头孢呋辛酯片", "片剂", "0.25g", "片", 12, 5, "0.4500", 200_000),
    ("3", "左氧氟沙星片", "片剂", "0.5g", "片", 4, 5, "0.5500", 150_000),
    ("3", "甲硝唑片", "片剂", "0.2g", "片", 100, 5, "0.0250", 300_000),
    ("3", "布洛芬缓释胶囊", "胶囊剂", "0.3g", "粒", 20, 5, "0.0900", 400_000),
    ("4", "奥氮平片", "片剂", "10mg", "片", 14, 4, "0.9000", 60_000),
    ("4", "阿立哌唑片", "片剂", "5mg", "片", 20, 4, "0.8000", 50_000),
    ("4", "利培酮片", "片剂", "1mg", "片", 60, 5, "0.0900", 80_000),
    ("4", "孟鲁司特钠片", "片剂", "10mg", "片", 5, 4, "1.2000", 120_000),
    ("4", "替格瑞洛片", "片剂", "90mg", "片", 14, 4, "1.8000", 60_000),
    ("4", "坎地沙坦酯片", "片剂", "8mg", "片", 14, 5, "0.3000", 150_000),
    ("4", "替米沙坦片", "片剂", "40mg", "片", 14, 5, "0.2200", 200_000),
    ("5", "泮托拉唑肠溶片", "片剂", "40mg", "片", 7, 5, "0.4000", 200_000),
    ("5", "注射用头孢曲松钠", "注射剂", "1g", "支", 1, 5, "1.5000", 40_000),
    ("5", "盐酸左西替利嗪片", "片剂", "5mg", "片", 6, 5, "0.3000", 100_000),
    ("5", "地氯雷他定片", "片剂", "5mg", "片", 6, 4, "0.2500", 90_000),
    ("5", "瑞格列奈片", "片剂", "1mg", "片", 30, 4, "0.2000", 100_000),
    ("5", "硝苯地平控释片", "片剂", "30mg", "片", 7, 4, "0.6000", 300_000),
]
VARIETIES = [*AWARDS, *MORE_VARIETIES]
CHRONIC = SMALL_SET | {
    "氯沙坦钾片",
    "缬沙坦胶囊",
    "非洛地平缓释片",
    "硝苯地平控释片",
    "格列齐特缓释片",
    "奥美拉唑肠溶胶囊",
}
BATCH_NAMES = {"1": "第一批", "2": "第二批", "3": "第三批", "4": "第四批", "5": "第五批"}
RATIO = {1: Decimal("0.5"), 2: Decimal("0.6"), 3: Decimal("0.7")}  # by winners; 4 or more: 0.8
CYCLE = {1: 1, 2: 2, 3: 2}  # cycle years by winners; 4 or more: 3

CITIES = [
    "青川",
    "白鹭",
    "云岭",
    "松江",
    "玉溪",
    "金沙",
    "望海",
    "临泉",
    "北辰",
    "南屿",
    "石门",
    "安平",
    "清河",
    "江陵",
]
CITIES += ["丰原", "长乐", "龙泉", "桃源", "东湖", "西岭"]
DISTRICTS = ["城区", "新城区", "高新区", "临港区", "河口县", "青山县", "石桥县", "平原县", "清水县", "双溪县"]
MAKERS = ["北辰", "南屿", "青川", "白鹭", "云岭", "松江源", "玉溪谷", "金沙湾", "望海", "临泉", "汉江", "岭南"]
MAKERS += ["天池", "东岳", "西湖畔", "华源", "嘉禾", "安宁", "明德", "康桥"]
MAKER_SUFFIXES = ["制药", "药业", "生物制药", "医药科技"]
PRIVATE_NAMES = ["康宁", "仁和", "博爱", "安康", "济民", "惠民", "华康", "长青"]

# Shares of the kinds of institution in a district (the big public hospitals sit at city level).
KIND_WEIGHTS = {"public": 18, "primary": 45, "private": 12, "pharmacy": 22, "military": 3}
# Purchasing and paying habits as in the demo, with shares that give every progress and payment status.
HABITS = {"ahead": 15, "steady": 45, "slow": 20, "very_slow": 8, "rush": 5, "hoard": 7}
PAYING = {"prompt": 55, "late": 12, "partial": 10, "fund": 15, "slow_tail": 8}
RETURN_SHARE = 0.03
NO_USAGE_SHARE = 0.05


@dataclass(frozen=True)
class Award:
    batch: str
    product: str
    generic: str
    price: Decimal
    winners: int
    base: int  # baseline at a large hospital, smallest units a year


@dataclass(frozen=True)
class Institution:
    index: int
    code: str
    region: str
    city: str
    kind: str
    participation: str


@dataclass(frozen=True)
class Holding:
    """An agreed volume of the first agreement year, and the baseline it came from."""

    award: Award
    baseline: int
    agreed: int


Write = Callable[[str, tuple], None]


def generate(
    out: Path, *, size: Size, seed: int = 1, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Write one CSV per SPEC §8 kind into `out`. Returns rows written per kind. `progress(done, total)` counts
    delivery lines."""
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(COLUMNS, 0)
    with ExitStack() as stack:
        writers = {}
        for kind, columns in COLUMNS.items():
            # UTF-8 with BOM, as jicai's own exports write CSV: Excel shows the Chinese names right.
            file = stack.enter_context(open(out / f"{kind}.csv", "w", encoding="utf-8-sig", newline=""))
            writers[kind] = csv.writer(file, lineterminator="\n")
            writers[kind].writerow(columns)

        def write(kind: str, row: tuple) -> None:
            writers[kind].writerow(row)
            counts[kind] += 1

        _write_all(write, size=size, seed=seed, progress=progress)
    return counts


def _write_all(write: Write, *, size: Size, seed: int, progress) -> None:
    rnd = random.Random(seed)
    regions = _regions(size.institutions)
    for row in regions:
        write("regions", row)
    cities = [code for code, _n, level, *_ in regions if level == "city"]
    makers, distributors = _companies(write, cities)
    awards = _awards(write, rnd, size.awards, makers)
    for award in awards:
        for region, names in [(PROVINCE, distributors[PROVINCE]), *((c, distributors[c]) for c in cities)]:
            for distributor in names:
                write("award_distributors", (award.batch, award.product, region, distributor))
    institutions = list(_institutions(write, rnd, regions, size.institutions))

    # Delivery lines are spread over the agreed volumes in proportion to √agreed (a big hospital orders more
    # often, not only more per order); cumulative rounding makes the total exact while streaming.
    total_weight = sum(
        _weight(h) for i in institutions if i.participation != "none" for h in _holdings(seed, i, awards)
    )
    ids = _Ids()
    done = 0.0
    written = 0
    for institution in institutions:
        irnd = _rng(seed, institution.index, "purchases")
        habit = _pick(irnd, HABITS)
        paying = _pick(irnd, PAYING)
        sends_usage = irnd.random() >= NO_USAGE_SHARE
        named = distributors[PROVINCE] + distributors[institution.city]
        for holding in _holdings(seed, institution, awards):
            award = holding.award
            write("baselines", (institution.code, award.product, BASELINE_YEAR, holding.baseline))
            if institution.participation == "none":
                continue
            write("agreed_volumes", (institution.code, award.batch, award.product, 1, holding.agreed))
            done += size.deliveries * _weight(holding) / total_weight if total_weight else 0
            lines = round(done) - written
            written += lines
            _purchases(write, irnd, ids, institution, holding, habit, paying, named, lines)
            if sends_usage:
                _usage(write, irnd, institution, holding, habit)
            if progress:
                progress(written, size.deliveries)


# The catalogue and the organisations


def _regions(institutions: int) -> list[tuple]:
    """The province, about one city per 200 institutions, 4–10 districts each: GB/T 2260-shaped codes."""
    rows = [(PROVINCE, PROVINCE_NAME + DEMO, "province", "", PROFILE)]
    n_cities = max(1, min(len(CITIES), round(institutions / 200)))
    for c in range(n_cities):
        city_code = f"{PROVINCE[:2]}{c + 1:02d}00"
        rows.append((city_code, f"{CITIES[c]}市", "city", PROVINCE, ""))
        for d in range(4 + (c * 3) % 7):
            rows.append(
                (f"{PROVINCE[:2]}{c + 1:02d}{d + 1:02d}", f"{CITIES[c]}{DISTRICTS[d]}", "district", city_code, "")
            )
    return rows


def _companies(write: Write, cities: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Manufacturers, and distributors: three named for the whole province, one more for each city."""
    makers = []
    for n, (stem, suffix) in enumerate((s, x) for x in MAKER_SUFFIXES for s in MAKERS):
        code = f"91900000GN{n + 1:08d}"
        write("companies", (code, f"{stem}{suffix}有限公司{DEMO}", "true", "false"))
        makers.append(code)
    distributors: dict[str, list[str]] = {PROVINCE: []}
    for n, region in enumerate([PROVINCE, PROVINCE, PROVINCE, *cities]):
        code = f"91900000GP{n + 1:08d}"
        name = (
            f"{PROVINCE_NAME}医药配送{n + 1}号有限公司"
            if region == PROVINCE
            else f"{_city_name(region)}药品物流有限公司"
        )
        write("companies", (code, name + DEMO, "false", "true"))
        distributors.setdefault(region, []).append(code)
    return makers, distributors


def _city_name(code: str) -> str:
    return CITIES[int(code[2:4]) - 1]


def _awards(write: Write, rnd: random.Random, n: int, makers: list[str]) -> list[Award]:
    """`n` winning products (one per winner of a variety, each by another maker) and their awards."""
    awards: list[Award] = []
    for batch, name in BATCH_NAMES.items():
        write("batches", (f"G-GY-{batch}", f"{name}（{PROVINCE_NAME}）", "true" if batch == "1" else "false"))
    for v, (batch, generic, form, spec, unit, pack, winners, price, base) in enumerate(VARIETIES):
        for w in range(winners):
            if len(awards) == n:
                return awards
            code = f"GD{len(awards) + 1:05d}"
            won = (Decimal(price) * Decimal(rnd.uniform(0.85, 1.15))).quantize(Decimal("0.0001"))
            maker = makers[(v * 7 + w) % len(makers)]
            write("products", (code, generic, form, spec, unit, pack, maker, "true", won, "1"))
            award = Award(f"G-GY-{batch}", code, generic, won, winners, base)
            write("awards", (award.batch, code, PROVINCE, won, winners, START.isoformat(), CYCLE.get(winners, 3)))
            awards.append(award)
    return awards


def _institutions(write: Write, rnd: random.Random, regions: list[tuple], n: int) -> Iterator[Institution]:
    """`n` institutions: big public hospitals at city level, the rest spread over the districts."""
    cities = [r for r in regions if r[2] == "city"]
    districts = [r for r in regions if r[2] == "district"]
    at_city = min(n, 6 * len(cities))
    for i in range(n):
        if i < at_city:
            region, kind = cities[i % len(cities)], "public" if i % 6 != 5 else "military"
            city = region[0]
        else:
            region, kind = districts[i % len(districts)], _pick(rnd, KIND_WEIGHTS)
            city = region[3]
        code = f"G{region[0]}{i + 1:05d}"
        participation = "mandatory" if kind in ("public", "military", "primary") else rnd.choice(["voluntary", "none"])
        write("institutions", (code, _institution_name(i, region[1], kind) + DEMO, region[0], kind, participation))
        yield Institution(i, code, region[0], city, kind, participation)


def _institution_name(i: int, place: str, kind: str) -> str:
    if kind == "public":
        return f"{place}第{i + 1}人民医院"
    if kind == "military":
        return f"{place}部队第{i + 1}医院"
    if kind == "private":
        return f"{place}{PRIVATE_NAMES[i % len(PRIVATE_NAMES)]}医院（{i + 1}）"
    if kind == "pharmacy":
        return f"{place}{PRIVATE_NAMES[i % len(PRIVATE_NAMES)]}大药房第{i + 1}店"
    return f"{place}第{i + 1}社区卫生服务中心"


def _holdings(seed: int, institution: Institution, awards: list[Award]) -> list[Holding]:
    """The awards an institution holds volume of (one winner of each variety it uses), a pure function of
    (seed, institution): called once to weigh and once to write."""
    rnd = _rng(seed, institution.index, "holdings")
    by_generic: dict[str, list[Award]] = {}
    for award in awards:
        by_generic.setdefault(award.generic, []).append(award)
    result = []
    for generic, winners in by_generic.items():
        if institution.kind not in ("public", "military", "private") and generic not in CHRONIC:
            continue
        award = winners[rnd.randrange(len(winners))]
        baseline = int(award.base * SIZE[institution.kind] * rnd.uniform(0.6, 1.4))
        agreed = int((baseline * RATIO.get(award.winners, Decimal("0.8"))).to_integral_value())
        result.append(Holding(award, baseline, agreed))
    return result


def _weight(holding: Holding) -> float:
    return math.sqrt(holding.agreed)


# Purchases: orders, deliveries (with returns), invoices, payments; and usage


class _Ids:
    """Platform ids, numbered in generation order."""

    def __init__(self):
        self.n = {"GDD": 0, "GPS": 0, "GFP": 0, "GHK": 0}

    def __call__(self, prefix: str) -> str:
        self.n[prefix] += 1
        return f"{prefix}{self.n[prefix]:010d}"


def _purchases(write, rnd, ids, institution, holding, habit, paying, distributors, lines: int) -> None:
    """`lines` delivery lines for one agreed volume over the first agreement year, placed by the habit's monthly
    shares so that the year's total is agreed × the habit's pace."""
    if lines <= 0:
        return
    plan = []  # delivery lines of each order: 1, or 2 (split delivery), or 3 (split, then a return)
    left = lines
    while left:
        k = 2 if left >= 2 and rnd.random() < 0.3 else 1
        if k == 2 and left >= 3 and rnd.random() < RETURN_SHARE * 3:
            k = 3
        plan.append(k)
        left -= k
    bought = holding.agreed * PACE[habit] * rnd.uniform(0.9, 1.1)
    shares = _monthly_shares(habit)
    award = holding.award
    for j, k in enumerate(plan):
        ordered = START + timedelta(days=_quantile_day((j + rnd.random()) / len(plan), shares))
        quantity = max(k, round(bought / len(plan) * rnd.uniform(0.8, 1.2)))
        order_id = ids("GDD")
        distributor = distributors[rnd.randrange(len(distributors))]
        write(
            "orders",
            (order_id, institution.code, award.product, distributor, quantity, award.price, ordered.isoformat()),
        )
        accepted_lines = _deliveries(write, rnd, ids, order_id, ordered, quantity, k)
        if accepted_lines:
            _invoice(write, rnd, ids, institution, distributor, accepted_lines, award.price, paying, ordered)


def _deliveries(write, rnd, ids, order_id: str, ordered: date, quantity: int, k: int) -> list[tuple]:
    """k lines: the order in one or two deliveries, and with k = 3 a return of a tenth of the first (a return is a
    negative delivery). A line accepted after the year's end is still in transit: not accepted. Returns the
    accepted lines (id, quantity, accepted_on)."""
    if k == 1:
        parts = [quantity]
    else:
        second = max(1, quantity // 3)
        parts = [quantity - second, second]
    day = ordered + timedelta(days=rnd.randint(1, 3))
    accepted_lines = []
    for part in parts:
        accepted = day + timedelta(days=rnd.randint(0, 1))
        accepted = accepted if accepted <= YEAR_END else None
        delivery_id = ids("GPS")
        write("deliveries", (delivery_id, order_id, part, day.isoformat(), accepted.isoformat() if accepted else ""))
        if accepted:
            accepted_lines.append((delivery_id, part, accepted))
        day += timedelta(days=rnd.randint(3, 7))
    if k == 3:
        back = max(1, parts[0] // 10)
        returned = day  # after the deliveries; accepted the same day when it is inside the year
        accepted = returned if returned <= YEAR_END else None
        delivery_id = ids("GPS")
        write(
            "deliveries", (delivery_id, order_id, -back, returned.isoformat(), accepted.isoformat() if accepted else "")
        )
        if accepted:
            accepted_lines.append((delivery_id, -back, accepted))
    return accepted_lines


def _invoice(write, rnd, ids, institution, supplier, accepted_lines, price, paying, ordered) -> None:
    """One invoice per order over its accepted lines, and its payments by the institution's paying habit."""
    amounts = [(d, money(q * price)) for d, q, _ in accepted_lines]
    total = sum(a for _, a in amounts)
    if total <= 0:
        return
    earliest = min(a for _, _, a in accepted_lines)
    issued = max(a for _, _, a in accepted_lines)
    confirmed = issued + timedelta(days=rnd.randint(1, 4))
    invoice_no = ids("GFP")
    write("invoices", (invoice_no, supplier, institution.code, total, issued.isoformat(), confirmed.isoformat()))
    for delivery_id, amount in amounts:
        if amount:
            write("invoice_lines", (invoice_no, delivery_id, amount))

    def pay(amount: Decimal, on: date, payer: str = "institution") -> None:
        if on <= YEAR_END and amount > 0:
            write("payments", (ids("GHK"), invoice_no, amount, on.isoformat(), payer))

    prompt = confirmed + timedelta(days=rnd.randint(3, 8))  # inside every rule's deadline
    late_in_year = (ordered - START).days > 270
    if paying == "prompt" or (paying == "slow_tail" and not late_in_year):
        pay(total, prompt)
    elif paying == "fund":  # 直接结算: the medical-insurance fund pays the company directly
        pay(total, prompt, "fund")
    elif paying == "late":  # past every rule's deadline
        pay(total, earliest + timedelta(days=rnd.randint(95, 140)))
    elif paying == "partial":  # 60 % on time; the rest later, or never
        first = money(total * Decimal("0.6"))
        pay(first, prompt)
        if rnd.random() < 0.5:
            pay(total - first, earliest + timedelta(days=rnd.randint(100, 130)))
    # slow_tail late in the year: unpaid at the year's end


def _usage(write, rnd, institution, holding, habit) -> None:
    """What was dispensed, each month of the year (an institution that hoards uses far less than it buys)."""
    monthly = holding.baseline / 12 * (0.3 if habit == "hoard" else 1.0)
    for m in range(12):
        month = START.month - 1 + m
        label = f"{START.year + month // 12}-{month % 12 + 1:02d}"
        write("usage", (institution.code, holding.award.product, label, int(monthly * rnd.uniform(0.85, 1.15))))


def _monthly_shares(habit: str) -> list[float]:
    if habit == "rush":  # 60 % of the year's volume in the first two months, then a trickle
        return [0.32, 0.30] + [0.05] * 10
    if habit in ("slow", "very_slow"):  # a slow start that never catches up
        return [0.6 + 0.07 * m for m in range(12)]
    return [1.0] * 12


def _quantile_day(t: float, shares: list[float]) -> int:
    """The day of the agreement year (0 …) by which a fraction `t` of the year's orders is placed, when month m
    carries shares[m] of them. Orders end a week before the year does so that most are delivered in it."""
    target = t * sum(shares)
    month_days = ((YEAR_END - START).days - 7) / len(shares)
    for m, share in enumerate(shares):
        if target <= share:
            return int((m + target / share) * month_days)
        target -= share
    return int(len(shares) * month_days)


def _rng(seed: int, index: int, purpose: str) -> random.Random:
    # A string seed is hashed with SHA-512: stable across runs and Python versions, unlike hash().
    return random.Random(f"{seed}:{index}:{purpose}")


def _pick(rnd: random.Random, weights: dict[str, int]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]
