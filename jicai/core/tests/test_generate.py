"""The generated province (issue 9): deterministic, distinct from the demo, and importable twice without change."""

import csv
from datetime import date

import pytest
from django.core.management import call_command

from jicai.core import demo
from jicai.core.generate import COLUMNS, Size, generate
from jicai.core.imports import KINDS, run_import
from jicai.policy.rules.progress import COMPLETED, LAGGING, SEVERELY_LAGGING
from jicai.purchasing.models import Delivery, Payment
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows

TINY = Size(institutions=40, awards=30, deliveries=3000)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    generate(out, size=TINY, seed=7)
    return out


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_one_file_per_kind_with_the_spec_columns(files):
    assert set(COLUMNS) == set(KINDS)
    for kind, columns in COLUMNS.items():
        rows = read(files / f"{kind}.csv")
        assert rows, kind
        assert tuple(rows[0]) == columns
    assert len(read(files / "deliveries.csv")) == TINY.deliveries


def test_same_seed_same_bytes_other_seed_other_bytes(files, tmp_path):
    call_command("generate", out=tmp_path / "again", seed=7, institutions=40, awards=30, deliveries=3000)
    generate(tmp_path / "other", size=TINY, seed=8)
    for kind in KINDS:
        name = f"{kind}.csv"
        assert (tmp_path / "again" / name).read_bytes() == (files / name).read_bytes(), kind
    assert (tmp_path / "other" / "deliveries.csv").read_bytes() != (files / "deliveries.csv").read_bytes()


def test_codes_and_ids_never_collide_with_the_demo(files):
    rows = demo.build().rows
    key = {"regions": "code", "institutions": "code", "companies": "code", "products": "code", "batches": "code"}
    key |= {"orders": "order_id", "deliveries": "delivery_id", "invoices": "invoice_no", "payments": "payment_id"}
    for kind, column in key.items():
        ours = {r[column] for r in read(files / f"{kind}.csv")}
        theirs = {str(r[column]) for r in rows[kind]}
        assert not ours & theirs, kind


def test_the_mix_the_rules_need(files):
    deliveries = read(files / "deliveries.csv")
    payments = read(files / "payments.csv")
    assert any(int(d["quantity"]) < 0 for d in deliveries)  # returns
    assert any(not d["accepted_on"] for d in deliveries)  # still in transit at the year's end
    assert {p["payer"] for p in payments} == {"institution", "fund"}
    names = [r["name"] for r in read(files / "institutions.csv")]
    assert all(demo.DEMO in name for name in names)


@pytest.mark.django_db(transaction=False)
def test_imports_cleanly_and_a_second_import_changes_nothing(files):
    for kind in KINDS:
        result = run_import(kind, files / f"{kind}.csv")
        assert result.errors == [], (kind, result.errors[:3])
        assert result.created == result.rows == len(read(files / f"{kind}.csv")), kind
    assert Delivery.objects.count() == TINY.deliveries
    assert Payment.objects.filter(payer=Payment.Payer.FUND).exists()
    # Near the year's end the habits give every kind of progress.
    statuses = {r.progress.status for r in progress_rows(AgreedVolume.objects.all(), as_of=date(2021, 3, 31))}
    assert {COMPLETED, LAGGING, SEVERELY_LAGGING} <= statuses
    for kind in KINDS:
        result = run_import(kind, files / f"{kind}.csv")
        assert (result.errors, result.created, result.updated) == ([], 0, 0), kind
        assert result.unchanged == result.rows, kind
