"""The monthly report as files: an .xlsx laid out like the Fuling form (《涪陵区国家集中采购药品采购及回款进度月报表》:
merged title, 填报单位, the nine columns, the signature footer and the three 填写说明 lines, borders, widths, A4
landscape), and CSV and JSON. All of them are written from the report document of `jicai.reports.fill`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import IO

import xlsxwriter
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
_NARROW = re.compile("[\x00-\u2e7f]")  # characters one wide; the rest (CJK and after) are two

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


def write_csv(documents: Iterable[dict], stream: IO[bytes]) -> int:
    """One line per row of the form, with the institution and month in front (UTF-8 with BOM for Excel).
    Written document by document, so a region's documents need not all be in memory; returns their number."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("机构编码"), _("医疗机构"), _("数据月份"), *(str(h) for _f, h, _w in COLUMNS)])
    stream.write(("\ufeff" + text.getvalue()).encode())
    count = 0
    for document in documents:
        text.seek(0)
        text.truncate()
        for cells in form_rows(document):
            writer.writerow([document["institution"], document["institution_name"], document["month"], *cells])
        stream.write(text.getvalue().encode())
        count += 1
    return count


def write_json(documents: Iterable[dict], stream: IO[bytes]) -> int:
    """`{"reports": [...]}`, byte for byte what `json.dumps(..., indent=2)` of the whole list writes, but one
    document at a time; returns their number. (A JSON string never holds a raw newline, so indenting a
    document's lines is exact.)"""
    count = 0
    for count, document in enumerate(documents, start=1):
        text = json.dumps(document, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        stream.write(((",\n    " if count > 1 else '{\n  "reports": [\n    ') + text).encode())
    stream.write(("\n  ]\n}\n" if count else '{\n  "reports": []\n}\n').encode())
    return count


def write_xlsx(documents: Iterable[dict], stream: IO[bytes]) -> int:
    """One sheet per report, each laid out like the original form; returns the number of sheets.

    XlsxWriter in constant-memory mode: each row is written to the sheet's temporary file as it is made, so a
    region's workbook takes the memory of one row, not of all its sheets, and a cell costs a few microseconds
    (openpyxl's cell objects and XML serialiser were two thirds of a region's export)."""
    workbook = _Workbook(stream, {"constant_memory": True})
    formats = _formats(workbook)
    taken: set[str] = set()
    for document in documents:
        title = _sheet_title(document, taken)
        taken.add(title.lower())
        sheet = workbook.add_worksheet(title)
        fill_sheet(sheet, document, formats)
        # Its rows are in its temporary file: closed now (XlsxWriter reopens it at save), so that a province's
        # thousands of sheets do not hold as many open files.
        sheet._opt_close()
    workbook.close()
    return len(taken)


class _Workbook(xlsxwriter.Workbook):
    def _check_sheetname(self, sheetname, is_chartsheet=False):
        """XlsxWriter's checks of a new sheet's name but uniqueness, which `write_xlsx` ensures itself: XlsxWriter
        compares the name with every earlier sheet's, quadratic (seconds for a province's 2,506 sheets)."""
        sheets, self.worksheets_objs = self.worksheets_objs, []
        try:
            return super()._check_sheetname(sheetname, is_chartsheet)
        finally:
            self.worksheets_objs = sheets


def _sheet_title(document: dict, taken: set[str]) -> str:
    """The sheet's name: institution code and month, made unique (sheet names ignore case)."""
    base = f"{document['institution']} {document['month']}"[:31]
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:28]}-{n}"
        n += 1
    return name


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide (a Chinese character is two wide)."""
    # A regex, not a loop per character: remarks run to pages.
    wide = len(text) if text.isascii() else len(text) + len(_NARROW.sub("", text))
    return max(1, -(-wide // max(int(width) - 1, 1)))


def _formats(workbook) -> dict:
    """The workbook's cell formats by role: fonts, borders, alignment and number format of the form."""
    body = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    wrapped, boxed = {"text_wrap": True}, {"border": 1}
    roles = {
        "title": {**body, "font_name": "黑体", "font_size": 16, "bold": True, "align": "center", **wrapped},
        "unit": {**body, "align": "left", **wrapped},
        "month": {**body, "align": "right"},
        "header": {**body, "bold": True, "align": "center", **wrapped, **boxed},
        "number": {**body, "align": "right", "num_format": NUMBER_FORMAT, **boxed},
        "left": {**body, "align": "left", **wrapped, **boxed},
        "centre": {**body, "align": "center", **wrapped, **boxed},
        "footer": {**body, "align": "left", **wrapped},
        "note": {**body, "font_size": 10, "align": "left", **wrapped},
    }
    return {role: workbook.add_format(properties) for role, properties in roles.items()}


