"""Bulletins (通报, SPEC §4.10): for a region and month, completion by institution, the lagging ones, late payers
and missing reports.

渝医保发〔2020〕28号: "对未按时回款，造成负面影响的，将进行全区通报";
"定期通报药品采购、使用等情况……对未达进度的机构及时通知提醒".
The content of month M is computed as of M's last day: progress in the agreement year containing that day,
invoices overdue by then, and the monthly report that fell due in M (data month M−1). A draft is computed afresh
each time it is shown; publishing freezes the content, and a published bulletin never changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jicai.core.audit import record
from jicai.core.cli import plain
from jicai.monitoring.access import actor, check_bureau_writer
from jicai.orgs.models import Institution, Region
from jicai.policy.rules import progress as progress_rules
from jicai.policy.rules.days import month_end
from jicai.policy.rules.payment import OVERDUE_PAID, OVERDUE_UNPAID
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows
from jicai.reports.models import Bulletin
from jicai.reports.rules import first_of_month
from jicai.reports.sheets import Sheet, write_workbook
from jicai.reports.status import LATE, NOT_SUBMITTED, region_status
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows

ALREADY_PUBLISHED = gettext_noop("%(region)s %(month)s 的通报已于 %(at)s 发布，发布后不能再改")
LAGGING_STATUSES = (progress_rules.LAGGING, progress_rules.SEVERELY_LAGGING)
STATUS_ORDER = {s: i for i, s in enumerate(progress_rules.STATUSES)}


class BulletinError(ValueError):
    """A bulletin cannot be written as asked; the message says why."""


def pct(value: Decimal | None) -> str:
    return "" if value is None else f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def previous_month(month: date) -> date:
    return first_of_month(month - date.resolution)


def bulletin_content(region: Region, month: date, institutions=None) -> dict:
    """What the bulletin of `region` for `month` says, JSON-ready. `institutions` defaults to every institution of
    the region and below (a bulletin is the bureau's, about its whole region)."""
    month = first_of_month(month)
    as_of = month_end(month.year, month.month)
    if institutions is None:
        institutions = Institution.objects.filter(region__path__startswith=region.path)
    rows = progress_rows(AgreedVolume.objects.filter(institution__in=institutions), as_of=as_of)
    prices = dict(
        AgreedVolume.objects.filter(institution__in=institutions).values_list("award_id", "award__winning_price")
    )
    by_inst: dict[str, dict] = {}
    lagging = []
    for r in rows:
        p = r.progress
        t = by_inst.setdefault(
            r.institution,
            {
                "institution": r.institution,
                "institution_name": r.institution_name,
                "awards": 0,
                "completed": 0,
                "lagging": 0,
                "severely_lagging": 0,
                "agreed_amount": Decimal(0),
                "purchased_amount": Decimal(0),
                "time_progress": p.time_progress,
                "status": p.status,
            },
        )
        price = prices[r.award_id]
        t["awards"] += 1
        t["completed"] += p.status == progress_rules.COMPLETED
        t["lagging"] += p.status == progress_rules.LAGGING
        t["severely_lagging"] += p.status == progress_rules.SEVERELY_LAGGING
        t["agreed_amount"] += p.agreed * price
        t["purchased_amount"] += min(p.purchased, p.agreed) * price  # beyond the floor does not make up for others
        t["time_progress"] = max(t["time_progress"], p.time_progress)
        if STATUS_ORDER[p.status] > STATUS_ORDER[t["status"]]:
            t["status"] = p.status
        if p.status in LAGGING_STATUSES:
            lagging.append(
                {
                    "institution": r.institution,
                    "institution_name": r.institution_name,
                    "generic_name": r.generic_name,
                    "spec": r.spec,
                    "agreed": p.agreed,
                    "purchased": p.purchased,
                    "completion": pct(p.completion),
                    "time_progress": pct(p.time_progress),
                    "status": p.status,
                }
            )
    completion = []
    for t in by_inst.values():
        done = t["purchased_amount"] / t["agreed_amount"] if t["agreed_amount"] else Decimal(1)
        completion.append(
            {
                **t,
                "agreed_amount": t["agreed_amount"].quantize(Decimal("0.01"), ROUND_HALF_UP),
                "purchased_amount": t["purchased_amount"].quantize(Decimal("0.01"), ROUND_HALF_UP),
                "completion": pct(done),
                "time_progress": pct(t["time_progress"]),
            }
        )
    late: dict[str, dict] = {}
    overdue = defaultdict(list)
    for inv in invoice_rows(Invoice.objects.filter(institution__in=institutions), as_of=as_of):
        if inv.payment.status not in (OVERDUE_UNPAID, OVERDUE_PAID):
            continue
        t = late.setdefault(
            inv.institution,
            {
                "institution": inv.institution,
                "institution_name": inv.institution_name,
                "invoices": 0,
                "late_amount": Decimal(0),
                "unpaid_amount": Decimal(0),
                "max_days_late": 0,
            },
        )
        t["invoices"] += 1
        t["late_amount"] += inv.payment.late_amount
        t["unpaid_amount"] += inv.amount - inv.payment.paid
        t["max_days_late"] = max(t["max_days_late"], inv.payment.days_late)
        overdue[inv.institution].append(inv.invoice_no)
    for code, t in late.items():
        t["invoice_numbers"] = "、".join(overdue[code][:10]) + ("……" if len(overdue[code]) > 10 else "")
    report_month = previous_month(month)
    status_rows, summary = region_status(institutions, report_month)
    missing = [
        {
            "institution": s.institution,
            "institution_name": s.institution_name,
            "region_name": s.region_name,
            "due_on": s.due_on,
            "timeliness": str(_("未报") if s.timeliness == NOT_SUBMITTED else _("逾期")),
            "status_text": s.status_text,
        }
        for s in status_rows
        if s.timeliness in (NOT_SUBMITTED, LATE)
    ]
    return plain(
        {
            "region": region.code,
            "region_name": region.name,
            "month": f"{month:%Y-%m}",
            "as_of": as_of,
            "report_month": f"{report_month:%Y-%m}",
            "title": _("%(region)s国家集中采购药品采购及回款情况通报（%(month)s）")
            % {"region": region.name, "month": f"{month.year}年{month.month}月"},
            "summary": {
                "institutions": len(completion),
                "lagging_institutions": sum(1 for t in completion if t["status"] in LAGGING_STATUSES),
                "late_payers": len(late),
                "late_amount": sum((t["late_amount"] for t in late.values()), Decimal(0)),
                "reports_expected": summary.expected,
                "reports_missing": summary.not_submitted,
                "reports_late": summary.late,
            },
            "completion": completion,
            "lagging": lagging,
            "late_payers": sorted(late.values(), key=lambda t: (-t["late_amount"], t["institution"])),
            "missing_reports": missing,
        }
    )


def bulletin_document(bulletin: Bulletin) -> dict:
    """A published bulletin's frozen content; a draft's, computed now."""
    if bulletin.status == Bulletin.Status.PUBLISHED:
        return bulletin.content
    return bulletin_content(bulletin.region, bulletin.month)


def _check_open(bulletin: Bulletin) -> None:
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise BulletinError(
            _(ALREADY_PUBLISHED)
            % {
                "region": bulletin.region.name,
                "month": f"{bulletin.month:%Y-%m}",
                "at": f"{timezone.localtime(bulletin.published_at):%Y-%m-%d %H:%M}",
            }
        )


@transaction.atomic
def draft_bulletin(*, region: Region, month: date, by) -> Bulletin:
    """The region's bulletin for `month`, as a draft (created on first use, its content refreshed)."""
    check_bureau_writer(by, region)
    month = first_of_month(month)
    bulletin = Bulletin.objects.select_for_update().filter(region=region, month=month).first()
    if bulletin is None:
        bulletin = Bulletin.objects.create(region=region, month=month, created_by=actor(by), created_at=timezone.now())
        record(actor(by), "bulletin.draft", bulletin, changes={"region": region.code, "month": f"{month:%Y-%m}"})
    _check_open(bulletin)
    bulletin.content = bulletin_content(region, month)
    bulletin.save(update_fields=["content"])
    return bulletin


@transaction.atomic
def publish_bulletin(*, bulletin: Bulletin, by, at=None) -> Bulletin:
    """Freeze the bulletin's content as computed now and publish it; it never changes again."""
    check_bureau_writer(by, bulletin.region)
    bulletin = Bulletin.objects.select_for_update().select_related("region").get(pk=bulletin.pk)
    _check_open(bulletin)
    bulletin.content = bulletin_content(bulletin.region, bulletin.month)
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_by = actor(by)
    bulletin.published_at = at or timezone.now()
    bulletin.save()
    record(actor(by), "bulletin.publish", bulletin, changes={"summary": bulletin.content["summary"]})
    return bulletin


COMPLETION_COLUMNS = [
    ("institution", gettext_lazy("机构编码"), 16),
    ("institution_name", gettext_lazy("医疗机构"), 30),
    ("awards", gettext_lazy("品种数"), 8),
    ("completed", gettext_lazy("已完成"), 8),
    ("lagging", gettext_lazy("滞后"), 8),
    ("severely_lagging", gettext_lazy("严重滞后"), 10),
    ("agreed_amount", gettext_lazy("约定采购金额（元）"), 16),
    ("completion", gettext_lazy("完成率（按金额）"), 12),
    ("time_progress", gettext_lazy("序时进度"), 10),
    ("status", gettext_lazy("最差状态"), 10),
]
LAGGING_COLUMNS = [
    ("institution", gettext_lazy("机构编码"), 16),
    ("institution_name", gettext_lazy("医疗机构"), 30),
    ("generic_name", gettext_lazy("药品通用名"), 20),
    ("spec", gettext_lazy("规格"), 10),
    ("agreed", gettext_lazy("约定采购量"), 12),
    ("purchased", gettext_lazy("已采购量"), 12),
    ("completion", gettext_lazy("完成率"), 10),
    ("time_progress", gettext_lazy("序时进度"), 10),
    ("status", gettext_lazy("状态"), 10),
]
LATE_COLUMNS = [
    ("institution", gettext_lazy("机构编码"), 16),
    ("institution_name", gettext_lazy("医疗机构"), 30),
    ("invoices", gettext_lazy("逾期发票数"), 10),
    ("late_amount", gettext_lazy("逾期金额（元）"), 14),
    ("unpaid_amount", gettext_lazy("尚未支付（元）"), 14),
    ("max_days_late", gettext_lazy("最长逾期天数"), 12),
    ("invoice_numbers", gettext_lazy("发票号"), 40),
]
MISSING_COLUMNS = [
    ("institution", gettext_lazy("机构编码"), 16),
    ("institution_name", gettext_lazy("医疗机构"), 30),
    ("region_name", gettext_lazy("区划"), 12),
    ("due_on", gettext_lazy("报送截止"), 12),
    ("timeliness", gettext_lazy("情况"), 8),
    ("status_text", gettext_lazy("月报表状态"), 12),
]


def write_bulletin_xlsx(content: dict, stream) -> None:
    title = content["title"]
    write_workbook(
        [
            Sheet(_("完成情况"), title, COMPLETION_COLUMNS, content["completion"]),
            Sheet(_("进度滞后"), title, LAGGING_COLUMNS, content["lagging"]),
            Sheet(_("逾期回款"), title, LATE_COLUMNS, content["late_payers"]),
            Sheet(
                _("月报表未报或逾期"),
                title,
                MISSING_COLUMNS,
                content["missing_reports"],
                note=_("数据月份 %(month)s 的月报表") % {"month": content["report_month"]},
            ),
        ],
        stream,
    )


def filename(content: dict, fmt: str) -> str:
    return f"{content['region_name']}通报_{content['month']}.{fmt}"
