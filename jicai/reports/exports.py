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

    The workbook is write-only: each sheet goes to a temporary file as it is made, so a region's workbook takes
    the memory of one sheet, not of all of them (a province's 2,506 sheets in memory: 550 MB to 2.4 GB)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    styles: dict = {}  # shared by the sheets of this workbook (the style ids are the workbook's)
    taken: set[str] = set()
    for document in documents:
        sheet = workbook.create_sheet(_sheet_title(document, taken))
        taken.add(sheet.title)
        fill_sheet(sheet, document, styles=styles)
        sheet.close()  # finished now rather than at save: an open sheet keeps its temporary file open
        _release(sheet)
    workbook.save(stream)
    return len(taken)


def _release(sheet) -> None:
    """Drop what only the writing of a closed sheet needed: the workbook keeps its sheets until it is saved, and
    their row and column sizes and merges were 40 kB a sheet, 100 MB for a province."""
    sheet.row_dimensions.clear()
    sheet.column_dimensions.clear()
    sheet.merged_cells.ranges.clear()


def _sheet_title(document: dict, taken: set[str]) -> str:
    base = f"{document['institution']} {document['month']}"[:31]
    name, n = base, 2
    while name in taken:
        name = f"{base[:28]}-{n}"
        n += 1
    return name


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide (a Chinese character is two wide)."""
    wide = len(text) + len(_NARROW.sub("", text))  # a regex, not a loop per character: remarks run to pages
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
    """Lay the form out on a write-only `sheet`, row by row. Write-only mode fixes the order: the widths, the
    frozen pane and the sheet properties are written with the first row and a row's height with that row, so they
    are set before; the merges and the page setup are written when the sheet is closed."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import column_index_from_string, get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    styles = {} if styles is None else styles

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    body_font = Font(name="宋体", size=11)
    last = get_column_letter(len(COLUMNS))

    def cell(value, key: str, **style):
        made = WriteOnlyCell(sheet, value)
        _styled(made, styles, key, **style)
        return made

    rows = form_rows(document)
    rows += [[""] * len(COLUMNS) for _i in range(max(BLANK_ROWS - len(rows), 0))]
    footer = FIRST_DATA_ROW + len(rows)
    note_lines = notes(document.get("due_day") or 10)
    end = footer + len(note_lines)

    # Everything but the cells, before the first row.
    for col, (_f, _h, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    merges = [f"A1:{last}1", "A2:E2", f"F2:{last}2"]
    merges += [f"{first}{footer}:{through}{footer}" for _n, _l, first, through in SIGNATURES]
    merges += [f"A{i}:{last}{i}" for i in range(footer + 1, end + 1)]
    for merge in merges:
        sheet.merged_cells.add(merge)
    # A write-only sheet has no used range of its own; readers in read-only mode take the row width from it.
    sheet.calculate_dimension = lambda: f"A1:{last}{end}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"

    appended = 0

    def append(height: float | None, cells: list) -> None:
        nonlocal appended
        appended += 1
        if height is not None:
            sheet.row_dimensions[appended].height = height
        sheet.append(cells)

    append(36, [cell(document["title"], "title", font=Font(name="黑体", size=16, bold=True), alignment=centre)])
    unit = cell(f"{REPORTING_UNIT}{document['institution_name']}", "unit", font=body_font, alignment=left)
    month = _("数据月份：%(month)s    报送截止：%(due)s") % {"month": document["month"], "due": document["due_on"]}
    month_cell = cell(month, "month", font=body_font, alignment=Alignment(horizontal="right", vertical="center"))
    append(24, [unit, None, None, None, None, month_cell])
    header_font = Font(name="宋体", size=11, bold=True)
    append(48, [cell(str(h), "header", font=header_font, alignment=centre, border=box) for _f, h, _w in COLUMNS])

    for cells in rows:
        line = []
        for (name, _h, _w), value in zip(COLUMNS, cells, strict=True):
            if name in NUMBER_FIELDS:
                made = cell(
                    Decimal(value) if value != "" else None,
                    "number",
                    font=body_font,
                    border=box,
                    alignment=right,
                    number_format=NUMBER_FORMAT,
                )
            elif name in ("remarks", "manufacturer", "generic_name"):
                made = cell(value if value != "" else None, "left", font=body_font, border=box, alignment=left)
            else:
                made = cell(value if value != "" else None, "centre", font=body_font, border=box, alignment=centre)
            line.append(made)
        # Spreadsheet programs do not grow a row to its wrapped text on opening a file: set the height.
        lines = max(_wrapped_lines(str(value), width) for (_n, _h, width), value in zip(COLUMNS, cells, strict=True))
        append(max(20, 15 * lines + 5), line)

    signatures: list = [None] * len(COLUMNS)
    for name, label, first, _through in SIGNATURES:
        signatures[column_index_from_string(first) - 1] = cell(
            f"{label}{document.get(name) or ''}", "footer", font=body_font, alignment=left
        )
    append(30, signatures)
    for line_text in note_lines:
        append(None, [cell(line_text, "note", font=Font(name="宋体", size=10), alignment=left)])