# Widths count the default font's digits, 7 pixels each: given in pixels, XlsxWriter stores them exactly.
DIGIT_PIXELS = 7
LEFT_ALIGNED = ("remarks", "manufacturer", "generic_name")
CELL_LIMIT = 32767  # characters an Excel cell holds
CUT = gettext_lazy("……（备注超过 Excel 单元格的 32767 字上限，完整内容见本月报表的 CSV 或 JSON 文件）")


def _fits(text: str) -> str:
    """`text`, or its beginning and a note saying where the rest is when a cell cannot hold it all."""
    if len(text) <= CELL_LIMIT:
        return text
    cut = str(CUT)
    return text[: CELL_LIMIT - len(cut)] + cut


def fill_sheet(sheet, document: dict, formats: dict) -> None:
    """Lay the form out on an XlsxWriter `sheet`, row by row (constant-memory mode writes rows in order, and a
    row's height before its cells)."""
    rows = form_rows(document)
    rows += [[""] * len(COLUMNS) for _i in range(max(BLANK_ROWS - len(rows), 0))]
    last = len(COLUMNS) - 1
    header, first = HEADER_ROW - 1, FIRST_DATA_ROW - 1  # XlsxWriter counts rows from 0
    footer = first + len(rows)

    for col, (_f, _h, width) in enumerate(COLUMNS):
        sheet.set_column_pixels(col, col, width * DIGIT_PIXELS)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    sheet.center_horizontally()
    sheet.repeat_rows(header)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.freeze_panes(first, 0)

    sheet.set_row(0, 36)
    sheet.merge_range(0, 0, 0, last, document["title"], formats["title"])
    sheet.set_row(1, 24)
    sheet.merge_range(1, 0, 1, 4, f"{REPORTING_UNIT}{document['institution_name']}", formats["unit"])
    month = _("数据月份：%(month)s    报送截止：%(due)s") % {"month": document["month"], "due": document["due_on"]}
    sheet.merge_range(1, 5, 1, last, month, formats["month"])
    sheet.set_row(header, 48)
    for col, (_f, h, _w) in enumerate(COLUMNS):
        sheet.write_string(header, col, str(h), formats["header"])

    for r, cells in enumerate(rows, start=first):
        # Spreadsheet programs do not grow a row to its wrapped text on opening a file: set the height.
        lines = max(_wrapped_lines(str(value), width) for (_n, _h, width), value in zip(COLUMNS, cells, strict=True))
        sheet.set_row(r, max(20, 15 * lines + 5))
        for col, ((name, _h, _w), value) in enumerate(zip(COLUMNS, cells, strict=True)):
            role = "number" if name in NUMBER_FIELDS else "left" if name in LEFT_ALIGNED else "centre"
            if value == "":
                sheet.write_blank(r, col, None, formats[role])
            elif name in NUMBER_FIELDS or not isinstance(value, str):
                sheet.write_number(r, col, float(value), formats[role])  # at most 4 decimals: exact
            else:
                sheet.write_string(r, col, _fits(value), formats[role])  # never a formula, whatever it begins with

    sheet.set_row(footer, 30)
    for name, label, first_col, through in SIGNATURES:
        line = footer + 1  # A1 notation counts from 1
        sheet.merge_range(f"{first_col}{line}:{through}{line}", f"{label}{document.get(name) or ''}", formats["footer"])
    for i, line_text in enumerate(notes(document.get("due_day") or 10), start=footer + 1):
        sheet.merge_range(i, 0, i, last, line_text, formats["note"])
