"""What `jicai tick` does on a day (SPEC §6: scheduled jobs as idempotent services behind a thin command).

- checks, every day: `run_checks` for every province as of the day (warnings open, refresh, close).
- report_reminders, in the `REPORT_REMINDER_WORKING_DAYS` working days before a report's due date and on it: a
  reminder (in the system, and by e-mail where the institution has an address) to each institution that has not
  submitted last month's report and has not yet been reminded of it by the system.
- supply_reminders, on Fridays: `jicai.supply.services.remind_missing_checks(on=day)` (the weekly supply check).
- quarterly_audit, every day: the payment audit of the quarter that ended last, for each province without one.

Each job done for a day is stored as a `JobRun`; a second tick for the same day skips it, and every job is also
idempotent by its data (a warning opens once, an institution is reminded once per report, an audit is run once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jicai.monitoring.models import JobRun
from jicai.orgs.models import Institution, Region

REPORT_REMINDER_WORKING_DAYS = 3
SUPPLY_CHECK_WEEKDAY = 4  # Friday: whoever has not checked this week is reminded while the week is still open

DONE, ALREADY, NOT_DUE = "done", "already", "not_due"
STATUS_TEXT = {DONE: gettext_noop("已完成"), ALREADY: gettext_noop("今日已运行"), NOT_DUE: gettext_noop("今日无需运行")}


def system_user():
    """The scheduler acts as the system: allowed everything, signed in as nobody, so that no row and no audit
    entry names a user."""
    from django.contrib.auth.models import AnonymousUser

    class System(AnonymousUser):
        is_superuser = True
        username = "system"

    return System()


def provinces():
    return Region.objects.filter(parent__isnull=True).order_by("code")


def run_daily_checks(on: date) -> dict:
    from jicai.monitoring.checks import run_checks

    result = {}
    for province in provinces():
        s = run_checks(region=province, as_of=on)
        result[province.code] = {
            "opened": sum(s.opened.values()),
            "still_open": sum(s.still_open.values()),
            "closed": sum(s.closed.values()),
        }
    return result


def reminder_window_start(due_on: date, calendar) -> date:
    """The first day reminders go out: `REPORT_REMINDER_WORKING_DAYS` working days before the due date."""
    day, left = due_on, REPORT_REMINDER_WORKING_DAYS
    while left:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


def send_report_reminders(on: date) -> dict:
    """Remind institutions that have not submitted last month's report, in the days before it is due."""
    from jicai.policy.calendar import work_calendar
    from jicai.reports.models import ReportReminder
    from jicai.reports.rules import first_of_month
    from jicai.reports.services import remind
    from jicai.reports.status import NOT_SUBMITTED, region_status

    month = first_of_month(first_of_month(on) - timedelta(days=1))
    calendar = work_calendar()
    reminded = set(ReportReminder.objects.filter(month=month, by__isnull=True).values_list("institution_id", flat=True))
    due: dict[int, date] = {}
    for province in provinces():
        rows, _summary = region_status(Institution.objects.filter(region__path__startswith=province.path), month)
        for r in rows:
            if r.timeliness != NOT_SUBMITTED or r.institution_id in reminded or on > r.due_on:
                continue
            if on >= reminder_window_start(r.due_on, calendar):
                due[r.institution_id] = r.due_on
    targets = list(Institution.objects.filter(pk__in=due).select_related("region").order_by("code"))
    sent = remind(institutions=targets, month=month, by=system_user(), due_on=due) if targets else 0
    return {"month": f"{month:%Y-%m}", "reminded": sent, "institutions": [i.code for i in targets]}


def send_supply_reminders(on: date) -> dict:
    from jicai.supply.services import remind_missing_checks

    return {"reminded": remind_missing_checks(on=on)}


def run_quarterly_audits(on: date) -> dict:
    from jicai.reports.audits import previous_quarter, run_audit
    from jicai.reports.models import PaymentAudit

    year, quarter = previous_quarter(on)
    created = []
    for province in provinces():
        _audit, new = run_audit(
            region=province, year=year, quarter=quarter, by=system_user(), source=PaymentAudit.Source.TICK, today=on
        )
        if new:
            created.append(province.code)
    return {"quarter": f"{year}Q{quarter}", "created": created}


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    due: Callable[[date], bool]
    run: Callable[[date], dict]


JOBS = [
    Job("checks", gettext_noop("监测检查"), lambda on: True, run_daily_checks),
    Job("report_reminders", gettext_noop("月报表催报"), lambda on: True, send_report_reminders),
    Job(
        "supply_reminders",
        gettext_noop("每周供应检查提醒"),
        lambda on: on.weekday() == SUPPLY_CHECK_WEEKDAY,
        send_supply_reminders,
    ),
    Job("quarterly_audit", gettext_noop("季度回款排查"), lambda on: True, run_quarterly_audits),
]


def tick(*, on: date, jobs: list[Job] | None = None) -> list[dict]:
    """Do what is due on `on`; a job already done for that day is skipped. One row per job."""
    out = []
    for job in jobs or JOBS:
        row = {"job": job.name, "label": _(job.label), "result": {}}
        if not job.due(on):
            row["status"] = NOT_DUE
        elif JobRun.objects.filter(job=job.name, on=on).exists():
            row["status"] = ALREADY
            row["result"] = JobRun.objects.get(job=job.name, on=on).result
        else:
            try:
                with transaction.atomic():
                    result = job.run(on)
                    JobRun.objects.create(job=job.name, on=on, result=result)
            except IntegrityError:  # another tick for the same day finished it first
                row["status"] = ALREADY
            else:
                row["status"], row["result"] = DONE, result
        row["status_text"] = _(STATUS_TEXT[row["status"]])
        out.append(row)
    return out
