import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from jicai.core.tabular import TabularError, estimate_rows, read_rows, write_rows

CSV_TEXT = "编码,名称\n500000,重庆市\n\n500102,涪陵区\n"
EXPECTED = [(2, {"编码": "500000", "名称": "重庆市"}), (4, {"编码": "500102", "名称": "涪陵区"})]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_excel_writes(encoding):
    assert list(read_rows(io.BytesIO(CSV_TEXT.encode(encoding)))) == EXPECTED


def test_gb18030_detected_even_when_the_header_is_ascii(tmp_path):
    # The first megabyte decodes as UTF-8; only a later row tells the encoding.
    text = "code,name\n" + "1,a\n" * 300_000 + "2,涪陵区\n"
    path = tmp_path / "late.csv"
    path.write_bytes(text.encode("gb18030"))
    rows = list(read_rows(path))
    assert rows[-1] == (300_002, {"code": "2", "name": "涪陵区"})


def test_line_numbers_count_blank_rows_and_a_quoted_cell_spanning_lines_is_one_row():
    text = 'code,name\n\n1,"two\nlines"\n,\n3,c\n'
    assert list(read_rows(io.BytesIO(text.encode()))) == [
        (3, {"code": "1", "name": "two\nlines"}),
        (5, {"code": "3", "name": "c"}),
    ]


def test_short_rows_are_padded_and_blank_headers_ignored():
    text = "code,,name\n1,x\n"
    assert list(read_rows(io.BytesIO(text.encode()))) == [(2, {"code": "1", "name": None})]


def test_duplicate_header_is_an_error():
    with pytest.raises(TabularError, match="出现了两次"):
        list(read_rows(io.BytesIO(b"code,code\n1,2\n")))


def _xlsx(rows, tmp_path, name="t.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("second").append(["ignored"])
    path = tmp_path / name
    workbook.save(path)
    return path


def test_xlsx_first_sheet_typed_cells_and_line_numbers(tmp_path):
    path = _xlsx(
        [
            ["order_id", "quantity", "unit_price", "ordered_on"],
            ["DD1", 30000, 0.183, datetime(2020, 9, 15)],
            [None, None, None, None],
            ["DD2", 12.0, 1, datetime(2020, 9, 16)],
        ],
        tmp_path,
    )
    assert list(read_rows(path)) == [
        (2, {"order_id": "DD1", "quantity": 30000, "unit_price": 0.183, "ordered_on": datetime(2020, 9, 15)}),
        (4, {"order_id": "DD2", "quantity": 12, "unit_price": 1, "ordered_on": datetime(2020, 9, 16)}),
    ]
    assert estimate_rows(path) == 3


def test_xlsx_from_a_file_object_that_cannot_seek(tmp_path):
    path = _xlsx([["code"], ["500000"]], tmp_path)

    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    assert list(read_rows(Pipe(path.read_bytes()))) == [(2, {"code": "500000"})]


def test_corrupt_xlsx_is_a_file_error():
    with pytest.raises(TabularError, match="XLSX"):
        list(read_rows(io.BytesIO(b"PK\x03\x04 not really a zip")))


def test_estimate_rows_of_csv(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("code\n1\n2\n3\n", encoding="utf-8")
    assert estimate_rows(path) == 3
    assert estimate_rows(io.BytesIO(b"")) is None


HEADER = ["invoice_no", "amount", "issued_on", "note"]
ROWS = [["FP1", Decimal("5490.00"), date(2020, 9, 23), "涪陵"], ["FP2", Decimal("0.0595"), None, None]]


def test_write_csv_with_bom_reads_back(tmp_path):
    path = tmp_path / "out.csv"
    write_rows(HEADER, ROWS, "csv", path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to see UTF-8
    assert list(read_rows(path)) == [
        (2, {"invoice_no": "FP1", "amount": "5490.00", "issued_on": "2020-09-23", "note": "涪陵"}),
        (3, {"invoice_no": "FP2", "amount": "0.0595", "issued_on": "", "note": ""}),
    ]


def test_write_xlsx_keeps_exact_decimals(tmp_path):
    path = tmp_path / "out.xlsx"
    write_rows(HEADER, ROWS, "xlsx", path)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["B2"].value == 5490 and sheet["B3"].value == 0.0595
    assert sheet["C2"].value == datetime(2020, 9, 23)


def test_write_json_to_a_stream():
    stream = io.BytesIO()
    write_rows(HEADER, ROWS, "json", stream)
    assert json.loads(stream.getvalue()) == [
        {"invoice_no": "FP1", "amount": "5490.00", "issued_on": "2020-09-23", "note": "涪陵"},
        {"invoice_no": "FP2", "amount": "0.0595", "issued_on": None, "note": None},
    ]


def test_unknown_format():
    with pytest.raises(ValueError, match="不支持的格式"):
        write_rows(HEADER, [], "ods", io.BytesIO())
