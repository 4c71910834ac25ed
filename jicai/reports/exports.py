"""The monthly report as files: an .xlsx laid out like the Fuling form (《涪陵区国家集中采购药品采购及回款进度月报表》:
merged title, 填报单位, the nine columns, the signature footer and the three 填写说明 lines, borders, widths, A4
landscape), and CSV and JSON. All of them are written from the report document of `jicai.reports.fill`.
"""

from __future__ import annotations

import csv
import io
import json
from copy import copy
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FORMATS = ("xlsx", "csv", "json")

# The nine columns of the form, with the exact headers of the original; (field of a row, header, width).
COLUMNS = [
    ("seq", gettext_lazy("序号"), 6),
    ("generic_name", gettext_lazy("药品通用名"), 20),
    ("dosage_form", gettext_lazy("剂型"), 10),
    ("spec", gettext_lazy("规格"), 14),
    ("manufacturer", gettext_lazy("生产企业"), 26),
    ("agreed_wan", gettext_lazy("约定采购量（万片/万支/万袋）"), 16),
    ("purchased_wan", gettext_lazy("已采购量（万片/万支/万袋）"), 16),
    ("fully_paid_text", gettext_lazy("是否全额回款"), 10),
    ("remarks", gettext_lazy("备注（未全额回款请说明原因，并填写未回款发票确认时间）"), 52),
]
NUMBER_FIELDS = ("agreed_wan", "purchased_wan")
NUMBER_FORMAT = "0.0000"
HEADER_ROW = 3
FIRST_DATA_ROW = 4
BLANK_ROWS = 3  # an empty report still shows a few bordered lines, like the paper form

REPORTING_UNIT = gettext_lazy("填报单位：")
SIGNATURES = [
    ("leader", gettext_lazy("分管领导："), "A", "B"),
    ("preparer", gettext_lazy("填表人："), "C", "D"),
    ("prepared_on", gettext_lazy("填表时间："), "E", "F"),
    ("phone", gettext_lazy("联系电话："), "G", "I"),
]


def notes(due_day: int) -> list[str]:
    """The three 填写说明 lines of the original; the third names the due day of the region's profile and the
    system instead of the bureau's mailbox."""
    return [
        _("填写说明：1﹒已采购量为截止上月末数据，保留4位小数点。"),
        _("2﹒未全额回款的药品，请在备注栏说明未回款原因，并填写未回款药品的发票确认时间。"),
        _("3﹒报送时间为每月%(day)d日前，在本系统中填报提交或上传本表。") % {"day": due_day},
    ]


def filename(document: dict, fmt: str) -> str:
    return f"{document['institution']}-{document['month']}-月报表.{fmt}"


def form_rows(document: dict) -> list[list]:
    """The nine cells of every row, as the form shows them (strings; the xlsx turns quantities into numbers)."""
    return [[row.get(f, "") for f, _h, _w in COLUMNS] for row in document["rows"]]


