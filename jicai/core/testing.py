"""Small factories for tests: one place that knows how to make a valid row of each kind."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from jicai.catalog.models import Award, Batch, Product
from jicai.orgs.models import Company, Institution, Membership, Region
from jicai.policy.models import PolicyProfile

_seq = itertools.count(1)


def make_region(
    code: str,
    *,
    parent: Region | None = None,
    level: str | None = None,
    profile: str | None = None,
    name: str | None = None,
) -> Region:
    level = level or ("province" if parent is None else "city" if parent.level == "province" else "district")
    return Region.objects.create(
        code=code,
        name=name or f"区划{code}",
        level=level,
        parent=parent,
        path=(parent.path if parent else "") + code + "/",
        profile=PolicyProfile.objects.get(code=profile) if profile else None,
    )


def make_institution(
    region: Region, *, code: str | None = None, kind: str = "public", participation: str = "mandatory"
) -> Institution:
    code = code or f"H{next(_seq):06d}"
    return Institution.objects.create(
        code=code, name=f"医院{code}", region=region, kind=kind, participation=participation
    )


def make_company(*, code: str | None = None, manufacturer: bool = True, distributor: bool = False) -> Company:
    code = code or f"91{next(_seq):016d}"
    return Company.objects.create(
        code=code, name=f"企业{code[-4:]}", is_manufacturer=manufacturer, is_distributor=distributor
    )


def make_product(
    manufacturer: Company,
    *,
    code: str | None = None,
    generic_name: str = "阿卡波糖片",
    spec: str = "50mg",
    listed_price: str = "0.50",
    strength_factor: str = "1",
    consistency_evaluated: bool = True,
) -> Product:
    code = code or f"XP{next(_seq):08d}"
    return Product.objects.create(
        code=code,
        generic_name=generic_name,
        dosage_form="片剂",
        spec=spec,
        unit="片",
        pack_size=30,
        manufacturer=manufacturer,
        consistency_evaluated=consistency_evaluated,
        listed_price=Decimal(listed_price),
        strength_factor=Decimal(strength_factor),
    )


def make_batch(code: str = "GY-YD2019-2") -> Batch:
    return Batch.objects.get_or_create(code=code, defaults={"name": "第二批"})[0]


def make_award(
    product: Product,
    province: Region,
    *,
    batch: Batch | None = None,
    price: str = "0.1830",
    winners: int = 3,
    start: date = date(2020, 4, 15),
    cycle_years: int = 2,
) -> Award:
    return Award.objects.create(
        batch=batch or make_batch(),
        product=product,
        province=province,
        winning_price=Decimal(price),
        winners=winners,
        start_date=start,
        cycle_years=cycle_years,
    )


def make_user(
    organisation=None,
    *,
    role: str = "clerk",
    body: str = "bureau",
    username: str | None = None,
    superuser: bool = False,
):
    """A user of `organisation` (a Region, Institution or Company) with `role`; no organisation and
    superuser=True gives the system administrator."""
    User = get_user_model()
    username = username or f"u{next(_seq)}"
    user = User.objects.create_user(
        username=username, password="pw-Jicai-2020", is_superuser=superuser, is_staff=superuser
    )
    if organisation is not None:
        kind = {Region: "region", Institution: "institution", Company: "company"}[type(organisation)]
        Membership.objects.create(user=user, role=role, body=body if kind == "region" else "", **{kind: organisation})
    return user


def make_purchase(
    institution,
    product,
    distributor,
    *,
    quantity: int,
    accepted: date,
    price: str = "0.1830",
    confirmed: date | None = None,
    paid: list[tuple[date, str]] = (),
    payer: str = "institution",
):
    """An order with one delivery accepted on `accepted`, invoiced (when `confirmed` is given) and paid."""
    from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment

    n = next(_seq)
    order = Order.objects.create(
        order_id=f"O{n}",
        institution=institution,
        product=product,
        distributor=distributor,
        quantity=abs(quantity),
        unit_price=Decimal(price),
        ordered_on=accepted,
    )
    delivery = Delivery.objects.create(
        delivery_id=f"D{n}",
        order=order,
        institution=institution,
        product=product,
        quantity=quantity,
        delivered_on=accepted,
        accepted_on=accepted,
    )
    if confirmed is None:
        return delivery
    amount = (Decimal(price) * quantity).quantize(Decimal("0.01"))
    invoice = Invoice.objects.create(
        invoice_no=f"I{n}",
        supplier=distributor,
        institution=institution,
        amount=amount,
        issued_on=confirmed,
        confirmed_on=confirmed,
    )
    InvoiceLine.objects.create(invoice=invoice, delivery=delivery, amount=amount)
    for i, (on, a) in enumerate(paid):
        Payment.objects.create(payment_id=f"P{n}-{i}", invoice=invoice, amount=Decimal(a), paid_on=on, payer=payer)
    return invoice
