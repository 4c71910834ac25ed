"""Who sees which reports: the institution its own, bureaus and health commissions their region and below,
companies none; another institution's report is a 404."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jicai.core.scoping import get_for_user
from jicai.reports.models import MonthlyReport, ReportRevision
from jicai.reports.services import report_for

D = date.fromisoformat


@pytest.fixture
def reports(world):
    return {
        code: report_for(institution=world.institutions[code], month=D("2020-09-01")) for code in ("H-A", "H-B", "H-W")
    }


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("admin", {"H-A", "H-B", "H-W"}),
        ("a_clerk", {"H-A"}),
        ("a_viewer", {"H-A"}),
        ("b_clerk", {"H-B"}),
        ("fl_bureau", {"H-A", "H-B"}),
        ("fl_health", {"H-A", "H-B"}),
        ("cq_bureau", {"H-A", "H-B", "H-W"}),
        ("wz_bureau", {"H-W"}),
        ("maker", set()),
    ],
)
def test_visible_to(world, reports, who, visible):
    user = world.users[who]
    assert {r.institution.code for r in MonthlyReport.objects.visible_to(user)} == visible
    assert set(ReportRevision.objects.visible_to(user)) == set()


@pytest.mark.parametrize("who", ["b_clerk", "wz_bureau", "maker"])
def test_another_institutions_report_is_a_404(world, reports, who):
    with pytest.raises(Http404):
        get_for_user(MonthlyReport.objects, world.users[who], pk=reports["H-A"].pk)


def test_visible_but_not_writable_is_a_403(world, reports):
    assert get_for_user(MonthlyReport.objects, world.users["a_viewer"], pk=reports["H-A"].pk)
    with pytest.raises(PermissionDenied):
        get_for_user(MonthlyReport.objects, world.users["a_viewer"], write=True, pk=reports["H-A"].pk)
