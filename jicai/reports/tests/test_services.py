"""Submit, revise, accept and return (SPEC §4.7): a submitted revision is frozen; a correction is a new one."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from jicai.core.models import AuditEvent
from jicai.core.testing import make_purchase
from jicai.reports.models import MonthlyReport, ReportReview, ReportRevision
from jicai.reports.services import (
    ReportError,
    diff_rows,
    reopen_report,
    report_for,
    review_report,
    save_draft,
    submit_report,
)

D = date.fromisoformat
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def report(world):
    report = report_for(institution=world.institutions["H-A"], month=D("2020-09-15"))
    return save_draft(
        report=report,
        by=world.users["a_clerk"],
        leader="李四",
        preparer="张三",
        prepared_on=D("2020-10-09"),
        phone="023-72220000",
        reasons={world.invoices["overdue"].invoice_no: "发票金额有误，待企业重开"},
    )


def test_submit_freezes_the_rows(world, report):
    revision = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-10 23:30"))
    report.refresh_from_db()
    assert (report.status, report.revision, revision.number, revision.on_time) == ("submitted", 1, 1, True)
    assert revision.rows[0]["purchased_wan"] == "1.3200"
    assert (revision.leader, revision.preparer, revision.phone) == ("李四", "张三", "023-72220000")
    # A record that changes afterwards leaves the frozen revision as it was.
    make_purchase(
        world.institutions["H-A"],
        world.product,
        world.invoices["paid"].supplier,
        quantity=800,
        accepted=D("2020-09-30"),
    )
    revision.refresh_from_db()
    assert revision.rows[0]["purchased_wan"] == "1.3200"
    assert AuditEvent.objects.filter(action="report.submit", key=str(report.pk)).count() == 1


def test_late_after_the_due_date(world, report):
    revision = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-11 00:05"))
    assert revision.on_time is False


def test_an_identical_second_submission_writes_nothing(world, report):
    first = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-09 10:00"))
    second = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-09 10:00"))
    assert first.pk == second.pk and ReportRevision.objects.count() == 1


def test_a_stale_submission_is_refused(world, report):
    submit_report(report=report, by=world.users["a_clerk"], expected_revision=0, at=at("2020-10-09 10:00"))
    with pytest.raises(ReportError, match="已被他人提交"):
        submit_report(report=report, by=world.users["a_clerk"], expected_revision=0, at=at("2020-10-09 10:00"))
    assert ReportRevision.objects.count() == 1


def test_a_correction_is_a_new_revision_with_a_diff(world, report):
    first = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-09 10:00"))
    make_purchase(
        world.institutions["H-A"],
        world.product,
        world.invoices["paid"].supplier,
        quantity=800,
        accepted=D("2020-09-30"),
    )
    second = submit_report(report=report, by=world.users["a_clerk"], expected_revision=1, at=at("2020-10-12 10:00"))
    assert second.number == 2 and second.on_time is False
    first.refresh_from_db()
    assert first.rows[0]["purchased_wan"] == "1.3200"
    [change] = diff_rows(first.rows, second.rows)
    assert change["fields"] == {"purchased_wan": ("1.3200", "1.4000")}
    report.refresh_from_db()
    assert report.first_submitted_at == at("2020-10-09 10:00")


def test_an_overdue_invoice_needs_a_reason(world):
    report = report_for(institution=world.institutions["H-A"], month=D("2020-09-01"))
    save_draft(report=report, by=world.users["a_clerk"], preparer="张三", phone="1")
    with pytest.raises(ReportError, match=world.invoices["overdue"].invoice_no):
        submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-09 10:00"))
    assert not ReportRevision.objects.exists()


def test_signature_is_required(world):
    report = report_for(institution=world.institutions["H-B"], month=D("2020-09-01"))
    with pytest.raises(ReportError, match="填表人"):
        submit_report(report=report, by=world.users["b_clerk"], at=at("2020-10-09 10:00"))


def test_locked_after_the_lock_date_until_reopened(world, report):
    with pytest.raises(ReportError, match="2020-10-20"):
        submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-21 09:00"))
    reopen_report(report=report, by=world.users["fl_bureau"], comment="系统故障，准予补报")
    report.refresh_from_db()
    revision = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-21 09:00"))
    assert revision.on_time is False
    report.refresh_from_db()
    assert report.reopened is False  # reopened for one submission


def test_accept_and_return(world, report):
    submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-09 10:00"))
    with pytest.raises(ReportError, match="意见"):
        review_report(report=report, by=world.users["fl_bureau"], accept=False, comment=" ")
    review_report(report=report, by=world.users["fl_bureau"], accept=False, comment="已采购量与平台不符，请核对")
    report.refresh_from_db()
    assert report.status == "returned"
    revision = submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-25 10:00"))  # after the lock
    assert revision.number == 2
    review_report(report=report, by=world.users["cq_bureau"], accept=True)
    report.refresh_from_db()
    assert report.status == "accepted"
    with pytest.raises(ReportError, match="已验收"):
        submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-26 10:00"))
    assert list(ReportReview.objects.values_list("decision", "revision")) == [("returned", 1), ("accepted", 2)]


@pytest.mark.parametrize("who", ["a_viewer", "b_clerk", "fl_bureau", "maker"])
def test_only_the_institutions_writers_fill_and_submit(world, report, who):
    with pytest.raises(PermissionDenied):
        save_draft(report=report, by=world.users[who], leader="X")
    with pytest.raises(PermissionDenied):
        submit_report(report=report, by=world.users[who], at=at("2020-10-09 10:00"))
    report.refresh_from_db()
    assert (report.leader, report.status) == ("李四", MonthlyReport.Status.DRAFT)


@pytest.mark.parametrize("who", ["a_clerk", "fl_health", "wz_bureau", "maker"])
def test_only_the_bureau_above_reviews(world, report, who):
    submit_report(report=report, by=world.users["a_clerk"], at=at("2020-10-09 10:00"))
    with pytest.raises(PermissionDenied):
        review_report(report=report, by=world.users[who], accept=True)
    report.refresh_from_db()
    assert report.status == "submitted" and not ReportReview.objects.exists()
