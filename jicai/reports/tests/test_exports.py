"""A region's files are written as the documents come (group by group), and say the same as one report's."""

import json
from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jicai.orgs.models import Institution
from jicai.reports.exports import write_csv, write_json, write_xlsx
from jicai.reports.fill import fill, fill_groups

SEPTEMBER = date(2020, 9, 1)


def layout(sheet) -> dict:
    """Everything of a sheet that shows or prints: cells with their styles, merges, sizes, pane, print setup.
    (Styles by repr: openpyxl's style proxies do not compare equal to each other.)"""
    setup, margins = sheet.page_setup, sheet.page_margins
    return {
        "cells": [
            (c.coordinate, c.value, c.number_format, *map(repr, (c.font, c.border, c.alignment)))
            for row in sheet.iter_rows()
            for c in row
        ],
        "merges": sorted(str(r) for r in sheet.merged_cells.ranges),
        "heights": {r: d.height for r, d in sheet.row_dimensions.items() if d.height},
        "widths": {k: d.width for k, d in sheet.column_dimensions.items()},
        "freeze_panes": sheet.freeze_panes,
        "print_title_rows": sheet.print_title_rows,
        "page": (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight),
        "fit_to_page": sheet.sheet_properties.pageSetUpPr.fitToPage,
        "centred": sheet.print_options.horizontalCentered,
        "margins": (margins.left, margins.right, margins.top, margins.bottom),
        "dimensions": sheet.dimensions,
    }


def test_fill_groups_gives_the_documents_of_fill_in_code_order(world):
    everyone = Institution.objects.all()
    grouped = list(fill_groups(everyone, SEPTEMBER, size=1))
    assert grouped == list(fill(everyone, SEPTEMBER).values())
    assert [d["institution"] for d in grouped] == ["H-A", "H-B", "H-N", "H-W"]


def test_every_sheet_of_a_region_workbook_has_the_layout_of_the_single_report(world, tmp_path):
    region = tmp_path / "region.xlsx"
    call_command("report", "monthly", "--region", "500000", "--month", "2020-09", "--format", "xlsx", "-o", region)
    sheets = load_workbook(region).worksheets
    assert [s.title for s in sheets] == ["H-A 2020-09", "H-B 2020-09", "H-W 2020-09"]
    for sheet in sheets:
        code = sheet.title.split()[0]
        single = tmp_path / f"{code}.xlsx"
        call_command("report", "monthly", "--institution", code, "--month", "2020-09", "--format", "xlsx", "-o", single)
        assert layout(sheet) == layout(load_workbook(single).active), code

    a, b = (layout(s) for s in sheets[:2])  # H-A has one row of its own, H-B three blank ones: footer in row 7
    for form in (a, b):
        assert form["merges"] == sorted(
            ["A1:I1", "A2:E2", "F2:I2", "A7:B7", "C7:D7", "E7:F7", "G7:I7", "A8:I8", "A9:I9", "A10:I10"]
        )
        assert (form["heights"][1], form["heights"][2], form["heights"][3], form["heights"][7]) == (36, 24, 48, 30)
        assert (form["widths"]["A"], form["widths"]["I"]) == (6, 52)
        assert (form["freeze_panes"], form["print_title_rows"], form["dimensions"]) == ("A4", "$3:$3", "A1:I10")
        assert form["page"][:3] in (("landscape", 9, 1), ("landscape", 9, None))  # fitToWidth 1 may be left out
        assert form["fit_to_page"] and form["centred"]
    # H-A's remarks wrap over several lines; a height is whole pixels (0.75 pt), so 20 pt is stored as 20.25
    assert a["heights"][4] > 21 and b["heights"][4] == pytest.approx(20, abs=0.75)


def test_region_json_file_is_the_reports_list(world, tmp_path, capsys):
    path = tmp_path / "region.json"
    call_command("report", "monthly", "--region", "500000", "--month", "2020-09", "--format", "json", "-o", path)
    expected = list(fill_groups(Institution.objects.exclude(code="H-N"), SEPTEMBER))
    assert path.read_bytes() == (json.dumps({"reports": expected}, ensure_ascii=False, indent=2) + "\n").encode()
    assert "（3 份月报表）" in capsys.readouterr().err


def test_write_json_streams_what_json_dumps_writes(world):
    documents = list(fill(Institution.objects.all(), SEPTEMBER).values())
    for n in (0, 1, 2, 4):
        stream = BytesIO()
        assert write_json(iter(documents[:n]), stream) == n
        whole = json.dumps({"reports": documents[:n]}, ensure_ascii=False, indent=2) + "\n"
        assert stream.getvalue() == whole.encode()


def test_write_csv_takes_a_generator(world):
    documents = fill(Institution.objects.all(), SEPTEMBER).values()
    stream = BytesIO()
    assert write_csv((d for d in documents), stream) == 4
    lines = stream.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("机构编码,医疗机构,数据月份,序号,药品通用名")
    assert [line.split(",")[0] for line in lines[1:]] == ["H-A", "H-B", "H-W"]  # H-N has no agreed volume


def test_a_remark_longer_than_a_cell_says_where_the_rest_is(world):
    document = next(iter(fill(Institution.objects.filter(code="H-A"), SEPTEMBER).values()))
    document["rows"][0]["remarks"] = "发票12345678，未回款；" * 4000  # 52,000 characters
    buffer = BytesIO()
    write_xlsx([document], buffer)
    cell = load_workbook(BytesIO(buffer.getvalue())).active["I4"].value
    assert len(cell) == 32767 and cell.startswith("发票12345678，未回款；") and cell.endswith("CSV 或 JSON 文件）")
