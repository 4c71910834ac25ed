"""Uploading a filled form: checked against the template and the records, differences shown row by row."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from jicai.orgs.models import Institution
from jicai.reports.exports import write_report
from jicai.reports.fill import fill
from jicai.reports.models import ReportRevision
from jicai.reports.services import reopen_report, report_for
from jicai.reports.upload import check_upload

D = date.fromisoformat
A = "/reports/H-A/2020-09/"
HEADERS = [
    "序号",
    "药品通用名",
    "剂型",
    "规格",
    "生产企业",
    "约定采购量（万片/万支/万袋）",
    "已采购量\n\n（万片/万支/万袋）",  # as in the original form, over three lines
    "是否全额回款",
    "备注（未全额回款请说明原因，并填写未回款发票确认时间）",
]


@pytest.fixture
def document(world):
    inst = world.institutions["H-A"]
    return fill(Institution.objects.filter(pk=inst.pk), D("2020-09-01"))[inst.pk]


def hand_typed(world, *, rows, headers=HEADERS, title="报表") -> io.BytesIO:
    """A form typed by hand from the paper template: title, 填报单位, header, blank lines, one-cell footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["涪陵区国家集中采购药品采购及回款进度月报表"])
    ws.append([f"填报单位： {world.institutions['H-A'].name}"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    ws.append(["　"] + [None] * 8)  # a blank template line
    ws.append(["分管领导：李四        填表人：张三       填表时间：2020年10月9日         联系电话：023-72220000"])
    ws.append(["填写说明：1﹒已采购量为截止上月末数据，保留4位小数点。"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def row(world, purchased=1.32, remarks="发票有误，待企业重开", drug="阿卡波糖片"):
    return [1, drug, "片剂", "50mg", world.product.manufacturer.name, 10, purchased, "否", remarks]


def test_jicais_own_download_round_trips(world, document):
    buffer = io.BytesIO()
    write_report(document, "xlsx", buffer)
    buffer.seek(0)
    wb = load_workbook(buffer)
    ws = wb.active
    overdue = world.invoices["overdue"].invoice_no
    ws["I4"] = ws["I4"].value.replace("（未填写原因）", "发票金额有误，待企业重开")
    ws["C7"] = "填表人：张三"
    ws["G7"] = "联系电话：023-72220000"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    check = check_upload(out, document)
    assert (check.problems, check.differences) == ([], [])
    draft = check.draft(document)
    assert draft["reasons"] == {overdue: "发票金额有误，待企业重开"}
    assert (draft["preparer"], draft["phone"]) == ("张三", "023-72220000")


def test_a_hand_typed_form_shows_its_differences_row_by_row(world, document):
    check = check_upload(hand_typed(world, rows=[row(world, purchased="1.3")]), document)
    assert check.problems == []
    [difference] = check.differences
    assert (difference.line, difference.field, difference.uploaded, difference.computed) == (
        4,
        "已采购量（万片/万支/万袋）",
        "1.3000",
        "1.3200",
    )
    draft = check.draft(document)
    assert draft == {
        "leader": "李四",
        "preparer": "张三",
        "prepared_on": "2020-10-09",
        "phone": "023-72220000",
        "reasons": {world.invoices["overdue"].invoice_no: "发票有误，待企业重开"},
    }


def test_a_missing_row_and_a_missing_reason_are_differences(world, document):
    check = check_upload(hand_typed(world, rows=[]), document)
    assert check.problems == ["表中没有数据行"]
    check = check_upload(hand_typed(world, rows=[row(world, remarks="")]), document)
    assert [d.field for d in check.differences] == ["备注（未全额回款请说明原因，并填写未回款发票确认时间）"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "不是有效的 .xlsx 工作簿"),
        ("wrong sheet", "找不到月报表"),
        ("text in a number", "“已采购量（万片/万支/万袋）”应为数字，实为“很多”"),
        ("five decimals", "最多保留4位小数，实为“1.23456”"),
        ("unknown drug", "第4行的药品“布洛芬片 50mg”不是本机构本月有约定采购量的中选药品"),
        ("bad header", "第3行第F列的表头应为“约定采购量（万片/万支/万袋）”，实为“约定量”"),
        ("yes or no", "“是否全额回款”应为“是”或“否”，实为“部分”"),
        ("twice", "第5行的药品“阿卡波糖片 50mg”重复出现（第4行已有）"),
    ],
)
def test_malformed_files_get_a_clear_message(world, document, content, message):
    if isinstance(content, bytes):
        file = io.BytesIO(content)
    elif content == "wrong sheet":
        wb = Workbook()
        wb.active.append(["机构编码", "药品代码", "数量"])
        file = io.BytesIO()
        wb.save(file)
        file.seek(0)
    else:
        rows = {
            "text in a number": [row(world, purchased="很多")],
            "five decimals": [row(world, purchased=1.23456)],
            "unknown drug": [row(world, drug="布洛芬片")],
            "bad header": [row(world)],
            "yes or no": [row(world)[:7] + ["部分", ""]],
            "twice": [row(world), row(world)],
        }[content]
        headers = HEADERS[:5] + ["约定量"] + HEADERS[6:] if content == "bad header" else HEADERS
        file = hand_typed(world, rows=rows, headers=headers)
    check = check_upload(file, document)
    assert any(message in p for p in check.problems), check.problems
    assert check.differences == []


def test_upload_preview_then_confirm(client, world):
    reopen_report(
        report=report_for(institution=world.institutions["H-A"], month=D("2020-09-01")), by=world.users["fl_bureau"]
    )
    client.force_login(world.users["a_clerk"])
    file = hand_typed(world, rows=[row(world, purchased="1.3")])
    file.name = "report.xlsx"
    page = client.post(A + "upload/", {"file": file})
    assert page.status_code == 200 and len(page.context["check"].differences) == 1
    assert "1.3000" in page.content.decode() and not ReportRevision.objects.exists()
    response = client.post(A + "upload/confirm/", follow=True)
    assert "已按上传的报表提交第1版" in response.content.decode()
    revision = ReportRevision.objects.get()
    assert (revision.source, revision.preparer, revision.rows[0]["purchased_wan"]) == ("upload", "张三", "1.3200")
    assert revision.reasons == {world.invoices["overdue"].invoice_no: "发票有误，待企业重开"}
    # confirming again without a new upload does nothing
    client.post(A + "upload/confirm/")
    assert ReportRevision.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("a_viewer", 403), ("b_clerk", 404), ("fl_bureau", 403), ("maker", 404)])
def test_only_the_institutions_writers_upload(client, world, who, status):
    client.force_login(world.users[who])
    assert client.get(A + "upload/").status_code == status
    assert client.post(A + "upload/confirm/").status_code == status
