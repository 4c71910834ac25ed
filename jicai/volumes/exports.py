"""The allocation table (约定采购量分解表) as rows, as the CLI's JSON document, and as files: an .xlsx laid out to be
sent to the health commission (title, Chinese headers, subtotals per region level, borders, widths), and CSV or
JSON through `jicai.core.tabular.write_rows`. One row source feeds them all.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from jicai.core.tabular import write_rows
from jicai.orgs.models import Institution, Region
from jicai.volumes.allocation import Allocation, InstitutionShare, RegionTotal

LEVELS = dict(Region.Level.choices)
PARTICIPATION = dict(Institution.Participation.choices)
FORMATS = ("xlsx", "csv", "json")

# (field, Chinese header) of the CSV and JSON files: one row per region subtotal and per institution, tree order.
FILE_COLUMNS = [
    ("kind", "行类型"),
    ("region", "区划编码"),
    ("region_name", "区划名称"),
    ("level", "级别"),
    ("institution", "机构编码"),
    ("institution_name", "机构名称"),
    ("participation", "参与方式"),
    ("baseline", "基数"),
    ("share", "占比"),
    ("held", "现有约定量"),
    ("quantity", "约定采购量"),
]
KIND_REGION = "区划小计"
KIND_INSTITUTION = "机构"


def share_of(quantity: int, total: int) -> str:
    """A part of the total as a fraction with 4 decimals ("0.1234")."""
    if not total:
        return "0.0000"
    return str((Decimal(quantity) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def title(allocation: Allocation) -> str:
    award = allocation.award
    return (
        f"{allocation.region.name}{award.batch.name}{award.product.generic_name}（{award.product.spec}）"
        f"约定采购量分解表（第{allocation.year_no}协议年度）"
    )


def subtitle(allocation: Allocation) -> str:
    award = allocation.award
    base = f"{allocation.base_year}年" if allocation.base_year else "无"
    return (
        f"中选企业：{award.product.manufacturer.name}　基数年度：{base}　总量：{allocation.total}"
        f"（{allocation.source_label}）　单位：{award.product.unit}"
    )


def allocation_document(allocation: Allocation, *, committed: bool = False) -> dict[str, Any]:
    """The JSON answer of `jicai allocate` (SPEC §6): per institution `institution`, `region`, `baseline`,
    `quantity`; per region `region`, `quantity`; and what the total is and where it came from."""
    a = allocation
    award = a.award
    return {
        "award": award.pk,
        "batch": award.batch.code,
        "product": award.product.code,
        "generic_name": award.product.generic_name,
        "spec": award.product.spec,
        "unit": award.product.unit,
        "region": a.region.code,
        "year_no": a.year_no,
        "base_year": a.base_year,
        "source": a.source,
        "ratio": str(a.ratio),
        "baseline": a.baseline,
        "total": a.total,
        "decomposed": a.decomposed,
        "at_least_previous_year": a.floor_applied,
        "held_total": a.held_total,
        "committed": committed,
        "written": a.written if committed else None,
        "institutions": [
            {
                "institution": s.code,
                "institution_name": s.name,
                "region": s.region_code,
                "participation": s.participation,
                "baseline": s.baseline,
                "quantity": s.quantity,
                "held": s.held,
                "previous": s.previous,
                "share": share_of(s.quantity, a.total),
            }
            for s in a.institutions
        ],
        "regions": [
            {
                "region": r.code,
                "name": r.name,
                "level": r.level,
                "parent": r.parent_code or None,
                "baseline": r.baseline,
                "quantity": r.quantity,
                "held": r.held,
            }
            for r in a.regions
        ],
    }


def institution_rows(allocation: Allocation) -> list[dict[str, Any]]:
    """One row per institution, for CSV on the console."""
    award = allocation.award
    return [
        {
            "award": f"{award.batch.code}/{award.product.code}",
            "year_no": allocation.year_no,
            "institution": s.code,
            "institution_name": s.name,
            "region": s.region_code,
            "participation": s.participation,
            "baseline": s.baseline,
            "held": s.held,
            "quantity": s.quantity,
        }
        for s in allocation.institutions
    ]


def file_rows(allocation: Allocation) -> list[dict[str, Any]]:
    """Region subtotals and institutions in tree order: each region's row, its own institutions, then the regions
    below it."""
    total = allocation.total
    names = {r.id: r for r in allocation.regions}
    rows = []
    for _kind, item in allocation.rows():
        if isinstance(item, RegionTotal):
            rows.append(
                {
                    "kind": KIND_REGION,
                    "region": item.code,
                    "region_name": item.name,
                    "level": str(LEVELS.get(item.level, item.level)),
                    "institution": "",
                    "institution_name": "",
                    "participation": "",
                    "baseline": item.baseline,
                    "share": share_of(item.quantity, total),
                    "held": item.held,
                    "quantity": item.quantity,
                    "depth": item.depth,
                }
            )
        else:
            region = names[item.region_id]
            rows.append(
                {
                    "kind": KIND_INSTITUTION,
                    "region": region.code,
                    "region_name": region.name,
                    "level": str(LEVELS.get(region.level, region.level)),
                    "institution": item.code,
                    "institution_name": item.name,
                    "participation": str(PARTICIPATION.get(item.participation, item.participation)),
                    "baseline": item.baseline,
                    "share": share_of(item.quantity, total),
                    "held": item.held,
                    "quantity": item.quantity,
                    "depth": region.depth + 1,
                }
            )
    return rows


def tree_rows(allocation: Allocation) -> list[dict[str, Any]]:
    """Rows of the console table: regions indented by level, institutions under them."""
    out = []
    for row in file_rows(allocation):
        indent = "  " * row["depth"]
        is_region = row["kind"] == KIND_REGION
        out.append(
            {
                "level": row["level"] if is_region else "",
                "region": row["region"],
                "institution": row["institution"],
                "name": indent + (f"{row['region_name']} 小计" if is_region else row["institution_name"]),
                "baseline": row["baseline"],
                "share": row["share"],
                "held": row["held"],
                "quantity": row["quantity"],
            }
        )
    return out


def write_allocation(allocation: Allocation, fmt: str, file: IO[bytes]) -> None:
    """The allocation table as `fmt` ("xlsx", "csv" or "json") into a binary file object."""
    if fmt == "xlsx":
        write_xlsx(allocation, file)
        return
    rows = file_rows(allocation)
    header = [h for _, h in FILE_COLUMNS] if fmt == "csv" else [f for f, _ in FILE_COLUMNS]
    write_rows(header, ([row[f] for f, _ in FILE_COLUMNS] for row in rows), fmt, file)


def filename(allocation: Allocation, fmt: str) -> str:
    award = allocation.award
    parts = (allocation.region.code, award.batch.code, award.product.code)
    return f"约定采购量分解_{'_'.join(parts)}_第{allocation.year_no}年.{fmt}"


# The .xlsx form

XLSX_HEADERS = ["序号", "区划", "机构编码", "机构名称", "参与方式", "基数", "占比", "现有约定量", "约定采购量"]
XLSX_WIDTHS = [7, 22, 18, 40, 10, 14, 10, 14, 14]


def write_xlsx(allocation: Allocation, file: IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "约定采购量分解"
    width = len(XLSX_HEADERS)
    last = get_column_letter(width)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    band = PatternFill("solid", fgColor="F2F2F2")

    sheet.append([title(allocation)])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = center
    sheet.row_dimensions[1].height = 30
    sheet.append([subtitle(allocation)])
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    sheet.row_dimensions[2].height = 22
    sheet.append(XLSX_HEADERS)
    for cell in sheet[3]:
        cell.font = bold
        cell.alignment = center
        cell.border = border
        cell.fill = band

    number = 0
    for row in file_rows(allocation):
        is_region = row["kind"] == KIND_REGION
        indent = "　" * row["depth"]
        if is_region:
            values = [
                "",
                f"{indent}{row['region_name']}（{row['level']}）小计",
                "",
                "",
                "",
                row["baseline"],
                float(row["share"]),
                row["held"],
                row["quantity"],
            ]
        else:
            number += 1
            values = [
                number,
                f"{indent}{row['region_name']}",
                row["institution"],
                row["institution_name"],
                row["participation"],
                row["baseline"],
                float(row["share"]),
                row["held"] if row["held"] is not None else 0,
                row["quantity"],
            ]
        sheet.append(values)
        r = sheet.max_row
        for col, cell in enumerate(sheet[r], start=1):
            cell.border = border
            if col in (6, 8, 9):
                cell.number_format = "#,##0"  # whole smallest units
            elif col == 7:
                cell.number_format = "0.00%"
            if is_region:
                cell.font = bold
                cell.fill = band
    for i, w in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(file)


def share_rows_for_screen(allocation: Allocation) -> list[tuple[str, RegionTotal | InstitutionShare, str, int]]:
    """(kind, item, share, depth) in tree order, for the web page."""
    total = allocation.total
    depth = {r.id: r.depth for r in allocation.regions}
    return [
        (
            kind,
            item,
            share_of(item.quantity, total),
            item.depth if isinstance(item, RegionTotal) else depth[item.region_id] + 1,
        )
        for kind, item in allocation.rows()
    ]
