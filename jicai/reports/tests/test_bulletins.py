"""Bulletins (通报, SPEC §4.10): completion by institution, lagging ones, late payers, missing reports; a published
bulletin is frozen."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from openpyxl import load_workbook

from jicai.core.testing import make_purchase
from jicai.monitoring.tests.ledger_world import build
from jicai.reports.bulletins import (
    BulletinError,
    bulletin_content,
    bulletin_document,
    draft_bulletin,
    publish_bulletin,
    write_bulletin_xlsx,
)
from jicai.reports.models import Bulletin

D = date.fromisoformat


@pytest.fixture
def w(db):
    return build()


def test_content_lists_completion_lagging_late_payers_and_missing_reports(w):
    c = bulletin_content(w.regions["fl"], D("2020-12-01"))
    assert c["as_of"] == "2020-12-31" and c["report_month"] == "2020-11"
    completion = {r["institution"]: r for r in c["completion"]}
    assert set(completion) == {"C", "E"}  # 万州's D is another district
    # C: 60,000 of 100,000 by 12-31, while 261 of 365 days (71.5 %) have passed: 滞后 (≥ 0.8 × 71.5 %)
    assert (completion["C"]["completion"], completion["C"]["time_progress"], completion["C"]["status"]) == (
        "60.0%",
        "71.5%",
        "滞后",
    )
    assert completion["E"]["status"] == "已完成"
    assert [(r["institution"], r["generic_name"]) for r in c["lagging"]] == [("C", "阿卡波糖片")]
    assert [(r["institution"], r["late_amount"]) for r in c["late_payers"]] == [("C", "6000.00")]
    assert [r["institution"] for r in c["missing_reports"]] == ["C", "E"]
    assert c["summary"]["late_payers"] == 1 and c["summary"]["reports_missing"] == 2


def test_a_published_bulletin_is_frozen(w):
    by = w.users["fl_bureau"]
    draft = draft_bulletin(region=w.regions["fl"], month=D("2020-12-01"), by=by)
    published = publish_bulletin(bulletin=draft, by=by)
    frozen = json.dumps(published.content, sort_keys=True)
    # C buys the rest in December: a fresh computation changes, the published bulletin does not.
    make_purchase(w.institutions["C"], w.product, w.distributor, quantity=40_000, accepted=D("2020-12-20"))
    assert bulletin_content(w.regions["fl"], D("2020-12-01"))["lagging"] == []
    published.refresh_from_db()
    assert json.dumps(bulletin_document(published), sort_keys=True) == frozen
    with pytest.raises(BulletinError, match="发布后不能再改"):
        publish_bulletin(bulletin=published, by=by)
    with pytest.raises(BulletinError):
        draft_bulletin(region=w.regions["fl"], month=D("2020-12-01"), by=by)
    assert json.dumps(Bulletin.objects.get(pk=published.pk).content, sort_keys=True) == frozen


def test_a_draft_follows_the_records(w):
    draft = draft_bulletin(region=w.regions["fl"], month=D("2020-12-01"), by=w.users["fl_bureau"])
    make_purchase(w.institutions["C"], w.product, w.distributor, quantity=40_000, accepted=D("2020-12-20"))
    assert bulletin_document(draft)["lagging"] == []


@pytest.mark.parametrize("user", ["fl_health", "wz_bureau", "c_clerk", "maker", "wh_bureau"])
def test_denied_publications_change_nothing(w, user):
    draft = draft_bulletin(region=w.regions["fl"], month=D("2020-12-01"), by=w.users["fl_bureau"])
    with pytest.raises(PermissionDenied):
        publish_bulletin(bulletin=draft, by=w.users[user])
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("draft", None)


def test_xlsx_has_one_sheet_per_table(w):
    buffer = io.BytesIO()
    write_bulletin_xlsx(bulletin_content(w.regions["fl"], D("2020-12-01")), buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["完成情况", "进度滞后", "逾期回款", "月报表未报或逾期"]
    late = book["逾期回款"]
    assert late["A1"].value.startswith("涪陵区国家集中采购药品采购及回款情况通报")
    assert [late.cell(3, c).value for c in (1, 4)] == ["C", "6000.00"]
    assert late.page_setup.orientation == "landscape"


def test_bulletin_command_publishes_and_writes_xlsx(w, capsys, tmp_path):
    call_command("bulletin", "--region", "500102", "--month", "2020-12", "--publish", "--user", "fl_bureau")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "published" and out["late_payers"][0]["institution"] == "C"
    assert Bulletin.objects.get().published_by == w.users["fl_bureau"]
    target = tmp_path / "b.xlsx"
    call_command("bulletin", "--region", "500102", "--month", "2020-12", "--format", "xlsx", "-o", str(target))
    assert load_workbook(target).sheetnames[0] == "完成情况"