def write_report(document: dict, fmt: str, stream: IO[bytes]) -> None:
    if fmt == "xlsx":
        write_xlsx([document], stream)
    elif fmt == "csv":
        write_csv([document], stream)
    elif fmt == "json":
        stream.write((json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode())
    else:
        raise ValueError(fmt)


def write_csv(documents: list[dict], stream: IO[bytes]) -> None:
    """One line per row of the form, with the institution and month in front (UTF-8 with BOM for Excel)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("机构编码"), _("医疗机构"), _("数据月份"), *(str(h) for _f, h, _w in COLUMNS)])
    for document in documents:
        for cells in form_rows(document):
            writer.writerow([document["institution"], document["institution_name"], document["month"], *cells])
    stream.write(("\ufeff" + text.getvalue()).encode())


def write_xlsx(documents: list[dict], stream: IO[bytes]) -> None:
    """One sheet per report, each laid out like the original form."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    styles: dict = {}  # shared by the sheets of this workbook (the style ids are the workbook's)
    for document in documents:
        sheet = workbook.create_sheet(_sheet_title(document, workbook.sheetnames))
        fill_sheet(sheet, document, styles=styles)
    workbook.save(stream)


def _sheet_title(document: dict, taken: list[str]) -> str:
    base = f"{document['institution']} {document['month']}"[:31]
    name, n = base, 2
    while name in taken:
        name = f"{base[:28]}-{n}"
        n += 1
    return name


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide (a Chinese character is two wide)."""
    wide = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return max(1, -(-wide // max(int(width) - 1, 1)))


def _styled(cell, styles: dict, key: str, **style) -> None:
    """Give `cell` the font, border, alignment and number format in `style`. The first cell of each `key` looks
    them up in the workbook's style tables; every later one copies that cell's style ids, which is what makes a
    region's workbook of hundreds of sheets fast (the lookup compares style objects field by field)."""
    if key in styles:
        cell._style = copy(styles[key])
        return
    for name, value in style.items():
        setattr(cell, name, value)
    styles[key] = copy(cell._style)


def fill_sheet(sheet, document: dict, *, styles: dict | None = None) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    styles = {} if styles is None else styles

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    body_font = Font(name="宋体", size=11)
    last = get_column_letter(len(COLUMNS))

    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = document["title"]
    sheet["A1"].font = Font(name="黑体", size=16, bold=True)
    sheet["A1"].alignment = centre
    sheet.row_dimensions[1].height = 36

    sheet.merge_cells("A2:E2")
    sheet["A2"] = f"{REPORTING_UNIT}{document['institution_name']}"
    sheet["A2"].font = body_font
    sheet["A2"].alignment = left
    sheet.merge_cells(f"F2:{last}2")
    sheet["F2"] = _("数据月份：%(month)s    报送截止：%(due)s") % {
        "month": document["month"],
        "due": document["due_on"],
    }
    sheet["F2"].font = body_font
    sheet["F2"].alignment = Alignment(horizontal="right", vertical="center")
    sheet.row_dimensions[2].height = 24

    for col, (_f, header, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, col, str(header))
        cell.font = Font(name="宋体", size=11, bold=True)
        cell.alignment = centre
        cell.border = box
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 48

    rows = form_rows(document)
    rows += [[""] * len(COLUMNS) for _i in range(max(BLANK_ROWS - len(rows), 0))]
    for r, cells in enumerate(rows, start=FIRST_DATA_ROW):
        for col, ((name, _h, _w), value) in enumerate(zip(COLUMNS, cells, strict=True), start=1):
            if name in NUMBER_FIELDS and value != "":
                value = Decimal(value)
            cell = sheet.cell(r, col, value if value != "" else None)
            if name in NUMBER_FIELDS:
                _styled(
                    cell, styles, "number", font=body_font, border=box, alignment=right, number_format=NUMBER_FORMAT
                )
            elif name in ("remarks", "manufacturer", "generic_name"):
                _styled(cell, styles, "left", font=body_font, border=box, alignment=left)
            else:
                _styled(cell, styles, "centre", font=body_font, border=box, alignment=centre)
        # Spreadsheet programs do not grow a row to its wrapped text on opening a file: set the height.
        lines = max(_wrapped_lines(str(value), width) for (_n, _h, width), value in zip(COLUMNS, cells, strict=True))
        sheet.row_dimensions[r].height = max(20, 15 * lines + 5)
    footer = FIRST_DATA_ROW + len(rows)
    for name, label, first, end in SIGNATURES:
        sheet.merge_cells(f"{first}{footer}:{end}{footer}")
        cell = sheet[f"{first}{footer}"]
        cell.value = f"{label}{document.get(name) or ''}"
        cell.font = body_font
        cell.alignment = left
    sheet.row_dimensions[footer].height = 30
    for i, line in enumerate(notes(document.get("due_day") or 10), start=footer + 1):
        sheet.merge_cells(f"A{i}:{last}{i}")
        sheet[f"A{i}"] = line
        sheet[f"A{i}"].font = Font(name="宋体", size=10)
        sheet[f"A{i}"].alignment = left

    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
