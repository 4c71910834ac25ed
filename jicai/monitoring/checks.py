"""run_checks: every check of SPEC §4 for a region and below, stored as warnings once (SPEC §6 `jicai monitor`).

Each check reads set-based (a handful of queries per region, whatever its size) and yields findings; `store`
turns them into Warning rows: new findings open a warning, findings that still hold refresh it, and open
warnings whose finding is gone are closed. A second run on the same day changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum

from jicai.catalog.models import Award, AwardDistributor, Product
from jicai.orgs.models import Institution, Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules import progress as progress_rules
from jicai.policy.rules.payment import OVERDUE_UNPAID
from jicai.policy.rules.ratio import NonWinningPurchase, ratio_rule
from jicai.policy.rules.standards import delisted
from jicai.policy.rules.stock import BUYING_WITHOUT_USING, stock_checks
from jicai.purchasing.models import Delivery, Invoice, Order, Usage
from jicai.purchasing.payments import invoice_rows
from jicai.volumes.models import AgreedVolume, Baseline
from jicai.volumes.progress import ProgressRow, progress_rows

from .models import Warning

Kind = Warning.Kind


@dataclass(frozen=True)
class Finding:
    kind: str
    institution_id: int
    subject: str
    message: str
    figures: dict = field(default_factory=dict)
    award_id: int | None = None
    product_id: int | None = None


@dataclass
class Summary:
    opened: Counter = field(default_factory=Counter)
    still_open: Counter = field(default_factory=Counter)
    closed: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def run_checks(*, region: Region, as_of: date) -> Summary:
    institutions = Institution.objects.filter(region__path__startswith=region.path)
    profiles = Region.objects.profile_map()
    settings = {p.pk: p for p in PolicyProfile.objects.all()}
    profile_of = {
        i: settings.get(profiles.get(r), PolicyProfile()) for i, r in institutions.values_list("pk", "region")
    }
    rows = progress_rows(AgreedVolume.objects.filter(institution__in=institutions), as_of=as_of)
    summary = Summary()
    findings = [
        *progress_findings(rows),
        *stock_findings(rows, profile_of, as_of, summary),
        *ratio_findings(rows, profile_of, as_of),
        *payment_findings(Invoice.objects.filter(institution__in=institutions), as_of),
        *delisted_findings(institutions, as_of),
        *distributor_findings(institutions, as_of),
    ]
    store(findings, institutions, as_of, summary)
    return summary


def progress_findings(rows: list[ProgressRow]):
    for r in rows:
        p = r.progress
        if p.status not in (progress_rules.LAGGING, progress_rules.SEVERELY_LAGGING):
            continue
        kind = Kind.LAGGING if p.status == progress_rules.LAGGING else Kind.SEVERELY_LAGGING
        yield Finding(
            kind,
            r.institution_id,
            f"award:{r.award_id}",
            f"{r.generic_name} {r.spec}：完成 {p.completion:.1%}，序时进度 {p.time_progress:.1%}，"
            f"预计年底完成 {p.projected:.1%}",
            {
                "agreed": p.agreed,
                "purchased": p.purchased,
                "completion": f"{p.completion:.4f}",
                "time_progress": f"{p.time_progress:.4f}",
                "projected": f"{p.projected:.4f}",
            },
            award_id=r.award_id,
        )


def _month_starts(start: date, end: date) -> tuple[date, date]:
    return start.replace(day=1), end.replace(day=1)


def stock_findings(rows: list[ProgressRow], profile_of, as_of: date, summary: Summary):
    """突击采购 and 只采不用 per institution × award; without usage data only the first, and a note says so."""
    if not rows:
        return
    start = min(r.year_start for r in rows)
    first_month, last_month = _month_starts(start, as_of)
    inst_ids = {r.institution_id for r in rows}
    used = dict(
        (
            ((i, p), q)
            for i, p, q in Usage.objects.filter(
                institution_id__in=inst_ids, month__gte=first_month, month__lte=last_month
            )
            .values_list("institution_id", "product_id")
            .annotate(q=Sum("quantity"))
            .order_by()
        )
    )
    reporting = {i for i, _ in used}
    base = baselines(inst_ids)
    products = dict(Product.objects.filter(code__in={r.product for r in rows}).values_list("code", "pk"))
    silent = sorted({r.institution for r in rows if r.institution_id not in reporting})
    if silent:
        summary.notes.append(f"{len(silent)} 家机构无使用量数据，仅检查突击采购：{'、'.join(silent[:10])}")
    for r in rows:
        profile = profile_of[r.institution_id]
        pid = products[r.product]
        result = stock_checks(
            agreed=r.progress.agreed,
            purchased_early=r.purchased_early,
            purchased=r.progress.purchased,
            used=used.get((r.institution_id, pid), 0) if r.institution_id in reporting else None,
            baseline=base.get((r.institution_id, r.generic_name), 0),
            rush_months=profile.rush_months,
            rush_share=Decimal(profile.rush_share),
            max_stock_months=Decimal(profile.max_stock_months),
        )
        for f in result.findings:
            kind = Kind.BUYING_WITHOUT_USING if f.kind == BUYING_WITHOUT_USING else Kind.RUSH_BUYING
            yield Finding(
                kind,
                r.institution_id,
                f"award:{r.award_id}",
                f"{r.generic_name} {r.spec}：{f.message}",
                f.figures,
                award_id=r.award_id,
            )


def baselines(inst_ids) -> dict[tuple[int, str], int]:
    """(institution, generic name) → baseline of its latest base year, every specification converted by strength."""
    rows = Baseline.objects.filter(institution_id__in=inst_ids).values_list(
        "institution_id", "product__generic_name", "year", "quantity", "product__strength_factor"
    )
    latest: dict[tuple[int, str], int] = {}
    total: dict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
    for i, g, y, q, f in rows:
        latest[(i, g)] = max(latest.get((i, g), 0), y)
        total[(i, g, y)] += q * f
    return {(i, g): int(total[(i, g, y)]) for (i, g), y in latest.items()}


def ratio_findings(rows: list[ProgressRow], profile_of, as_of: date):
    """The batch-1 ratio rule per institution × generic name, with the Shandong exemption where the profile has it."""
    rows = [
        r
        for r in rows
        if r.award_id
        in set(
            Award.objects.filter(pk__in={r.award_id for r in rows}, batch__ratio_rule_applies=True).values_list(
                "pk", flat=True
            )
        )
    ]
    if not rows:
        return
    awards = {a.pk: a for a in Award.objects.filter(pk__in={r.award_id for r in rows}).select_related("product")}
    generics = {r.generic_name for r in rows}
    inst_ids = {r.institution_id for r in rows}
    start = min(r.year_start for r in rows)
    winning_products = {a.product_id for a in awards.values()}
    factor = dict(Product.objects.filter(generic_name__in=generics).values_list("pk", "strength_factor"))
    usage = defaultdict(Decimal)
    first_month, last_month = _month_starts(start, as_of)
    for i, p, q in Usage.objects.filter(
        institution_id__in=inst_ids, product_id__in=winning_products, month__gte=first_month, month__lte=last_month
    ).values_list("institution_id", "product_id", "quantity"):
        usage[(i, p)] += q * factor[p]
    reporting = {i for i, _ in usage}
    other = (
        Delivery.objects.filter(
            institution_id__in=inst_ids,
            product__generic_name__in=generics,
            accepted_on__gte=start,
            accepted_on__lte=as_of,
        )
        .exclude(product_id__in=winning_products)
        .values_list(
            "institution_id", "product__generic_name", "product_id", "quantity", "order__unit_price", "accepted_on"
        )
    )
    purchases = defaultdict(list)
    for i, g, p, q, price, on in other:
        purchases[(i, g)].append(NonWinningPurchase(int(q * factor[p]), price / factor[p], on))
    for r in rows:
        bought = [x for x in purchases.get((r.institution_id, r.generic_name), []) if r.year_start <= x.purchased_on]
        if not bought or r.institution_id not in reporting:
            continue
        award = awards[r.award_id]
        done_on = completed_on(r, award) if r.progress.completion >= 1 else None
        check = ratio_rule(
            winning_usage=int(usage[(r.institution_id, award.product_id)]),
            purchases=bought,
            winning_price=award.winning_price,
            completed_on=done_on,
            exemption=profile_of[r.institution_id].ratio_rule_exemption,
        )
        if not check.holds:
            yield Finding(
                Kind.RATIO_RULE,
                r.institution_id,
                f"generic:{r.generic_name}",
                f"{r.generic_name}：中选药品使用量 {check.winning_usage} "
                f"低于非中选药品采购量 {check.non_winning_counted}",
                {
                    "winning_usage": check.winning_usage,
                    "non_winning_counted": check.non_winning_counted,
                    "non_winning_exempt": check.non_winning_exempt,
                },
                award_id=r.award_id,
            )


def completed_on(r: ProgressRow, award: Award) -> date | None:
    """The acceptance date on which the institution's purchases reached its agreed volume (one query; run only
    where a cheap non-winning purchase makes the exemption matter)."""
    running = 0
    for day, q in (
        Delivery.objects.filter(
            institution_id=r.institution_id,
            product_id=award.product_id,
            accepted_on__gte=r.year_start,
            accepted_on__lte=r.year_end,
        )
        .values_list("accepted_on")
        .annotate(q=Sum("quantity"))
        .order_by("accepted_on")
    ):
        running += q
        if running >= r.progress.agreed:
            return day
    return None


def payment_findings(invoices, as_of: date):
    for row in invoice_rows(invoices, as_of=as_of):
        if row.payment.status != OVERDUE_UNPAID:
            continue
        unpaid = row.amount - row.payment.paid
        yield Finding(
            Kind.OVERDUE,
            row.institution_id,
            f"invoice:{row.invoice_no}",
            f"发票 {row.invoice_no}（{row.supplier_name}）应于 {row.due.due_on} 前付清，"
            f"逾期 {row.payment.days_late} 天，未付 {unpaid} 元",
            {
                "invoice_no": row.invoice_no,
                "amount": str(row.amount),
                "paid": str(row.payment.paid),
                "due_on": row.due.due_on.isoformat(),
                "days_late": row.payment.days_late,
            },
        )


def delisted_findings(institutions, as_of: date):
    """Purchases of a product that lost its listing (3 or more evaluated manufacturers of its generic name)."""
    evaluated = Counter(
        g
        for g, _ in Product.objects.filter(consistency_evaluated=True)
        .values_list("generic_name", "manufacturer")
        .distinct()
    )
    names = [g for g, n in evaluated.items() if delisted(n, evaluated=False)]
    out = (
        Delivery.objects.filter(
            institution__in=institutions,
            product__generic_name__in=names,
            product__consistency_evaluated=False,
            accepted_on__gt=as_of - timedelta(days=365),
            accepted_on__lte=as_of,
        )
        .values_list("institution_id", "product_id", "product__code", "product__generic_name")
        .annotate(q=Sum("quantity"), last=Max("accepted_on"))
        .order_by()
    )
    for i, pid, code, generic, q, last in out:
        yield Finding(
            Kind.DELISTED,
            i,
            f"product:{code}",
            f"{generic}（{code}）未通过一致性评价，同品种已有 {evaluated[generic]} 家过评企业，应取消挂网；"
            f"近一年仍采购 {q}，最近验收 {last}",
            {"quantity": q, "evaluated_manufacturers": evaluated[generic], "last_accepted": last.isoformat()},
            product_id=pid,
        )


def distributor_findings(institutions, as_of: date):
    """Deliveries by a distributor the manufacturer did not name for the institution's region (SPEC §4.13)."""
    named = defaultdict(set)
    for product_id, path, distributor_id in AwardDistributor.objects.values_list(
        "award__product_id", "region__path", "distributor_id"
    ):
        named[(product_id, distributor_id)].add(path)
    awarded = defaultdict(set)  # product → provinces where it is a winning product: only there do namings apply
    for product_id, path in Award.objects.values_list("product_id", "province__path"):
        awarded[product_id].add(path)
    orders = (
        Order.objects.filter(
            institution__in=institutions,
            product__awards__isnull=False,
            ordered_on__gt=as_of - timedelta(days=365),
            ordered_on__lte=as_of,
        )
        .values_list(
            "order_id",
            "institution_id",
            "institution__region__path",
            "product_id",
            "product__generic_name",
            "distributor_id",
            "distributor__name",
        )
        .distinct()
    )
    for order_id, i, path, pid, generic, did, dname in orders:
        if not any(path.startswith(p) for p in awarded[pid]):
            continue
        if not any(path.startswith(p) for p in named.get((pid, did), ())):
            yield Finding(
                Kind.UNNAMED_DISTRIBUTOR,
                i,
                f"order:{order_id}",
                f"订单 {order_id}（{generic}）由 {dname} 配送，该企业不是生产企业为本地区指定的配送企业",
                {"order_id": order_id, "distributor": dname},
                product_id=pid,
            )


