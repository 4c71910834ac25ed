"""The prepayment ledger (SPEC §4.11, Shandong profile).

鲁医保发〔2020〕25号: "医保基金……对医疗机构提前预付，医疗机构按时回款"
and "鼓励有条件的市开展医保基金与医药企业直接结算药款".
The fund advances at least `prepay_share` of each institution's annual agreed amount (agreed × winning price) per
award when the year starts; the institution's own payments of that year's invoices offset the advance until it is
used up. A payment by the fund itself (直接结算, `Payment.payer == "fund"`) settles the invoice without touching
the advance: the ledger shows it beside the balance.

Writes (`prepay`, `offset`) are idempotent: an award's year is prepaid once, a payment offsets once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jicai.core.audit import record
from jicai.monitoring.access import actor, check_bureau_writer
from jicai.monitoring.models import Prepayment
from jicai.orgs.models import Institution, Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.penalties import yuan
from jicai.policy.rules.progress import agreement_year
from jicai.purchasing.models import Invoice, InvoiceLine, Payment
from jicai.volumes.models import AgreedVolume

PREPAY_DISABLED = gettext_noop("%(region)s的政策配置未启用医保基金预付")
SHARE_TOO_LOW = gettext_noop("预付比例不得低于政策配置的 %(share)s")


class LedgerError(ValueError):
    """The ledger cannot be written as asked; the message says why."""


@dataclass(frozen=True)
class Share:
    """The part of one payment that pays one award's lines of an invoice of the agreement year."""

    payment_id: int
    payment: str  # platform id
    payer: str
    paid_on: date
    invoice_no: str
    institution_id: int
    award_id: int
    amount: Decimal


def _prepay_profiles(institutions) -> dict[int, PolicyProfile]:
    """Institution id → its profile, for the institutions whose profile has prepayment on."""
    profile_of_region = Region.objects.profile_map()
    profiles = {p.pk: p for p in PolicyProfile.objects.filter(prepayment_enabled=True)}
    return {
        pk: profiles[profile_of_region[r]]
        for pk, r in institutions.values_list("pk", "region_id")
        if profile_of_region.get(r) in profiles
    }


def payment_shares(institutions, *, year_no: int, as_of: date) -> list[Share]:
    """Every payment dated by `as_of` of an invoice of agreement year `year_no` (its earliest delivery accepted in
    that year), split over the awards of its lines in proportion to their amounts. Four queries."""
    volumes = AgreedVolume.objects.filter(institution__in=institutions, year_no=year_no).values_list(
        "institution_id", "award_id", "award__product_id", "award__start_date"
    )
    award_of: dict[tuple[int, int], tuple[int, date, date]] = {}
    for inst, award, product, start in volumes:
        award_of[(inst, product)] = (award, *agreement_year(start, year_no))
    if not award_of:
        return []
    invoices = {
        pk: (no, inst, amount, accepted)
        for pk, no, inst, amount, accepted in Invoice.objects.filter(institution_id__in={k[0] for k in award_of})
        .annotate(accepted_on=Min("lines__delivery__accepted_on"))
        .values_list("pk", "invoice_no", "institution_id", "amount", "accepted_on")
    }
    by_award: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for invoice_id, product, amount in InvoiceLine.objects.filter(invoice_id__in=invoices).values_list(
        "invoice_id", "delivery__product_id", "amount"
    ):
        no, inst, _total, accepted = invoices[invoice_id]
        found = award_of.get((inst, product))
        if found and accepted and found[1] <= accepted <= found[2]:
            by_award[invoice_id][found[0]] += amount
    shares = []
    payments = (
        Payment.objects.filter(invoice_id__in=by_award, paid_on__lte=as_of)
        .order_by("paid_on", "payment_id")
        .values_list("pk", "payment_id", "payer", "paid_on", "invoice_id", "amount")
    )
    for pk, payment_id, payer, paid_on, invoice_id, amount in payments:
        no, inst, total, _accepted = invoices[invoice_id]
        parts = sorted(by_award[invoice_id].items())
        left = amount
        for i, (award, line_amount) in enumerate(parts):
            part = (
                left
                if i == len(parts) - 1 and sum(a for _, a in parts) == total
                else yuan(amount * line_amount / total)
            )
            part = min(part, left)
            left -= part
            if part > 0:
                shares.append(Share(pk, payment_id, payer, paid_on, no, inst, award, part))
    return shares


