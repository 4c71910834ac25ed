"""The demo data set: loaded once for this module, through the importers, then rolled back."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from jicai.core import demo
from jicai.core.imports import KINDS, run_import
from jicai.monitoring.checks import run_checks
from jicai.monitoring.models import Warning
from jicai.orgs.models import Company, Institution, Membership, Region
from jicai.policy.rules.payment import NOT_DUE, OVERDUE_PAID, OVERDUE_UNPAID, PAID
from jicai.policy.rules.progress import STATUSES
from jicai.purchasing.models import Delivery, Invoice, Payment
from jicai.purchasing.payments import invoice_rows
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows

D = date.fromisoformat


pytestmark = pytest.mark.usefixtures("demo_db")


def test_shape(db):
    assert Institution.objects.count() >= 30
    assert set(Institution.objects.values_list("kind", flat=True)) == {k for k, _ in Institution.Kind.choices}
    for province in ("370000", "500000"):
        assert Region.objects.get(code=province).awards.count() >= 20
    # fictional and marked so
    assert all("演示数据" in n for n in Institution.objects.values_list("name", flat=True))
    assert all("演示数据" in n for n in Company.objects.values_list("name", flat=True))
    assert Region.objects.get(code="371002").effective_profile().code == "sd"
    assert Region.objects.get(code="500102").effective_profile().code == "cq"
    assert Delivery.objects.filter(quantity__lt=0).exists()  # returns
    assert Delivery.objects.filter(accepted_on__isnull=True).exists()  # in transit at the year's end
    assert Payment.objects.filter(payer="fund").exists()  # direct settlement


def test_every_progress_status_occurs(db):
    statuses = {r.progress.status for r in progress_rows(AgreedVolume.objects.all(), as_of=D("2020-12-31"))}
    assert statuses == set(STATUSES)


def test_every_payment_status_occurs(db):
    statuses = {r.payment.status for r in invoice_rows(Invoice.objects.all(), as_of=D("2021-04-14"))}
    assert statuses == {NOT_DUE, PAID, OVERDUE_UNPAID, OVERDUE_PAID}


def test_every_warning_occurs_and_a_second_run_adds_none(db):
    for code in ("370000", "500000"):
        run_checks(region=Region.objects.get(code=code), as_of=D("2020-12-31"))
    assert set(Warning.objects.values_list("kind", flat=True)) == {k for k, _ in Warning.Kind.choices}
    count = Warning.objects.count()
    run_checks(region=Region.objects.get(code="370000"), as_of=D("2020-12-31"))
    assert Warning.objects.count() == count


def test_users_for_every_role(db):
    members = Membership.objects.all()
    assert {m.role for m in members} == {r for r, _ in Membership.Role.choices}
    assert {m.body for m in members if m.region_id} == {"bureau", "health"}
    assert members.filter(institution__isnull=False).exists() and members.filter(company__isnull=False).exists()
    assert get_user_model().objects.filter(is_superuser=True).exists()
    assert get_user_model().objects.get(username="whsl_clerk").check_password(demo.PASSWORD)


def test_reimporting_the_demo_changes_nothing(db):
    rows = demo.build().rows
    for kind in KINDS:
        result = run_import(kind, rows.get(kind, []))
        assert (result.created, result.updated, result.errors) == (0, 0, []), kind
