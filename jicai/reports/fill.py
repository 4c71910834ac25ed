"""Filling the monthly report from the records (SPEC §4.7), for one institution or a whole city at once.

Set-based: the agreed volumes and purchases come from `jicai.volumes.progress.progress_rows`, the invoices' due
dates and payments from `jicai.purchasing.payments.invoice_rows`; a dozen queries in all, however many
institutions are filled. The result is a plain JSON-ready document per institution: the one row source of the
screen, the CLI, the frozen revision and the CSV, JSON and XLSX files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from jicai.catalog.models import Award
from jicai.core.bulk import chunks
from jicai.orgs.models import Institution, Region
from jicai.policy.calendar import work_calendar
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.days import WorkCalendar, month_end
from jicai.policy.rules.progress import wan
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import unpaid_invoices
from jicai.reports.models import MonthlyReport
from jicai.reports.rules import first_of_month, report_due_on, report_lock_on
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows

NOT_YET_DUE = "未到付款期"  # the one reason the system computes; every other reason is the institution's
YES, NO = "是", "否"


def title(region_name: str) -> str:
    return _("%(region)s国家集中采购药品采购及回款进度月报表") % {"region": region_name}


@dataclass
class Dates:
    due_on: date
    lock_on: date
    due_day: int


def report_dates(institutions: list[Institution], month: date, calendar: WorkCalendar) -> dict[int, Dates]:
    """Institution id → the due and lock dates of its report for `month`, under its region's profile."""
    profile_of_region = Region.objects.profile_map()
    profiles = {p.pk: p for p in PolicyProfile.objects.all()}
    default = PolicyProfile()
    result = {}
    for inst in institutions:
        profile = profiles.get(profile_of_region.get(inst.region_id), default)
        civil = profile.day_counting == PolicyProfile.DayCounting.CIVIL_CODE
        result[inst.pk] = Dates(
            due_on=report_due_on(month, profile.report_due_day, calendar if civil else None),
            lock_on=report_lock_on(month, profile.report_lock_days),
            due_day=profile.report_due_day,
        )
    return result


def remarks(unpaid: list[dict]) -> str:
    # Translated once per row, not per invoice: a province's report has a million unpaid invoices, and gettext
    # for each took a fifth of the export.
    remark, no_reason = _("发票%(no)s，确认时间%(on)s，未回款%(unpaid)s元，原因：%(reason)s"), _("（未填写原因）")
    return "；".join(
        remark
        % {
            "no": item["invoice_no"],
            "on": item["confirmed_on"],
            "unpaid": item["unpaid"],
            "reason": item["reason"] or no_reason,
        }
        for item in unpaid
    )


