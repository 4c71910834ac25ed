"""`jicai report monthly` and `jicai report status`: the JSON fields are a contract (SPEC §6)."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from jicai.reports.exports import COLUMNS
from jicai.reports.services import report_for, review_report, save_draft, submit_report

D = date.fromisoformat
SHANGHAI = ZoneInfo("Asia/Shanghai")


def run_json(capsysbinary, *args) -> dict:
    call_command("report", *args, "--format", "json")
    return json.loads(capsysbinary.readouterr().out.decode())


def test_monthly_json(capsysbinary, world):
    out = run_json(capsysbinary, "monthly", "--institution", "H-A", "--month", "2020-09")
    assert (out["institution"], out["month"], out["due_on"]) == ("H-A", "2020-09", "2020-10-10")
    [row] = out["rows"]
    assert {k: row[k] for k in ("generic_name", "dosage_form", "spec", "agreed_wan", "purchased_wan")} == {
        "generic_name": "阿卡波糖片",
        "dosage_form": "片剂",
        "spec": "50mg",
        "agreed_wan": "10.0000",
        "purchased_wan": "1.3200",
    }
    assert row["fully_paid"] is False and "未到付款期" in row["remarks"]
    assert row["manufacturer"]


def test_monthly_for_the_september_2021_report(capsysbinary, world):
    out = run_json(capsysbinary, "monthly", "--institution", "H-A", "--month", "2021-09")
    assert out["due_on"] == "2021-10-11"


def test_monthly_xlsx_looks_like_the_form(world, tmp_path):
    path = tmp_path / "report.xlsx"
    call_command("report", "monthly", "--institution", "H-A", "--month", "2020-09", "--format", "xlsx", "-o", str(path))
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "涪陵区国家集中采购药品采购及回款进度月报表"
    assert sheet["A2"].value == f"填报单位：{world.institutions['H-A'].name}"
    assert [c.value for c in sheet[3]] == [
        "序号",
        "药品通用名",
        "剂型",
        "规格",
        "生产企业",
        "约定采购量（万片/万支/万袋）",
        "已采购量（万片/万支/万袋）",
        "是否全额回款",
        "备注（未全额回款请说明原因，并填写未回款发票确认时间）",
    ]
    row = [c.value for c in sheet[4]]
    assert row[:4] == [1, "阿卡波糖片", "片剂", "50mg"]
    assert (float(row[5]), float(row[6]), row[7]) == (10.0, 1.32, "否")
    assert sheet["F4"].number_format == sheet["G4"].number_format == "0.0000"
    assert sheet["A4"].border.left.style == "thin" and sheet["I3"].border.bottom.style == "thin"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:I1", "A2:E2", "F2:I2", "A7:B7", "C7:D7", "E7:F7", "G7:I7", "A8:I8", "A9:I9", "A10:I10"} <= merged
    assert [sheet[f"{c}7"].value for c in "ACEG"] == ["分管领导：", "填表人：", "填表时间：", "联系电话："]
    assert sheet["A8"].value.startswith("填写说明：1﹒已采购量为截止上月末数据，保留4位小数点。")
    assert sheet["A9"].value.startswith("2﹒未全额回款的药品")
    assert sheet["A10"].value.startswith("3﹒报送时间为每月10日前")
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.sheet_properties.pageSetUpPr.fitToPage  # absent: 1
    assert sheet.column_dimensions["I"].width == COLUMNS[-1][2]


def test_monthly_for_a_region_writes_one_sheet_per_institution(world, tmp_path):
    path = tmp_path / "city.xlsx"
    call_command("report", "monthly", "--region", "500000", "--month", "2020-09", "--format", "xlsx", "-o", str(path))
    assert load_workbook(path).sheetnames == ["H-A 2020-09", "H-B 2020-09", "H-W 2020-09"]  # H-N does not take part


def test_monthly_for_a_region_without_reporting_institutions(capsysbinary, world, tmp_path):
    world.institutions["H-W"].participation = "none"
    world.institutions["H-W"].save()
    path = tmp_path / "wanzhou.xlsx"
    with pytest.raises(CommandError, match="500101.*没有须报送月报表的医疗机构"):
        call_command(
            "report", "monthly", "--region", "500101", "--month", "2020-09", "--format", "xlsx", "-o", str(path)
        )
    assert not path.exists()
    assert run_json(capsysbinary, "monthly", "--region", "500101", "--month", "2020-09") == {"reports": []}


def test_monthly_csv(capsysbinary, world):
    call_command("report", "monthly", "--institution", "H-A", "--month", "2020-09", "--format", "csv")
    lines = capsysbinary.readouterr().out.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("机构编码,医疗机构,数据月份,序号,药品通用名")
    assert lines[1].startswith(f"H-A,{world.institutions['H-A'].name},2020-09,1,阿卡波糖片,片剂,50mg,")
    assert ",10.0000,1.3200,否," in lines[1]


def test_monthly_scope_of_the_user(world):
    with pytest.raises(CommandError, match="找不到医疗机构"):
        call_command("report", "monthly", "--institution", "H-A", "--month", "2020-09", "--user", "b_clerk")
    with pytest.raises(CommandError, match="找不到医疗机构"):
        call_command("report", "monthly", "--institution", "H-A", "--month", "2020-09", "--user", "maker")


def test_monthly_bad_month(world):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("report", "monthly", "--institution", "H-A", "--month", "2020-9")


def test_status(capsysbinary, world):
    a = report_for(institution=world.institutions["H-A"], month=D("2020-09-01"))
    save_draft(
        report=a,
        by=world.users["a_clerk"],
        preparer="张三",
        phone="1",
        reasons={world.invoices["overdue"].invoice_no: "待核对"},
    )
    submit_report(report=a, by=world.users["a_clerk"], at=datetime(2020, 10, 10, 23, 0, tzinfo=SHANGHAI))
    review_report(report=a, by=world.users["fl_bureau"], accept=True)
    w = report_for(institution=world.institutions["H-W"], month=D("2020-09-01"))
    save_draft(report=w, by=world.users["admin"], preparer="王五", phone="2")
    submit_report(report=w, by=world.users["admin"], at=datetime(2020, 10, 11, 8, 0, tzinfo=SHANGHAI))
    out = run_json(capsysbinary, "status", "--region", "500000", "--month", "2020-09")
    assert {r["institution"]: (r["status"], r["timeliness"]) for r in out["institutions"]} == {
        "H-A": ("accepted", "on_time"),
        "H-B": ("none", "not_submitted"),
        "H-W": ("submitted", "late"),
    }
    assert (out["expected"], out["submitted"], out["on_time"], out["late"], out["not_submitted"]) == (3, 2, 1, 1, 1)
    assert (out["completeness"], out["timeliness"]) == ("66.7", "33.3")
    district = run_json(capsysbinary, "status", "--region", "500102", "--month", "2020-09", "--user", "fl_bureau")
    assert [r["institution"] for r in district["institutions"]] == ["H-A", "H-B"]


def test_a_region_report_draws_its_progress_on_standard_error(capsysbinary, world, tmp_path, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # standard error taken for a terminal
    call_command("report", "monthly", "--region", "500000", "--month", "2020-09", "--format", "json")
    captured = capsysbinary.readouterr()
    assert len(json.loads(captured.out.decode())["reports"]) == 3  # standard output holds only the document
    assert "3/3" in captured.err.decode()
