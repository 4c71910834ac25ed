"""Budget deductions as records a bureau reviews and confirms (SPEC §4.10, Chongqing profile).

渝医保发〔2020〕28号: "未完成约定采购量的，将按照未完成数量的总金额等额降低次年医保总额额度"
and "对未按时回款……按照未按时结算货款等额降低次年医保总额额度".
The amounts come from `jicai.monitoring.penalties` (the figures of `jicai penalties`);
this module stores them, one record per institution, year and kind, each with the rows that make it up, so that
a bureau can review and confirm them. A confirmed record never changes; proposing again refreshes only the
records still awaiting confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jicai.core.audit import record
from jicai.core.cli import plain
from jicai.monitoring.access import actor, check_bureau_writer
from jicai.monitoring.models import BudgetDeduction
from jicai.monitoring.penalties import penalties
from jicai.orgs.models import Institution, Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.progress import agreement_year
from jicai.volumes.models import AgreedVolume

PENALTIES_OFF = gettext_noop("%(region)s的政策配置未启用医保总额扣减")
YEAR_NOT_ENDED = gettext_noop("第%(year)d协议年度至 %(end)s 才结束，届时才能提出扣减")
NO_VOLUMES = gettext_noop("%(region)s没有第%(year)d协议年度的约定采购量")
ALREADY_CONFIRMED = gettext_noop("该扣减已于 %(at)s 确认，不能再改")

Kind = BudgetDeduction.Kind


class DeductionError(ValueError):
    """A deduction cannot be written as asked; the message says why."""


@dataclass(frozen=True)
class Proposal:
    created: int
    updated: int
    removed: int
    unchanged: int
    confirmed: int  # left as they were


def penalised_institutions(region: Region):
    """The institutions of `region` and below whose profile has penalties on."""
    profile_of_region = Region.objects.profile_map()
    enabled = set(PolicyProfile.objects.filter(penalties_enabled=True).values_list("pk", flat=True))
    institutions = Institution.objects.filter(region__path__startswith=region.path)
    regions = {
        r for r in institutions.values_list("region_id", flat=True).distinct() if profile_of_region.get(r) in enabled
    }
    return institutions.filter(region_id__in=regions)


@transaction.atomic
def propose_deductions(*, region: Region, year_no: int, as_of: date, by) -> Proposal:
    """Compute the deductions of agreement year `year_no` (payments known on `as_of`, after the year's end) for
    `region` and below and store them as proposals for the bureau to confirm."""
    check_bureau_writer(by, region)
    institutions = penalised_institutions(region)
    if not institutions.exists():
        raise DeductionError(_(PENALTIES_OFF) % {"region": region.name})
    starts = set(
        AgreedVolume.objects.filter(institution__in=institutions, year_no=year_no)
        .values_list("award__start_date", flat=True)
        .distinct()
    )
    if not starts:
        raise DeductionError(_(NO_VOLUMES) % {"region": region.name, "year": year_no})
    end = max(agreement_year(s, year_no)[1] for s in starts)
    if as_of <= end:
        raise DeductionError(_(YEAR_NOT_ENDED) % {"year": year_no, "end": end})
    ids = dict(institutions.values_list("code", "pk"))
    existing = {
        (d.institution_id, d.kind): d
        for d in BudgetDeduction.objects.select_for_update().filter(institution__in=institutions, year_no=year_no)
    }
    now = timezone.now()
    counts = dict(created=0, updated=0, removed=0, unchanged=0, confirmed=0)
    seen = set()
    for p in penalties(institutions, year_no=year_no, as_of=as_of):
        inst = ids[p.institution]
        for kind, amount, evidence in (
            (Kind.SHORTFALL, p.deduction.shortfall_amount, p.shortfalls),
            (Kind.LATE, p.deduction.late_amount, p.late_invoices),
        ):
            if not amount:
                continue
            seen.add((inst, kind))
            evidence = plain(evidence)
            old = existing.get((inst, kind))
            if old is not None and old.status == BudgetDeduction.Status.CONFIRMED:
                counts["confirmed"] += 1
            elif old is None:
                new = BudgetDeduction.objects.create(
                    institution_id=inst,
                    year_no=year_no,
                    kind=kind,
                    amount=amount,
                    evidence=evidence,
                    as_of=as_of,
                    proposed_at=now,
                )
                record(actor(by), "deduction.propose", new, changes={"amount": str(amount), "kind": kind})
                counts["created"] += 1
            elif old.amount != amount or old.evidence != evidence:
                changes = {"amount": [str(old.amount), str(amount)]}
                old.amount, old.evidence, old.as_of, old.proposed_at = amount, evidence, as_of, now
                old.save()
                record(actor(by), "deduction.update", old, changes=changes)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    for key, old in existing.items():
        if key not in seen and old.status == BudgetDeduction.Status.PROPOSED:
            record(actor(by), "deduction.withdraw", old, changes={"amount": str(old.amount)})
            old.delete()
            counts["removed"] += 1
        elif key not in seen:
            counts["confirmed"] += 1
    return Proposal(**counts)


@transaction.atomic
def confirm_deduction(*, deduction: BudgetDeduction, by, note: str = "", at=None) -> BudgetDeduction:
    """The bureau of the institution's region (or above) confirms a proposed deduction."""
    check_bureau_writer(by, deduction.institution.region)
    deduction = BudgetDeduction.objects.select_for_update().get(pk=deduction.pk)
    if deduction.status == BudgetDeduction.Status.CONFIRMED:
        raise DeductionError(
            _(ALREADY_CONFIRMED) % {"at": f"{timezone.localtime(deduction.confirmed_at):%Y-%m-%d %H:%M}"}
        )
    deduction.status = BudgetDeduction.Status.CONFIRMED
    deduction.confirmed_by = actor(by)
    deduction.confirmed_at = at or timezone.now()
    deduction.note = note.strip()
    deduction.save()
    record(actor(by), "deduction.confirm", deduction, changes={"amount": str(deduction.amount)}, reason=deduction.note)
    return deduction


COLUMNS = [
    ("institution", gettext_lazy("机构编码")),
    ("institution_name", gettext_lazy("机构名称")),
    ("year_no", gettext_lazy("协议年度")),
    ("kind_text", gettext_lazy("类型")),
    ("amount", gettext_lazy("扣减金额")),
    ("status_text", gettext_lazy("状态")),
    ("as_of", gettext_lazy("计算日期")),
    ("confirmed_by", gettext_lazy("确认人")),
    ("confirmed_at", gettext_lazy("确认时间")),
    ("evidence_text", gettext_lazy("依据")),
]


def evidence_text(d: BudgetDeduction) -> str:
    """The evidence in words, one item per line: what a printed list or a spreadsheet cell shows."""
    if d.kind == Kind.SHORTFALL:
        return "\n".join(
            _("%(name)s：约定 %(agreed)s，已采购 %(purchased)s，中选价 %(price)s，扣减 %(amount)s")
            % {
                "name": e["generic_name"],
                "agreed": e["agreed"],
                "purchased": e["purchased"],
                "price": e["winning_price"],
                "amount": e["amount"],
            }
            for e in d.evidence
        )
    return "\n".join(
        _("发票 %(no)s：金额 %(amount)s，应付日 %(due)s，逾期金额 %(late)s")
        % {"no": e["invoice_no"], "amount": e["amount"], "due": e["due_on"], "late": e["late_amount"]}
        for e in d.evidence
    )


def deduction_dict(d: BudgetDeduction) -> dict:
    """One deduction as the CLI, the JSON and the spreadsheet show it (`institution` selected with it)."""
    return {
        "id": d.pk,
        "institution": d.institution.code,
        "institution_name": d.institution.name,
        "year_no": d.year_no,
        "kind": d.kind,
        "kind_text": str(d.get_kind_display()),
        "amount": d.amount,
        "status": d.status,
        "status_text": str(d.get_status_display()),
        "as_of": d.as_of,
        "confirmed_by": d.confirmed_by.username if d.confirmed_by else "",
        "confirmed_at": timezone.localtime(d.confirmed_at).strftime("%Y-%m-%d %H:%M") if d.confirmed_at else "",
        "evidence": d.evidence,
        "evidence_text": evidence_text(d),
    }
