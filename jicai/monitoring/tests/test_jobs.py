"""jicai tick: what is due on a day, done once; a second tick for the same day does nothing new."""

import json
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from jicai.monitoring.jobs import ALREADY, DONE, JOBS, NOT_DUE, reminder_window_start, tick
from jicai.monitoring.models import JobRun, Warning
from jicai.monitoring.tests.ledger_world import build
from jicai.reports.models import PaymentAudit, ReportReminder

D = date.fromisoformat
WITHOUT_SUPPLY = [j for j in JOBS if j.name != "supply_reminders"]


@pytest.fixture
def w(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build()


def _state():
    return (
        ReportReminder.objects.count(),
        PaymentAudit.objects.count(),
        Warning.objects.count(),
        sorted(Warning.objects.values_list("id", "last_seen", "closed_on")),
    )


def test_the_reminder_window_counts_working_days_back_from_the_due_date(calendar):
    # December 2020's report is due 2021-01-11 (the 10th is a Sunday); three working days before: 01-06.
    assert reminder_window_start(D("2021-01-11"), calendar) == D("2021-01-06")
    # September 2020's is due on the make-up Saturday 2020-10-10; the holidays 10-01…10-08 do not count:
    # 10-09, 09-30, 09-29.
    assert reminder_window_start(D("2020-10-10"), calendar) == D("2020-09-29")


def test_tick_does_what_is_due_and_a_second_tick_nothing_new(w):
    rows = {r["job"]: r for r in tick(on=D("2021-01-06"), jobs=WITHOUT_SUPPLY)}
    assert {r["status"] for r in rows.values()} == {DONE}
    # Every institution that must report and has not submitted December's report is reminded once.
    assert rows["report_reminders"]["result"]["institutions"] == ["A", "B", "C", "D", "E"]
    assert set(ReportReminder.objects.values_list("month", flat=True)) == {D("2020-12-01")}
    assert [m.to for m in mail.outbox] == [["e@example.org"]]  # only E has an address
    assert sorted(rows["quarterly_audit"]["result"]["created"]) == ["370000", "500000"]
    assert set(PaymentAudit.objects.values_list("year", "quarter", "source")) == {(2020, 4, "tick")}
    assert Warning.objects.filter(closed_on__isnull=True).exists()  # C lags and paid late
    before = _state()

    again = tick(on=D("2021-01-06"), jobs=WITHOUT_SUPPLY)
    assert {r["status"] for r in again} == {ALREADY}
    assert _state() == before and len(mail.outbox) == 1

    # Even without the day's records every job is idempotent by its data.
    JobRun.objects.all().delete()
    tick(on=D("2021-01-06"), jobs=WITHOUT_SUPPLY)
    assert _state() == before and len(mail.outbox) == 1


def test_no_reminder_before_the_window_and_none_to_who_submitted(w):
    rows = {r["job"]: r for r in tick(on=D("2021-01-05"), jobs=WITHOUT_SUPPLY)}
    assert rows["report_reminders"]["result"]["reminded"] == 0
    from jicai.reports.models import MonthlyReport

    MonthlyReport.objects.create(
        institution=w.institutions["A"],
        month=D("2020-12-01"),
        status="submitted",
        revision=1,
        first_submitted_at="2021-01-05T02:00:00Z",
    )
    rows = {r["job"]: r for r in tick(on=D("2021-01-07"), jobs=WITHOUT_SUPPLY)}
    assert rows["report_reminders"]["result"]["institutions"] == ["B", "C", "D", "E"]
    # After the due date the scheduler leaves the laggards to the bureau (and the bulletin).
    rows = {r["job"]: r for r in tick(on=D("2021-01-12"), jobs=WITHOUT_SUPPLY)}
    assert rows["report_reminders"]["result"]["reminded"] == 0


def test_weekly_supply_reminders_only_on_fridays(w):
    rows = {r["job"]: r for r in tick(on=D("2021-01-06"))}
    assert rows["supply_reminders"]["status"] == NOT_DUE


def test_weekly_supply_reminders_run_on_friday(w):
    rows = {r["job"]: r for r in tick(on=D("2021-01-08"))}
    assert rows["supply_reminders"]["status"] == DONE
    assert isinstance(rows["supply_reminders"]["result"]["reminded"], int)
    again = {r["job"]: r for r in tick(on=D("2021-01-08"))}
    assert again["supply_reminders"]["status"] == ALREADY


def test_tick_command_json(w, capsys):
    call_command("tick", "--date", "2021-01-06", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert out["date"] == "2021-01-06"
    assert [j["job"] for j in out["jobs"]] == ["checks", "report_reminders", "supply_reminders", "quarterly_audit"]