def _region_institutions(region: Region):
    return Institution.objects.filter(region__path__startswith=region.path)


@transaction.atomic
def prepay(*, region: Region, year_no: int, on: date, by, share: Decimal | None = None) -> int:
    """The fund's advance for agreement year `year_no` to every institution of `region` and below whose profile
    has prepayment on: `share` (at least the profile's `prepay_share`) × agreed × winning price per award.
    An award's year already prepaid is left as it is. Returns the number of entries written."""
    check_bureau_writer(by, region)
    institutions = _region_institutions(region)
    profiles = _prepay_profiles(institutions)
    if not profiles:
        raise LedgerError(_(PREPAY_DISABLED) % {"region": region.name})
    done = set(
        Prepayment.objects.filter(
            kind=Prepayment.Kind.PREPAID, year_no=year_no, institution_id__in=profiles
        ).values_list("institution_id", "award_id")
    )
    entries = []
    for v in AgreedVolume.objects.filter(institution_id__in=profiles, year_no=year_no).select_related("award"):
        floor = Decimal(profiles[v.institution_id].prepay_share)
        if share is not None and share < floor:
            raise LedgerError(_(SHARE_TOO_LOW) % {"share": floor})
        amount = yuan((share or floor) * v.quantity * v.award.winning_price)
        if (v.institution_id, v.award_id) in done or amount <= 0:
            continue
        entries.append(
            Prepayment(
                institution_id=v.institution_id,
                award_id=v.award_id,
                year_no=year_no,
                kind=Prepayment.Kind.PREPAID,
                amount=amount,
                on=on,
                note=_("按约定采购金额的 %(share)s 预付") % {"share": f"{(share or floor) * 100:.0f}%"},
            )
        )
    Prepayment.objects.bulk_create(entries)
    if entries:
        record(actor(by), "prepayment.prepay", region, changes={"year_no": year_no, "entries": len(entries)})
    return len(entries)


@transaction.atomic
def offset(*, region: Region, year_no: int, as_of: date, by) -> int:
    """Offset the advances of `region` and below by the institutions' own payments (dated by `as_of`) of the
    year's invoices, oldest first, until each advance is used up. A payment already offset is skipped; the
    fund's direct settlements never offset. Returns the number of entries written."""
    check_bureau_writer(by, region)
    institutions = _region_institutions(region)
    totals = (
        Prepayment.objects.filter(institution__in=institutions, year_no=year_no)
        .values_list("institution_id", "award_id")
        .annotate(
            prepaid=Sum("amount", filter=Q(kind=Prepayment.Kind.PREPAID)),
            used=Sum("amount", filter=Q(kind=Prepayment.Kind.OFFSET)),
        )
        .order_by()
    )
    left = {(i, a): yuan((p or Decimal(0)) - (u or Decimal(0))) for i, a, p, u in totals}
    done = set(
        Prepayment.objects.filter(
            institution__in=institutions, year_no=year_no, kind=Prepayment.Kind.OFFSET
        ).values_list("payment_id", "award_id")
    )
    entries = []
    for s in payment_shares(institutions, year_no=year_no, as_of=as_of):
        key = (s.institution_id, s.award_id)
        if s.payer != Payment.Payer.INSTITUTION or (s.payment_id, s.award_id) in done or left.get(key, 0) <= 0:
            continue
        amount = min(s.amount, left[key])
        left[key] -= amount
        entries.append(
            Prepayment(
                institution_id=s.institution_id,
                award_id=s.award_id,
                year_no=year_no,
                kind=Prepayment.Kind.OFFSET,
                amount=amount,
                on=s.paid_on,
                payment_id=s.payment_id,
                note=_("回款 %(payment)s（发票 %(invoice)s）") % {"payment": s.payment, "invoice": s.invoice_no},
            )
        )
    Prepayment.objects.bulk_create(entries)
    if entries:
        record(actor(by), "prepayment.offset", region, changes={"year_no": year_no, "entries": len(entries)})
    return len(entries)


