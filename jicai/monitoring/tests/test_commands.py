"""The SPEC §6 commands: their JSON fields are a contract."""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from jicai.core.testing import (
    make_award,
    make_company,
    make_institution,
    make_product,
    make_purchase,
    make_region,
    make_user,
)
from jicai.monitoring.models import Warning
from jicai.volumes.models import AgreedVolume

D = date.fromisoformat


def run(capsys, *args) -> dict:
    call_command(*args, "--format", "json")
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def world(db):
    cq = make_region("500000", profile="cq")
    fuling = make_region("500102", parent=cq)
    maker, dist = make_company(), make_company(distributor=True, manufacturer=False)
    product = make_product(maker)
    award = make_award(product, cq, price="0.1000")
    inst = make_institution(fuling, code="H1")
    AgreedVolume.objects.create(institution=inst, award=award, year_no=1, quantity=10_000)
    make_purchase(
        inst,
        product,
        dist,
        quantity=1000,
        accepted=D("2020-09-22"),
        price="0.1000",
        confirmed=D("2020-09-25"),
        paid=[(D("2020-10-20"), "100.00")],
    )
    return dict(cq=cq, inst=inst)


def test_due(capsys, world):
    out = run(capsys, "due", "--region", "500102", "--accepted", "2020-09-22", "--invoice-confirmed", "2020-09-25")
    assert (out["due_on"], out["rule"]) == ("2020-10-15", "cq")
    assert "取较早者 2020-10-15" in out["reasoning"]


def test_due_names_a_missing_calendar_year(world):
    with pytest.raises(CommandError, match="2031"):
        call_command("due", "--region", "500102", "--accepted", "2031-01-05")


def test_payments(capsys, world):
    [inv] = run(capsys, "payments", "--institution", "H1", "--as-of", "2020-11-01")["invoices"]
    assert {k: inv[k] for k in ("amount", "paid", "due_on", "status", "late_amount")} == {
        "amount": "100.00",
        "paid": "100.00",
        "due_on": "2020-10-15",
        "status": "逾期已付",
        "late_amount": "100.00",
    }
    assert inv["invoice_no"]


def test_progress(capsys, world):
    [row] = run(capsys, "progress", "--region", "500000", "--as-of", "2020-10-14")["rows"]
    assert {k: row[k] for k in ("institution", "agreed", "purchased", "completion", "time_progress", "status")} == {
        "institution": "H1",
        "agreed": 10_000,
        "purchased": 1000,
        "completion": "0.1000",
        "time_progress": "0.5014",
        "status": "严重滞后",
    }


def test_monitor_twice(capsys, world):
    first = run(capsys, "monitor", "--region", "500000", "--as-of", "2020-10-14")
    second = run(capsys, "monitor", "--region", "500000", "--as-of", "2020-10-14")
    assert first["opened"] == Warning.objects.count() > 0
    assert (second["opened"], second["still_open"]) == (0, first["opened"])


def test_penalties(capsys, world):
    [row] = run(capsys, "penalties", "--region", "500000", "--year", "1", "--as-of", "2021-06-30")["institutions"]
    assert (row["shortfall_amount"], row["late_amount"], row["total"]) == ("900.00", "100.00", "1000.00")


def test_commands_read_through_the_users_scope(capsys, world):
    stranger = make_user(make_institution(make_region("510000")), username="stranger")
    with pytest.raises(CommandError, match="找不到"):
        call_command("payments", "--institution", "H1", "--as-of", "2020-11-01", "--user", stranger.username)
