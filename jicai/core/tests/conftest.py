"""The web tests' world (see jicai/web/tests/conftest.py) with two more users (wh_viewer, c_clerk), an API token
for each user, and (`records`) one record of every other scoped kind for institution A and for institution C."""

from datetime import date, datetime

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jicai.core.testing import make_batch, make_user
from jicai.web.tests.conftest import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        # Two more kinds of user: a bureau's viewer, and the clerk of a second institution (C, in 重庆).
        w.users["wh_viewer"] = make_user(w.objects["wh"], role="viewer", username="wh_viewer")
        w.users["c_clerk"] = make_user(w.objects["c"], role="clerk", username="c_clerk")
        w.tokens = {name: Token.objects.create(user=u).key for name, u in w.users.items() if u is not None}
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def api_for(world, db):
    """api_for("a_clerk") is an API client that sends that user's token (None or "anonymous": no token)."""

    def client(name: str | None) -> APIClient:
        c = APIClient()
        if name and name != "anonymous":
            c.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[name]}")
        return c

    return client


@pytest.fixture(scope="module")
def records(world, django_db_blocker):
    """Ids of one record of each scoped kind for A and for C, made through the services where there is one."""
    from jicai.catalog.models import AwardDistributor
    from jicai.monitoring.models import Warning
    from jicai.purchasing.models import InvoiceLine, Usage
    from jicai.reports.services import report_for, save_draft, submit_report
    from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline

    o, u, keys = world.objects, world.users, dict(world.keys)
    with django_db_blocker.unblock():
        for name, inst, award in (("a", o["a"], keys["sd1"]), ("c", o["c"], keys["cq2"])):
            volume = AgreedVolume.objects.get(institution=inst, award_id=award)
            product = volume.award.product
            keys[f"volume_{name}"] = volume.pk
            keys[f"baseline_{name}"] = Baseline.objects.create(
                institution=inst, product=product, year=2018, quantity=12_000
            ).pk
            keys[f"usage_{name}"] = Usage.objects.create(
                institution=inst, product=product, month=date(2020, 9, 1), quantity=900
            ).pk
            keys[f"change_{name}"] = AgreedVolumeChange.objects.create(
                volume=volume, kind="import", old_quantity=None, new_quantity=volume.quantity, reason="演示数据"
            ).pk
            keys[f"warning_{name}"] = Warning.objects.create(
                kind="lagging",
                institution=inst,
                award_id=award,
                product=product,
                subject=product.generic_name,
                message="采购进度滞后",
                first_seen=date(2020, 10, 31),
                last_seen=date(2020, 10, 31),
            ).pk
            keys[f"line_{name}"] = InvoiceLine.objects.get(invoice__institution=inst).pk
            keys[f"named_{name}"] = AwardDistributor.objects.get(award_id=award).pk
            clerk = u["a_clerk" if name == "a" else "c_clerk"]
            report = report_for(institution=inst, month=date(2020, 9, 1))
            save_draft(report=report, by=clerk, preparer="张三", phone="0631-0000000")
            at = timezone.make_aware(datetime(2020, 10, 9, 10, 0))
            revision = submit_report(report=report, by=clerk, at=at)
            keys[f"report_{name}"], keys[f"revision_{name}"] = report.pk, revision.pk
            keys[f"case_{name}"], keys[f"check_{name}"] = _supply(inst, volume.award, clerk)
            keys[f"upload_{name}"] = _upload(clerk)
        keys.update(_bureau_records(world))
        make_batch("GY-YD2019-1")  # a second batch, so that every list holds more than one row
    return keys


def _upload(by) -> int:
    """A recorded dry run of a usage file by the institution's clerk ("我的上传")."""
    from jicai.core.import_records import record
    from jicai.core.imports import ImportResult

    return record(ImportResult(kind="usage", rows=2, created=2, dry_run=True), user=by, file_name="使用量.csv").pk


def _supply(institution, award, by) -> tuple[int | None, int | None]:
    """A shortage case and a weekly check reported by the institution (None while the supply app has no services)."""
    try:
        from jicai.supply.services import open_case, record_check
    except ImportError:
        return None, None
    case = open_case(award=award, by=by, description="演示数据：到货延迟", opened_on=date(2020, 10, 12))
    check = record_check(institution=institution, award=award, week=date(2020, 10, 12), status="normal", by=by)
    return case.pk, check.pk


def _bureau_records(world) -> dict:
    """A bulletin, a payment audit and a budget deduction of 威海 (A's side) and of 重庆 (C's), made by the
    administrator through the services; ids are None while the services are missing (the rows are then skipped)."""
    keys: dict = {}
    o, admin = world.objects, world.users["admin"]
    try:
        from jicai.monitoring.deductions import propose_deductions
        from jicai.monitoring.models import BudgetDeduction
        from jicai.orgs.models import Region
        from jicai.policy.models import PolicyProfile
        from jicai.reports.audits import run_audit
        from jicai.reports.bulletins import draft_bulletin
    except ImportError:
        return {f"{kind}_{side}": None for kind in ("bulletin", "audit", "deduction") for side in "ac"}
    for side, region, province in (("a", o["wh"], o["sd"]), ("c", o["c"].region, o["cq"])):
        keys[f"bulletin_{side}"] = draft_bulletin(region=region, month=date(2020, 9, 1), by=admin).pk
        audit, _created = run_audit(region=region, year=2020, quarter=4, by=admin, source="web")
        keys[f"audit_{side}"] = audit.pk
        # Deductions are computed where the profile penalises (重庆's); the world's provinces get it for this.
        Region.objects.filter(pk=province.pk).update(profile=PolicyProfile.objects.get(code="cq"))
        propose_deductions(region=region, year_no=1, as_of=date(2021, 6, 1), by=admin)
        inst = o["a"] if side == "a" else o["c"]
        keys[f"deduction_{side}"] = BudgetDeduction.objects.filter(institution=inst).values_list("pk", flat=True)[0]
    return keys
