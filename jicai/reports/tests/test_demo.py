"""The demo's 涪陵 reports (jicai.reports.demo): every case of the bureau's status page occurs."""

from datetime import date

import pytest

from jicai.orgs.models import Institution
from jicai.reports.models import MonthlyReport, ReportReview
from jicai.reports.status import LATE, NOT_SUBMITTED, ON_TIME, region_status

D = date.fromisoformat


pytestmark = pytest.mark.usefixtures("demo_db")


def test_september_2020_in_fuling(db):
    rows, summary = region_status(Institution.objects.filter(region__code="500102"), D("2020-09-01"))
    by_code = {r.institution: r.timeliness for r in rows}
    assert by_code["H50010200002"] == LATE
    assert by_code["H50010200001"] == ON_TIME
    assert {ON_TIME, LATE, NOT_SUBMITTED} == set(by_code.values())
    assert (summary.expected, summary.on_time, summary.late) == (12, 4, 1)


def test_returned_and_resubmitted(db):
    report = MonthlyReport.objects.get(institution__code="H50010200003", month=D("2020-08-01"))
    assert (report.status, report.revision) == ("accepted", 2)
    assert list(ReportReview.objects.filter(report=report).values_list("decision", flat=True)) == [
        "returned",
        "accepted",
    ]
    assert MonthlyReport.objects.filter(month=D("2020-12-01"), status="submitted").count() == 5
