"""Company scopes (SPEC §1) are fast and exact: every company path that crosses a one-to-many relation is a subquery
of its own, and a company sees exactly the rows one of its paths reaches, each once.

The paths used to share one subquery, which joined an institution's agreed volumes × orders × orders × invoices:
an institution list of the demo took 20 seconds for a company user.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.apps import apps
from django.db import transaction

from jicai.core.scoping import ScopedQuerySet
from jicai.core.testing import make_award, make_company, make_institution, make_product, make_purchase, make_user
from jicai.core.tests.test_scoping import build_world
from jicai.orgs.models import Institution
from jicai.volumes.models import AgreedVolume

SCOPED = [m for m in apps.get_models() if isinstance(m._default_manager.all(), ScopedQuerySet)]
COMPANY_SCOPED = [m for m in SCOPED if m.objects.all().scope.company]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def reached(model, company) -> list[int]:
    """The reference: the union of what each company path reaches on its own, each row once."""
    pks: set[int] = set()
    for path in model.objects.all().scope.company:
        lookup = f"{path}__pk" if path else "pk"
        pks |= set(model._base_manager.filter(**{lookup: company.pk}).values_list("pk", flat=True))
    return sorted(pks)


@pytest.mark.parametrize("model", COMPANY_SCOPED, ids=lambda m: m.__name__)
@pytest.mark.parametrize("company", ["M1", "M2", "X", "Y"])
def test_a_company_sees_exactly_the_rows_its_paths_reach(world, db, model, company):
    user = world.users[company]
    visible = list(model.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))
    assert visible == reached(model, world.obj[company])  # a list: a row repeated by a join fails too
    assert model.objects.visible_to(user).count() == len(visible)


def one_to_many_tables_per_select(sql: str) -> list[set[str]]:
    tables = {AgreedVolume._meta.db_table, "purchasing_order", "purchasing_invoice"}
    return [{t for t in tables if f'"{t}"' in part} for part in re.split(r"\bSELECT\b", sql)]


def test_an_institution_reached_by_every_path_many_times_is_listed_once(world, db):
    o = world.obj
    m = make_company(manufacturer=True, distributor=True)
    product = make_product(m)
    award = make_award(product, o["P1"])
    busy, other = make_institution(o["C1"]), make_institution(o["C1"])
    for year_no in (1, 2, 3):
        AgreedVolume.objects.create(institution=busy, award=award, year_no=year_no, quantity=10)
    for day in range(1, 7):  # orders of its product, distributed and invoiced by itself
        make_purchase(busy, product, m, quantity=5, accepted=date(2020, 9, day), confirmed=date(2020, 9, day + 1))
    make_purchase(other, o["p1"], o["X"], quantity=5, accepted=date(2020, 9, 1), confirmed=date(2020, 9, 2))
    user = make_user(m)

    visible = Institution.objects.visible_to(user)
    assert list(visible.values_list("code", flat=True)) == [busy.code]
    # No SELECT joins two one-to-many relations of Institution: that product of rows is what made it slow.
    sql = str(visible.query)
    assert all(len(tables) <= 1 for tables in one_to_many_tables_per_select(sql)), sql
