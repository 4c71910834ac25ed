"""The quarterly payment audit (SPEC §4.13): on-time rate, late amount and oldest unpaid invoice per institution;
frozen once run."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from jicai.core.testing import make_purchase
from jicai.monitoring.tests.ledger_world import build
from jicai.reports.audits import AuditError, audit_rows, parse_quarter, run_audit, visible_rows
from jicai.reports.models import PaymentAudit

D = date.fromisoformat


@pytest.fixture
def w(db):
    return build()


def _rows(w, region="sd"):
    from jicai.orgs.models import Institution

    rows = audit_rows(Institution.objects.filter(region__path__startswith=w.regions[region].path), 2020, 3)
    return {r["institution"]: r for r in rows}


def test_on_time_rate_late_amount_and_oldest_unpaid_invoice(w):
    rows = _rows(w)
    a = rows["A"]
    # a1 (due 07-31), a2 (08-31, paid by the fund), a3 (09-30) on time; a4 (08-31) unpaid.
    assert (a["due_in_quarter"], a["on_time"], a["on_time_rate"]) == (4, 3, "75.0")
    assert (a["late_amount"], a["overdue_unpaid"]) == ("800.00", "800.00")
    assert a["oldest_unpaid"] == {
        "invoice_no": w.invoices["a4"].invoice_no,
        "issued_on": "2020-06-22",
        "confirmed_on": "2020-06-22",
        "due_on": "2020-08-31",
        "unpaid": "800.00",
        "days_overdue": 30,
    }
    b = rows["B"]  # due 08-31, paid 09-10: late in full, nothing unpaid at the quarter's end
    assert (b["on_time_rate"], b["late_amount"], b["oldest_unpaid"]) == ("0.0", "4000.00", None)


def test_quarters_parse_and_must_have_ended(w):
    assert parse_quarter("2020q4") == (2020, 4)
    with pytest.raises(AuditError, match="YYYYQn"):
        parse_quarter("2020-12")
    with pytest.raises(AuditError, match="2020-12-31"):
        run_audit(
            region=w.regions["sd"],
            year=2020,
            quarter=4,
            by=w.users["sd_bureau"],
            source="bureau",
            today=D("2020-12-31"),
        )
    assert not PaymentAudit.objects.exists()


def test_a_run_is_frozen_and_runs_once(w):
    audit, created = run_audit(region=w.regions["sd"], year=2020, quarter=3, by=w.users["sd_bureau"], source="bureau")
    assert created and audit.as_of == D("2020-09-30")
    frozen = json.dumps(audit.rows, sort_keys=True)
    make_purchase(
        w.institutions["A"],
        w.product,
        w.distributor,
        quantity=1_000,
        accepted=D("2020-07-01"),
        price="0.1000",
        confirmed=D("2020-07-02"),
    )
    again, created = run_audit(region=w.regions["sd"], year=2020, quarter=3, by=w.users["sd_bureau"], source="bureau")
    assert (again.pk, created) == (audit.pk, False)
    assert json.dumps(PaymentAudit.objects.get().rows, sort_keys=True) == frozen


def test_readers_see_only_rows_of_institutions_they_may_see(w):
    audit, _ = run_audit(region=w.regions["sd"], year=2020, quarter=3, by=w.users["sd_bureau"], source="bureau")
    assert [r["institution"] for r in visible_rows(audit, w.users["sd_bureau"])] == ["A", "B"]
    assert [r["institution"] for r in visible_rows(audit, w.users["hc_bureau"])] == ["B"]
    assert [r["institution"] for r in visible_rows(audit, w.users["a_clerk"])] == ["A"]
    assert PaymentAudit.objects.visible_to(w.users["fl_bureau"]).count() == 0
    assert PaymentAudit.objects.visible_to(w.users["maker"]).count() == 0


@pytest.mark.parametrize("user", ["wh_health", "wh_viewer", "hc_bureau", "a_clerk", "fl_bureau", "maker"])
def test_denied_runs_write_nothing(w, user):
    with pytest.raises(PermissionDenied):
        run_audit(region=w.regions["wh"], year=2020, quarter=3, by=w.users[user], source="bureau")
    assert not PaymentAudit.objects.exists()


def test_audit_command(w, capsys):
    call_command("audit", "--region", "371000", "--quarter", "2020Q3", "--format", "json", "--user", "wh_bureau")
    out = json.loads(capsys.readouterr().out)
    assert out["quarter"] == "2020Q3"
    assert [(r["institution"], r["on_time_rate"]) for r in out["institutions"]] == [("A", "75.0"), ("B", "0.0")]
