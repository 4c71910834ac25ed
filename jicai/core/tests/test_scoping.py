"""Exactly which rows each kind of user sees, for every model with a ScopedQuerySet (SPEC §1).

The world (built once per module, rolled back afterwards):

    山东 P1 370000
    ├── 威海 C1 371000 ─ institution A
    │   ├── 环翠区 D1 371002 ─ institution A1
    │   └── 文登区 D1b 371003 ─ institution A2
    └── 济南 C2 370100 ─ institution B
    重庆 P2 500000
    └── 涪陵区 F 500102 ─ institution C

Companies: M1 makes p1, M2 makes p2, X and Y only distribute. Every institution has one row of every
per-institution kind (baseline, usage, agreed volume and its change, order, delivery, invoice, line, payment),
with the product, distributor and supplier below, chosen so that no two scope paths give the same answer:

    institution  product (maker)  award  order distributor  invoice supplier
    A            p1 (M1)          sd1    X                  X
    A1           p2 (M2)          sd2    Y                  Y
    A2           p1 (M1)          sd1    Y                  M1
    B            p2 (M2)          sd2    X                  X
    C            p1 (M1)          cq1    Y                  Y

Two more institutions separate the company paths of Institution: V (文登区) holds two agreed volumes of sd1 and
nothing else (M1 sees it only through agreed volumes, twice without DISTINCT); O (济南) has one order of p2
distributed by X and nothing else (M2 sees it only through its orders).

Awards: sd1 = p1 in 山东, sd2 = p2 in 山东, cq1 = p1 in 重庆. Named distributors: sd1 → X in 威海, Y in 环翠区,
X in 文登区; sd2 → X for all 山东; cq1 → Y in 涪陵区.

Expectations compare sorted lists (not sets), so a missing DISTINCT on a one-to-many path fails too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from jicai.catalog.models import Award, AwardDistributor, Batch, Product
from jicai.core.models import ImportRecord
from jicai.core.scoping import ScopedQuerySet, can_write, get_for_user, user_kind
from jicai.core.testing import (
    make_award,
    make_batch,
    make_company,
    make_institution,
    make_product,
    make_region,
    make_user,
)
from jicai.orgs.models import Company, Institution, Region
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment, Usage
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline

INSTITUTIONS = {
    # label: (region, product, award, distributor, supplier)
    "A": ("C1", "p1", "sd1", "X", "X"),
    "A1": ("D1", "p2", "sd2", "Y", "Y"),
    "A2": ("D1b", "p1", "sd1", "Y", "M1"),
    "B": ("C2", "p2", "sd2", "X", "X"),
    "C": ("F", "p1", "cq1", "Y", "Y"),
}
ALL_INSTITUTIONS = sorted(INSTITUTIONS)


class World:
    def __init__(self):
        self.obj: dict[str, object] = {}  # label → row
        self.users: dict[str, object] = {}

    def label(self, row) -> str:
        for key, value in self.obj.items():
            if type(value) is type(row) and value.pk == row.pk:
                return key
        raise AssertionError(f"row outside the world: {row!r}")


def build_world() -> World:
    w = World()
    o = w.obj
    o["P1"] = make_region("370000", name="山东省")
    o["C1"] = make_region("371000", parent=o["P1"], name="威海市")
    o["D1"] = make_region("371002", parent=o["C1"], name="环翠区")
    o["D1b"] = make_region("371003", parent=o["C1"], name="文登区")
    o["C2"] = make_region("370100", parent=o["P1"], name="济南市")
    o["P2"] = make_region("500000", name="重庆市")
    o["F"] = make_region("500102", parent=o["P2"], level="district", name="涪陵区")

    o["M1"] = make_company(code="9100000000000000M1")
    o["M2"] = make_company(code="9100000000000000M2")
    o["X"] = make_company(code="91000000000000000X", manufacturer=False, distributor=True)
    o["Y"] = make_company(code="91000000000000000Y", manufacturer=False, distributor=True)
    o["p1"] = make_product(o["M1"], code="XP-1")
    o["p2"] = make_product(o["M2"], code="XP-2", generic_name="氨氯地平片", spec="5mg")
    o["batch"] = make_batch()
    o["sd1"] = make_award(o["p1"], o["P1"])
    o["sd2"] = make_award(o["p2"], o["P1"])
    o["cq1"] = make_award(o["p1"], o["P2"])
    for label, award, region, distributor in [
        ("ad_sd1_C1", "sd1", "C1", "X"),
        ("ad_sd1_D1", "sd1", "D1", "Y"),
        ("ad_sd1_D1b", "sd1", "D1b", "X"),
        ("ad_sd2_P1", "sd2", "P1", "X"),
        ("ad_cq1_F", "cq1", "F", "Y"),
    ]:
        o[label] = AwardDistributor.objects.create(award=o[award], region=o[region], distributor=o[distributor])

    for label, (region, product, award, distributor, supplier) in INSTITUTIONS.items():
        inst = o[label] = make_institution(o[region], code=f"H-{label}")
        o[f"baseline_{label}"] = Baseline.objects.create(institution=inst, product=o[product], year=2018, quantity=1200)
        o[f"usage_{label}"] = Usage.objects.create(
            institution=inst, product=o[product], month=date(2020, 9, 1), quantity=100
        )
        volume = o[f"volume_{label}"] = AgreedVolume.objects.create(
            institution=inst, award=o[award], year_no=1, quantity=840
        )
        o[f"change_{label}"] = AgreedVolumeChange.objects.create(volume=volume, kind="allocation", new_quantity=840)
        order = o[f"order_{label}"] = Order.objects.create(
            order_id=f"ORD-{label}",
            institution=inst,
            product=o[product],
            distributor=o[distributor],
            quantity=100,
            unit_price=Decimal("0.1830"),
            ordered_on=date(2020, 9, 1),
        )
        delivery = o[f"delivery_{label}"] = Delivery.objects.create(
            delivery_id=f"DLV-{label}",
            order=order,
            institution=inst,
            product=o[product],
            quantity=100,
            delivered_on=date(2020, 9, 20),
            accepted_on=date(2020, 9, 22),
        )
        invoice = o[f"invoice_{label}"] = Invoice.objects.create(
            invoice_no=f"INV-{label}",
            supplier=o[supplier],
            institution=inst,
            amount=Decimal("18.30"),
            issued_on=date(2020, 9, 23),
            confirmed_on=date(2020, 9, 25),
        )
        o[f"line_{label}"] = InvoiceLine.objects.create(invoice=invoice, delivery=delivery, amount=Decimal("18.30"))
        o[f"payment_{label}"] = Payment.objects.create(
            payment_id=f"PAY-{label}", invoice=invoice, amount=Decimal("18.30"), paid_on=date(2020, 10, 9)
        )

    o["V"] = make_institution(o["D1b"], code="H-V")
    for year_no in (1, 2):
        o[f"volume_V{year_no}"] = AgreedVolume.objects.create(
            institution=o["V"], award=o["sd1"], year_no=year_no, quantity=500
        )
    o["O"] = make_institution(o["C2"], code="H-O")
    o["order_O"] = Order.objects.create(
        order_id="ORD-O",
        institution=o["O"],
        product=o["p2"],
        distributor=o["X"],
        quantity=100,
        unit_price=Decimal("0.1830"),
        ordered_on=date(2020, 9, 1),
    )

    # Uploads: an institution's (its region recorded for its bureaus), a bureau's own, a company's.
    for label, institution, region, company in [
        ("upload_A", "A", "C1", None),
        ("upload_C", "C", "F", None),
        ("upload_C1", None, "C1", None),
        ("upload_M1", None, None, "M1"),
    ]:
        o[label] = ImportRecord.objects.create(
            institution=o.get(institution),
            region=o.get(region),
            company=o.get(company),
            kind="deliveries",
            file_name="配送.xlsx",
            dry_run=False,
            landed=True,
        )

    inactive = make_user(o["P1"], username="inactive")
    inactive.is_active = False
    inactive.save()
    w.users = {
        "anonymous": None,
        "no_membership": make_user(None, username="no_membership"),
        "inactive_bureau": inactive,
        "P1_bureau": make_user(o["P1"], role="manager"),
        "C1_bureau": make_user(o["C1"]),
        "C1_health": make_user(o["C1"], role="viewer", body="health"),
        "D1_bureau": make_user(o["D1"]),
        "P2_bureau": make_user(o["P2"]),
        "A_clerk": make_user(o["A"]),
        "A1_viewer": make_user(o["A1"], role="viewer"),
        "M1": make_user(o["M1"]),
        "M2": make_user(o["M2"]),
        "X": make_user(o["X"]),
        "Y": make_user(o["Y"]),
        "admin": make_user(None, superuser=True),
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def user_of(world, name):
    return world.users[name] or AnonymousUser()


# --- the expectations -----------------------------------------------------------------------------------------

NOBODY = {"anonymous": [], "no_membership": [], "inactive_bureau": []}

# Institutions (and every per-institution row) seen by users of a region or an institution.
BY_PLACE = {
    "P1_bureau": ["A", "A1", "A2", "B"],
    "C1_bureau": ["A", "A1", "A2"],  # its city and both districts; not 济南 (sibling), not 重庆
    "C1_health": ["A", "A1", "A2"],
    "D1_bureau": ["A1"],  # not its parent's institution A, not its sibling district's A2
    "P2_bureau": ["C"],
    "A_clerk": ["A"],
    "A1_viewer": ["A1"],
    "admin": ALL_INSTITUTIONS,
}

# Per-institution rows a company sees, by the company path of each family of models.
BY_MAKER = {"M1": ["A", "A2", "C"], "M2": ["A1", "B"], "X": [], "Y": []}  # product/award's manufacturer
BY_MAKER_OR_DISTRIBUTOR = {"M1": ["A", "A2", "C"], "M2": ["A1", "B"], "X": ["A", "B"], "Y": ["A1", "A2", "C"]}
# the invoice's supplier, or the maker of a product it bills (两票制: the distributor bills the hospital)
BY_SUPPLIER_OR_MAKER = {"M1": ["A", "A2", "C"], "M2": ["A1", "B"], "X": ["A", "B"], "Y": ["A1", "C"]}


def per_institution(prefix: str, companies: dict[str, list[str]], **extra: list[str]) -> dict[str, list[str]]:
    """The table of a per-institution model; `extra` adds rows (label=[users who see it]) beyond the five."""
    table = {**NOBODY, **BY_PLACE, **companies}
    result = {user: [f"{prefix}{label}" for label in labels] for user, labels in table.items()}
    for label, users in extra.items():
        for user in users:
            result[user].append(label)
    return result


SEE_V = ["P1_bureau", "C1_bureau", "C1_health", "admin", "M1"]  # 文登区 is under 威海; p1 is M1's
SEE_O = ["P1_bureau", "admin", "M2", "X"]  # 济南 is under 山东 only; p2 is M2's; X distributes


MEMBERS = [*BY_PLACE, *BY_MAKER]  # every user with an organisation, and the administrator

EXPECTED: dict[type, dict[str, list[str]]] = {
    Region: {
        **NOBODY,
        # a bureau: its region, every region below, and the regions above it (its province's name and catalogue)
        "P1_bureau": ["P1", "C1", "D1", "D1b", "C2"],
        "C1_bureau": ["P1", "C1", "D1", "D1b"],
        "C1_health": ["P1", "C1", "D1", "D1b"],
        "D1_bureau": ["P1", "C1", "D1"],
        "P2_bureau": ["P2", "F"],
        # an institution: the regions it lies in
        "A_clerk": ["P1", "C1"],
        "A1_viewer": ["P1", "C1", "D1"],
        "M1": [],
        "M2": [],
        "X": [],
        "Y": [],
        "admin": ["P1", "C1", "D1", "D1b", "C2", "P2", "F"],
    },
    # public reference data: any user with an organisation reads all of it
    Company: {**NOBODY, **{user: ["M1", "M2", "X", "Y"] for user in MEMBERS}},
    Batch: {**NOBODY, **{user: ["batch"] for user in MEMBERS}},
    Product: {**NOBODY, **{user: ["p1", "p2"] for user in MEMBERS}},
    Institution: per_institution("", BY_MAKER_OR_DISTRIBUTOR, V=SEE_V, O=SEE_O),
    Award: {
        **NOBODY,
        # every user of a province sees the province's catalogue
        "P1_bureau": ["sd1", "sd2"],
        "C1_bureau": ["sd1", "sd2"],
        "C1_health": ["sd1", "sd2"],
        "D1_bureau": ["sd1", "sd2"],
        "P2_bureau": ["cq1"],
        "A_clerk": ["sd1", "sd2"],
        "A1_viewer": ["sd1", "sd2"],
        # a company: awards of its products, and awards it was named to distribute
        "M1": ["sd1", "cq1"],
        "M2": ["sd2"],
        "X": ["sd1", "sd2"],
        "Y": ["sd1", "cq1"],
        "admin": ["sd1", "sd2", "cq1"],
    },
    AwardDistributor: {
        **NOBODY,
        # a bureau: named for its region or below, or for a region above it
        "P1_bureau": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd1_D1b", "ad_sd2_P1"],
        "C1_bureau": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd1_D1b", "ad_sd2_P1"],
        "C1_health": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd1_D1b", "ad_sd2_P1"],
        "D1_bureau": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd2_P1"],  # not the sibling district's
        "P2_bureau": ["ad_cq1_F"],
        # an institution: named for the regions it lies in
        "A_clerk": ["ad_sd1_C1", "ad_sd2_P1"],
        "A1_viewer": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd2_P1"],
        # a company: its products' (as manufacturer), or naming it (as distributor)
        "M1": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd1_D1b", "ad_cq1_F"],
        "M2": ["ad_sd2_P1"],
        "X": ["ad_sd1_C1", "ad_sd1_D1b", "ad_sd2_P1"],
        "Y": ["ad_sd1_D1", "ad_cq1_F"],
        "admin": ["ad_sd1_C1", "ad_sd1_D1", "ad_sd1_D1b", "ad_sd2_P1", "ad_cq1_F"],
    },
    Baseline: per_institution("baseline_", BY_MAKER),
    AgreedVolume: per_institution("volume_", BY_MAKER, volume_V1=SEE_V, volume_V2=SEE_V),
    AgreedVolumeChange: per_institution("change_", BY_MAKER),
    Usage: per_institution("usage_", BY_MAKER),
    Order: per_institution("order_", BY_MAKER_OR_DISTRIBUTOR, order_O=SEE_O),
    Delivery: per_institution("delivery_", BY_MAKER_OR_DISTRIBUTOR),
    Invoice: per_institution("invoice_", BY_SUPPLIER_OR_MAKER),
    InvoiceLine: per_institution("line_", BY_SUPPLIER_OR_MAKER),
    Payment: per_institution("payment_", BY_SUPPLIER_OR_MAKER),
    ImportRecord: {
        **NOBODY,
        # a bureau: uploads of its region and below; an institution and a company: their own
        "P1_bureau": ["upload_A", "upload_C1"],
        "C1_bureau": ["upload_A", "upload_C1"],
        "C1_health": ["upload_A", "upload_C1"],
        "D1_bureau": [],
        "P2_bureau": ["upload_C"],
        "A_clerk": ["upload_A"],
        "A1_viewer": [],
        "M1": ["upload_M1"],
        "M2": [],
        "X": [],
        "Y": [],
        "admin": ["upload_A", "upload_C", "upload_C1", "upload_M1"],
    },
}

USERS = [
    "anonymous",
    "no_membership",
    "inactive_bureau",
    "P1_bureau",
    "C1_bureau",
    "C1_health",
    "D1_bureau",
    "P2_bureau",
    "A_clerk",
    "A1_viewer",
    "M1",
    "M2",
    "X",
    "Y",
    "admin",
]
SCOPED_APPS = {"core", "orgs", "policy", "catalog", "volumes", "purchasing"}


def test_every_scoped_model_is_in_the_table():
    scoped = {
        model
        for model in apps.get_models()
        if model._meta.app_label in SCOPED_APPS and isinstance(model._default_manager.all(), ScopedQuerySet)
    }
    assert scoped == set(EXPECTED), "a new scoped model needs its row in EXPECTED"


def test_every_user_is_in_every_row():
    for model, table in EXPECTED.items():
        assert set(table) == set(USERS), model.__name__


def test_admin_rows_are_the_whole_world(world, db):
    """The administrator's rows in EXPECTED are every row of the world, so the table leaves nothing out."""
    for model, table in EXPECTED.items():
        world_rows = sorted(label for label, row in world.obj.items() if type(row) is model)
        assert sorted(table["admin"]) == world_rows, model.__name__
        assert model.objects.count() == len(world_rows), model.__name__


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_visible_to(world, db, model, user):
    rows = list(model.objects.visible_to(user_of(world, user)))
    assert sorted(world.label(row) for row in rows) == sorted(EXPECTED[model][user])


