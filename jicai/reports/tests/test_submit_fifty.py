"""Fifty people submitting one monthly report at the same moment: one revision, one audit row, and every caller
gets an answer (PostgreSQL: fifty connections and real row locks; SQLite serialises writers, see below)."""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from jicai.core.models import AuditEvent
from jicai.reports.models import MonthlyReport, ReportRevision
from jicai.reports.services import CONFLICT, ReportError, report_for, save_draft, submit_report
from jicai.reports.tests.conftest import build_world

THREADS = 50
AT = datetime(2020, 10, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="fifty threads need fifty connections with row locks: PostgreSQL only (SQLite's test database is "
        "one in-memory file that serialises writers; test_concurrency covers the logic)",
    ),
]


def _at_once(report, clerk, expected_revision) -> list:
    """Fifty threads submit `report` as `clerk` at the same moment; every outcome, and no crash."""
    barrier = threading.Barrier(THREADS)
    outcomes: list = []
    crashes: list = []

    def submit():
        try:
            barrier.wait()
            revision = submit_report(report=report, by=clerk, expected_revision=expected_revision, at=AT)
            outcomes.append(revision.number)
        except ReportError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # anything else is what the test is about: a caller must never see it
            crashes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert crashes == []
    assert len(outcomes) == THREADS
    return outcomes


def test_fifty_submissions_at_once_give_one_revision_and_an_answer_to_everyone():
    world = build_world()
    report = report_for(institution=world.institutions["H-B"], month=date(2020, 9, 1))
    clerk = world.users["b_clerk"]
    save_draft(report=report, by=clerk, preparer="张三", phone="023-0000")

    # Fifty presses of "submit" on the same draft: one revision; everyone is told it is revision 1.
    assert _at_once(report, clerk, None) == [1] * THREADS
    assert ReportRevision.objects.filter(report=report).count() == 1
    assert AuditEvent.objects.filter(action="report.submit", key=str(report.pk)).count() == 1

    # Fifty people correcting revision 1 at once: one writes revision 2, the others are told someone did.
    save_draft(report=report, by=clerk, preparer="李四", phone="023-0000")
    outcomes = _at_once(report, clerk, 1)
    assert outcomes.count(2) == 1
    assert set(outcomes) - {2} == {CONFLICT % {"revision": 2}}
    assert list(ReportRevision.objects.filter(report=report).values_list("number", flat=True).order_by("number")) == [
        1,
        2,
    ]
    assert MonthlyReport.objects.get(pk=report.pk).revision == 2
    assert AuditEvent.objects.filter(action="report.submit", key=str(report.pk)).count() == 2
