"""jicai ledger and jicai deductions: JSON on stdout, scoped by --user, denied writes change nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from jicai.monitoring.models import BudgetDeduction, Prepayment
from jicai.monitoring.tests.ledger_world import build


@pytest.fixture
def w(db):
    return build()


def run(capsys, *args) -> dict:
    call_command(*args, "--format", "json")
    return json.loads(capsys.readouterr().out)


def test_ledger_prepays_offsets_and_reports(w, capsys):
    out = run(
        capsys,
        "ledger",
        "--region",
        "371000",
        "--year",
        "1",
        "--as-of",
        "2021-05-01",
        "--prepay",
        "--offset",
        "--user",
        "wh_bureau",
    )
    assert out["totals"] == {
        "prepaid": "4500.00",
        "offset": "4000.00",
        "balance": "500.00",
        "direct_settled": "1000.00",
    }
    own = run(capsys, "ledger", "--institution", "B", "--year", "1", "--as-of", "2021-05-01", "--user", "b_clerk")
    assert [r["institution"] for r in own["rows"]] == ["B"]
    with pytest.raises(CommandError, match="找不到机构"):
        call_command("ledger", "--institution", "A", "--year", "1", "--user", "b_clerk")


def test_ledger_write_by_a_reader_changes_nothing(w):
    with pytest.raises(CommandError, match="无权记账"):
        call_command("ledger", "--region", "371000", "--year", "1", "--prepay", "--user", "wh_health")
    assert not Prepayment.objects.exists()


def test_deductions_propose_confirm_and_export(w, capsys, tmp_path):
    out = run(
        capsys,
        "deductions",
        "--region",
        "500102",
        "--year",
        "1",
        "--as-of",
        "2021-05-01",
        "--propose",
        "--user",
        "fl_bureau",
    )
    assert [(d["institution"], d["kind"], d["amount"]) for d in out["deductions"]] == [
        ("C", "late", "6000.00"),
        ("C", "shortfall", "4000.00"),
    ]
    late = out["deductions"][0]["id"]
    with pytest.raises(CommandError, match="无权"):
        call_command("deductions", "--region", "500102", "--year", "1", "--confirm", str(late), "--user", "fl_health")
    assert BudgetDeduction.objects.get(pk=late).status == "proposed"
    target = tmp_path / "d.xlsx"
    out = run(
        capsys,
        "deductions",
        "--region",
        "500102",
        "--year",
        "1",
        "--confirm",
        str(late),
        "--user",
        "fl_bureau",
        "-o",
        str(target),
    )
    assert out["deductions"][0]["status"] == "confirmed"
    assert load_workbook(target).active["A1"].value == "机构编码"