@pytest.mark.parametrize("user", USERS)
def test_counts_match_lists(world, db, user):
    """count() and exists() agree with the list (DISTINCT applied before counting)."""
    u = user_of(world, user)
    for model in EXPECTED:
        qs = model.objects.visible_to(u)
        assert qs.count() == len(list(qs)), model.__name__
        assert qs.exists() == bool(len(list(qs))), model.__name__


# --- the getter and the write check -------------------------------------------------------------------------


def test_get_for_user_hides_what_is_out_of_scope(world, db):
    c1 = user_of(world, "C1_bureau")
    assert get_for_user(Invoice.objects, c1, invoice_no="INV-A2").invoice_no == "INV-A2"
    with pytest.raises(Http404):
        get_for_user(Invoice.objects, c1, invoice_no="INV-B")  # exists, sibling city
    with pytest.raises(Http404):
        get_for_user(Invoice.objects, c1, invoice_no="NOPE")  # does not exist: same answer


@pytest.mark.parametrize(
    ("user", "writes"),
    [
        ("P1_bureau", True),
        ("C1_bureau", True),
        ("C1_health", False),  # a health commission only reads
        ("A_clerk", True),
        ("A1_viewer", False),
        ("M1", True),
        ("admin", True),
        ("no_membership", False),
    ],
)
def test_can_write_and_get_for_user_write(world, db, user, writes):
    u = user_of(world, user)
    assert can_write(u) is writes
    volume = world.obj["volume_A1"]
    visible = volume.pk in set(AgreedVolume.objects.visible_to(u).values_list("pk", flat=True))
    if not visible:
        with pytest.raises(Http404):
            get_for_user(AgreedVolume.objects, u, write=True, pk=volume.pk)
    elif writes:
        assert get_for_user(AgreedVolume.objects, u, write=True, pk=volume.pk) == volume
    else:
        with pytest.raises(PermissionDenied):
            get_for_user(AgreedVolume.objects, u, write=True, pk=volume.pk)