@transaction.atomic
def store(findings: list[Finding], institutions, as_of: date, summary: Summary) -> None:
    open_ = {
        (w.kind, w.institution_id, w.subject): w for w in Warning.objects.open().filter(institution__in=institutions)
    }
    new, refreshed = [], []
    seen = set()
    for f in findings:
        key = (f.kind, f.institution_id, f.subject)
        if key in seen:
            continue
        seen.add(key)
        w = open_.get(key)
        if w is None:
            new.append(
                Warning(
                    kind=f.kind,
                    institution_id=f.institution_id,
                    award_id=f.award_id,
                    product_id=f.product_id,
                    subject=f.subject,
                    message=f.message,
                    figures=f.figures,
                    first_seen=as_of,
                    last_seen=as_of,
                )
            )
            summary.opened[f.kind] += 1
        else:
            if w.last_seen < as_of:
                w.last_seen = as_of
            w.message, w.figures = f.message, f.figures
            refreshed.append(w)
            summary.still_open[f.kind] += 1
    stale = [w for key, w in open_.items() if key not in seen]
    for w in stale:
        w.closed_on = as_of
        summary.closed[w.kind] += 1
    Warning.objects.bulk_create(new, batch_size=1000)
    Warning.objects.bulk_update(refreshed, ["last_seen", "message", "figures"], batch_size=1000)
    Warning.objects.bulk_update(stale, ["closed_on"], batch_size=1000)
