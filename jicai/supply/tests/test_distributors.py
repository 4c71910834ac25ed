"""Distributors are named by the manufacturer (or a bureau), never by an institution; a delivery by a distributor
not named for the institution's region raises a warning (SPEC §4.13)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from jicai.catalog.models import AwardDistributor
from jicai.catalog.services import DistributorError, name_distributor, remove_distributor
from jicai.core.models import AuditEvent
from jicai.core.testing import make_purchase
from jicai.monitoring.checks import distributor_findings, run_checks
from jicai.monitoring.models import Warning
from jicai.orgs.models import Institution


@pytest.fixture
def w(world, db):
    return world


def test_the_manufacturer_names_and_removes_a_distributor_for_its_award(w):
    o, m1 = w.o, w.users["m1"]
    named = name_distributor(award=o["sd1"], region=o["wh"], distributor=o["dist"], by=m1)
    assert AwardDistributor.objects.filter(award=o["sd1"], region=o["wh"], distributor=o["dist"]).exists()
    assert AuditEvent.objects.filter(action="catalog.distributor.name", key=str(named.pk)).count() == 1
    remove_distributor(named=named, by=m1)
    assert not AwardDistributor.objects.exists()
    assert AuditEvent.objects.filter(action="catalog.distributor.remove").count() == 1


@pytest.mark.parametrize("who", ["a_clerk", "a_viewer", "m2", "dist", "wh_health", "wh_viewer", "jn_bureau"])
def test_institutions_other_companies_and_other_regions_cannot_name(w, who):
    o = w.o
    with pytest.raises(PermissionDenied):
        name_distributor(award=o["sd1"], region=o["hc"], distributor=o["dist"], by=w.users[who])
    assert not AwardDistributor.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["a_clerk", "m2", "jn_bureau", "wh_health"])
def test_they_cannot_remove_one_either(w, who):
    named = name_distributor(award=w.o["sd1"], region=w.o["hc"], distributor=w.o["dist"], by=w.users["m1"])
    with pytest.raises(PermissionDenied):
        remove_distributor(named=named, by=w.users[who])
    assert AwardDistributor.objects.filter(pk=named.pk).exists()


def test_a_bureau_names_for_its_region_and_below(w):
    o = w.o
    name_distributor(award=o["sd2"], region=o["hc"], distributor=o["dist"], by=w.users["wh_bureau"])
    with pytest.raises(PermissionDenied):
        name_distributor(award=o["sd2"], region=o["jn"], distributor=o["dist"], by=w.users["wh_bureau"])
    assert AwardDistributor.objects.count() == 1


def test_bad_namings_are_refused(w):
    o, m1 = w.o, w.users["m1"]
    with pytest.raises(DistributorError, match="不是配送企业"):
        name_distributor(award=o["sd1"], region=o["wh"], distributor=o["m2"], by=m1)
    with pytest.raises(DistributorError, match="不在该中选药品的供应省份内"):
        name_distributor(award=o["sd1"], region=o["fl"], distributor=o["dist"], by=m1)
    name_distributor(award=o["sd1"], region=o["wh"], distributor=o["dist"], by=m1)
    with pytest.raises(DistributorError, match="已是"):
        name_distributor(award=o["sd1"], region=o["wh"], distributor=o["dist"], by=m1)
    assert AwardDistributor.objects.count() == 1


def test_a_delivery_by_a_distributor_not_named_for_the_region_is_a_warning(w):
    """The existing check (jicai.monitoring.checks.distributor_findings) against namings made by the service."""
    o, m1 = w.o, w.users["m1"]
    day = w.today - timedelta(days=30)
    name_distributor(award=o["sd1"], region=o["wh"], distributor=o["dist"], by=m1)  # 威海 and every district below
    name_distributor(award=o["sd1"], region=o["jn"], distributor=o["dist2"], by=m1)  # 济南 only
    make_purchase(o["a"], o["p1"], o["dist"], quantity=100, accepted=day)  # named for 威海: fine
    make_purchase(o["a2"], o["p1"], o["dist2"], quantity=100, accepted=day)  # named for 济南 only: a warning
    make_purchase(o["a2"], o["p1"], o["m1"], quantity=100, accepted=day)  # the manufacturer itself, unnamed
    findings = list(distributor_findings(Institution.objects.all(), w.today))
    assert sorted((f.institution_id, f.figures["distributor"]) for f in findings) == sorted(
        [(o["a2"].pk, o["dist2"].name), (o["a2"].pk, o["m1"].name)]
    )
    assert {f.kind for f in findings} == {Warning.Kind.UNNAMED_DISTRIBUTOR}

    # Once the manufacturer withdraws 威海's distributor, its deliveries there are warned about too.
    remove_distributor(named=AwardDistributor.objects.get(region=o["wh"]), by=m1)
    run_checks(region=o["sd"], as_of=w.today)
    warned = Warning.objects.open().filter(kind=Warning.Kind.UNNAMED_DISTRIBUTOR)
    assert sorted(warned.values_list("institution__code", flat=True)) == ["H-A", "H-A2", "H-A2"]


def test_no_distributor_warning_where_the_product_is_not_a_winning_product(w):
    """p1 wins in 山东 only: 涪陵's purchase of it is an ordinary purchase, to which no naming applies."""
    o = w.o
    name_distributor(award=o["cq2"], region=o["fl"], distributor=o["dist"], by=w.users["m2"])
    make_purchase(o["c"], o["p1"], o["dist2"], quantity=100, accepted=w.today - timedelta(days=5))
    make_purchase(o["c"], o["p2"], o["dist2"], quantity=100, accepted=w.today - timedelta(days=5))
    findings = list(distributor_findings(Institution.objects.filter(pk=o["c"].pk), w.today))
    assert [f.product_id for f in findings] == [o["p2"].pk]