@pytest.mark.parametrize(
    ("user", "kind"),
    [
        ("anonymous", None),
        ("no_membership", None),
        ("P1_bureau", "region"),
        ("C1_health", "region"),
        ("A_clerk", "institution"),
        ("X", "company"),
        ("admin", "admin"),
    ],
)
def test_user_kind(world, db, user, kind):
    assert user_kind(user_of(world, user)) == kind


# --- company scopes are subqueries, so aggregates over them are exact


def test_aggregates_over_a_company_scope_are_not_inflated(world, db):
    from django.db.models import Count, Sum

    o = world.obj
    AgreedVolume.objects.create(institution=o["A"], award=o["sd1"], year_no=2, quantity=1)
    Order.objects.create(
        order_id="ORD-A-2",
        institution=o["A"],
        product=o["p1"],
        distributor=o["X"],
        quantity=1,
        unit_price=Decimal(1),
        ordered_on=date(2020, 9, 2),
    )
    m1 = user_of(world, "M1")
    a = Institution.objects.visible_to(m1).filter(code="H-A")
    assert a.annotate(n=Count("orders")).get().n == 2
    assert a.annotate(q=Sum("agreed_volumes__quantity")).get().q == 841
    x = user_of(world, "X")
    assert Award.objects.visible_to(x).annotate(n=Count("distributors")).get(pk=o["sd1"].pk).n == 3
