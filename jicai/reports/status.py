"""Who has reported for a month (SPEC §4.7): on time, late or not at all, and the completeness and timeliness
rates as DHIS2 reports them. Set-based: a handful of queries for a whole region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jicai.orgs.models import Institution
from jicai.policy.calendar import work_calendar
from jicai.reports.fill import report_dates
from jicai.reports.models import MonthlyReport
from jicai.reports.rules import first_of_month, is_on_time, rate

ON_TIME, LATE, NOT_SUBMITTED = "on_time", "late", "not_submitted"
TIMELINESS = {ON_TIME: _("按时"), LATE: _("逾期"), NOT_SUBMITTED: _("未报")}


@dataclass(frozen=True)
class StatusRow:
    institution_id: int
    institution: str
    institution_name: str
    region_name: str
    report_id: int | None
    status: str  # draft / submitted / accepted / returned, "" when no report exists
    status_text: str
    revision: int
    due_on: date
    lock_on: date
    first_submitted_at: datetime | None
    timeliness: str  # ON_TIME / LATE / NOT_SUBMITTED


@dataclass(frozen=True)
class Summary:
    expected: int
    submitted: int
    on_time: int
    late: int
    not_submitted: int
    completeness: object  # Decimal percentage, or None when nothing is expected
    timeliness: object


def must_report(institutions):
    """Institutions that take part (mandatory or voluntary) report every month, with or without agreed volume."""
    return institutions.exclude(participation=Institution.Participation.NONE)


def region_status(institutions, month: date) -> tuple[list[StatusRow], Summary]:
    """`institutions`: an Institution queryset, already scoped (a region and below)."""
    month = first_of_month(month)
    insts = list(must_report(institutions).select_related("region").order_by("region__path", "code"))
    reports = {
        r.institution_id: r
        for r in MonthlyReport.objects.filter(institution__in=[i.pk for i in insts], month=month).only(
            "id", "institution_id", "status", "revision", "first_submitted_at"
        )
    }
    dates = report_dates(insts, month, work_calendar())
    statuses = dict(MonthlyReport.Status.choices)
    rows = []
    for inst in insts:
        report = reports.get(inst.pk)
        d = dates[inst.pk]
        first = report.first_submitted_at if report else None
        if first is None:
            timeliness = NOT_SUBMITTED
        else:
            timeliness = ON_TIME if is_on_time(timezone.localdate(first), d.due_on) else LATE
        rows.append(
            StatusRow(
                institution_id=inst.pk,
                institution=inst.code,
                institution_name=inst.name,
                region_name=inst.region.name,
                report_id=report.pk if report else None,
                status=report.status if report else "",
                status_text=str(statuses[report.status]) if report else str(_("未填报")),
                revision=report.revision if report else 0,
                due_on=d.due_on,
                lock_on=d.lock_on,
                first_submitted_at=first,
                timeliness=timeliness,
            )
        )
    expected = len(rows)
    on_time = sum(r.timeliness == ON_TIME for r in rows)
    late = sum(r.timeliness == LATE for r in rows)
    summary = Summary(
        expected=expected,
        submitted=on_time + late,
        on_time=on_time,
        late=late,
        not_submitted=expected - on_time - late,
        completeness=rate(on_time + late, expected),
        timeliness=rate(on_time, expected),
    )
    return rows, summary
