"""Printable workbooks for the bulletin and the quarterly audit: one sheet per table, a merged title, bold
headers, borders, column widths and A4 landscape print setup (fit to one page wide)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from jicai.core.cli import plain

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass
class Sheet:
    name: str
    title: str
    columns: Sequence[tuple[str, str, int]]  # field, header, width
    rows: list[dict]
    note: str = ""


def write_workbook(sheets: list[Sheet], stream: IO[bytes]) -> None:
    book = Workbook()
    book.remove(book.active)
    for s in sheets:
        ws = book.create_sheet(s.name[:31])
        n = len(s.columns)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
        ws.cell(1, 1, s.title).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        for c, (_f, header, width) in enumerate(s.columns, start=1):
            cell = ws.cell(2, c, str(header))
            cell.font = Font(bold=True)
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(c)].width = width
        for r, row in enumerate(s.rows, start=3):
            for c, (field, _h, _w) in enumerate(s.columns, start=1):
                value = plain(row.get(field))
                cell = ws.cell(r, c, "" if value is None else value)
                cell.border = BOX
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        if s.note:
            ws.cell(len(s.rows) + 4, 1, s.note)
        ws.print_title_rows = "2:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.freeze_panes = "A3"
    book.save(stream)
