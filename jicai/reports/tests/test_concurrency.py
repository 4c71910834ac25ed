"""Two people submitting the same report at the same moment produce exactly one revision (PostgreSQL: real row
locks between two connections; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from jicai.reports.models import MonthlyReport, ReportRevision
from jicai.reports.services import ReportError, report_for, save_draft, submit_report
from jicai.reports.tests.conftest import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two connections with row locks"),
]
AT = datetime(2020, 10, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("expected_revision", [0, None])
def test_two_submissions_at_once_write_one_revision(expected_revision):
    world = build_world()
    report = report_for(institution=world.institutions["H-B"], month=date(2020, 9, 1))
    save_draft(report=report, by=world.users["b_clerk"], preparer="张三", phone="1")
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            outcomes.append(
                submit_report(
                    report=report, by=world.users["b_clerk"], expected_revision=expected_revision, at=AT
                ).number
            )
        except ReportError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ReportRevision.objects.filter(report=report).count() == 1
    assert MonthlyReport.objects.get(pk=report.pk).revision == 1
    if expected_revision is None:
        assert outcomes == [1, 1]  # the second sees an identical submission and writes nothing
    else:
        assert sorted(outcomes, key=str)[0] == 1 and "已被他人提交" in str(outcomes)