@dataclass(frozen=True)
class LedgerRow:
    institution_id: int
    institution: str
    institution_name: str
    award_id: int
    product: str
    generic_name: str
    spec: str
    agreed: int
    winning_price: Decimal
    agreed_amount: Decimal
    prepaid: Decimal
    offset: Decimal
    balance: Decimal  # what of the advance the institution's payments have not yet used
    direct_settled: Decimal  # paid by the fund directly to the company (直接结算)


def ledger_rows(institutions, *, year_no: int, as_of: date) -> list[LedgerRow]:
    """Per institution × award of agreement year `year_no`: agreed amount, prepaid, offset, balance and the fund's
    direct settlements by `as_of`. `institutions` is already scoped. Six queries whatever the size."""
    volumes = (
        AgreedVolume.objects.filter(institution__in=institutions, year_no=year_no)
        .select_related("institution", "award__product")
        .order_by("institution__code", "award__product__generic_name", "award__product__code")
    )
    sums = {
        (i, a): (yuan(p or Decimal(0)), yuan(o or Decimal(0)))  # SQLite sums decimals as floats
        for i, a, p, o in Prepayment.objects.filter(institution__in=institutions, year_no=year_no)
        .values_list("institution_id", "award_id")
        .annotate(
            p=Sum("amount", filter=Q(kind=Prepayment.Kind.PREPAID)),
            o=Sum("amount", filter=Q(kind=Prepayment.Kind.OFFSET)),
        )
        .order_by()
    }
    direct: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for s in payment_shares(institutions, year_no=year_no, as_of=as_of):
        if s.payer == Payment.Payer.FUND:
            direct[(s.institution_id, s.award_id)] += s.amount
    rows = []
    for v in volumes:
        prepaid, used = sums.get((v.institution_id, v.award_id), (Decimal(0), Decimal(0)))
        product = v.award.product
        rows.append(
            LedgerRow(
                institution_id=v.institution_id,
                institution=v.institution.code,
                institution_name=v.institution.name,
                award_id=v.award_id,
                product=product.code,
                generic_name=product.generic_name,
                spec=product.spec,
                agreed=v.quantity,
                winning_price=v.award.winning_price,
                agreed_amount=yuan(v.quantity * v.award.winning_price),
                prepaid=prepaid,
                offset=used,
                balance=prepaid - used,
                direct_settled=direct.get((v.institution_id, v.award_id), Decimal(0)),
            )
        )
    return rows


MONEY = ("agreed_amount", "prepaid", "offset", "balance", "direct_settled")


def institution_totals(rows: list[LedgerRow]) -> list[dict]:
    """The ledger summed per institution (the order of `rows` is kept)."""
    out: dict[int, dict] = {}
    for r in rows:
        t = out.setdefault(
            r.institution_id,
            {"institution": r.institution, "institution_name": r.institution_name, "awards": 0}
            | {f: Decimal(0) for f in MONEY},
        )
        t["awards"] += 1
        for f in MONEY:
            t[f] += getattr(r, f)
    return list(out.values())


COLUMNS = [
    ("institution", gettext_lazy("机构编码")),
    ("institution_name", gettext_lazy("机构名称")),
    ("generic_name", gettext_lazy("药品通用名")),
    ("spec", gettext_lazy("规格")),
    ("agreed", gettext_lazy("约定采购量")),
    ("winning_price", gettext_lazy("中选价")),
    ("agreed_amount", gettext_lazy("约定采购金额")),
    ("prepaid", gettext_lazy("预付金额")),
    ("offset", gettext_lazy("已冲抵")),
    ("balance", gettext_lazy("预付余额")),
    ("direct_settled", gettext_lazy("医保基金直接结算")),
]


def as_dict(row: LedgerRow) -> dict:
    return {f: getattr(row, f) for f, _h in COLUMNS} | {"product": row.product}