def fill(
    institutions,
    month: date,
    *,
    reports: dict[int, MonthlyReport] | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[int, dict]:
    """Institution id → the report document for data month `month` (any day of it), computed from the records.

    `institutions` is an Institution queryset, already scoped. `reports` (institution id → MonthlyReport) supply
    what the institution entered (reasons, signatures); by default they are read in one query.
    """
    month = first_of_month(month)
    end = month_end(month.year, month.month)
    insts = list(institutions.select_related("region").order_by("code"))
    ids = [i.pk for i in insts]
    calendar = calendar or work_calendar()
    if reports is None:
        reports = {r.institution_id: r for r in MonthlyReport.objects.filter(institution_id__in=ids, month=month)}
    dates = report_dates(insts, month, calendar)

    # Agreed volume and cumulative purchases in the agreement year that contains the month's last day.
    progress = progress_rows(AgreedVolume.objects.filter(institution_id__in=ids), as_of=end)
    awards = {
        a.pk: a
        for a in Award.objects.filter(pk__in={p.award_id for p in progress}).select_related("product__manufacturer")
    }

    # Invoices confirmed by the month's end and not fully paid by then, with their due dates, once per product they
    # deliver: one query over the stored deadlines (jicai.purchasing.due), as the dashboard reads them.
    unpaid_by: dict[tuple[int, int], list] = defaultdict(list)  # (institution, product) → invoice rows
    invoices = Invoice.objects.filter(institution_id__in=ids, confirmed_on__lte=end)
    for r in unpaid_invoices(invoices, as_of=end, by_product=True):
        unpaid_by[(r.institution_id, r.product_id)].append(r)

    rows_of: dict[int, list[dict]] = defaultdict(list)
    for p in progress:
        award = awards[p.award_id]
        product = award.product
        report = reports.get(p.institution_id)
        reasons = report.reasons if report else {}
        unpaid = []
        for r in sorted(unpaid_by[(p.institution_id, product.pk)], key=lambda r: (r.confirmed_on, r.invoice_no)):
            not_due = r.due_on is None or r.due_on > end
            unpaid.append(
                {
                    "invoice_no": r.invoice_no,
                    "confirmed_on": r.confirmed_on.isoformat(),
                    "amount": str(r.amount),
                    "unpaid": str(r.outstanding),
                    "due_on": r.due_on.isoformat() if r.due_on else None,
                    "reason": NOT_YET_DUE if not_due else reasons.get(r.invoice_no, ""),
                    "computed": not_due,
                }
            )
        rows_of[p.institution_id].append(
            {
                "award_id": award.pk,
                "product": product.code,
                "generic_name": product.generic_name,
                "dosage_form": product.dosage_form,
                "spec": product.spec,
                "manufacturer": product.manufacturer.name,
                "unit": product.unit,
                "year_no": p.year_no,
                "agreed": p.progress.agreed,
                "purchased": p.progress.purchased,
                "agreed_wan": wan(p.progress.agreed),
                "purchased_wan": wan(p.progress.purchased),
                "fully_paid": not unpaid,
                "fully_paid_text": YES if not unpaid else NO,
                "remarks": remarks(unpaid),
                "unpaid_invoices": unpaid,
            }
        )

    documents = {}
    for inst in insts:
        rows = sorted(rows_of[inst.pk], key=lambda r: (r["generic_name"], r["spec"], r["product"]))
        for seq, row in enumerate(rows, start=1):
            row["seq"] = seq
        report = reports.get(inst.pk)
        d = dates[inst.pk]
        documents[inst.pk] = {
            "institution": inst.code,
            "institution_name": inst.name,
            "region": inst.region.code,
            "region_name": inst.region.name,
            "title": title(inst.region.name),
            "month": f"{month:%Y-%m}",
            "as_of": end.isoformat(),
            "due_on": d.due_on.isoformat(),
            "lock_on": d.lock_on.isoformat(),
            "due_day": d.due_day,
            "status": report.status if report else MonthlyReport.Status.DRAFT.value,
            "revision": report.revision if report else 0,
            "leader": report.leader if report else "",
            "preparer": report.preparer if report else "",
            "prepared_on": report.prepared_on.isoformat() if report and report.prepared_on else "",
            "phone": report.phone if report else "",
            "rows": rows,
        }
    return documents


def fill_groups(institutions, month: date, *, size: int = 500) -> Iterator[dict]:
    """The documents of `fill` in institution code order, filled `size` institutions at a time: a region's file
    is written as they come, so only one group's documents are in memory, not the whole province's."""
    ids = list(institutions.order_by("code").values_list("pk", flat=True))
    calendar = work_calendar()
    for group in chunks(ids, size):
        yield from fill(Institution.objects.filter(pk__in=group), month, calendar=calendar).values()


def missing_reasons(document: dict) -> list[str]:
    """Invoice numbers that are overdue at the month's end and still lack the institution's reason."""
    return sorted(
        {
            item["invoice_no"]
            for row in document["rows"]
            for item in row["unpaid_invoices"]
            if not item["computed"] and not item["reason"].strip()
        }
    )
