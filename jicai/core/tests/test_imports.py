import io
import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from jicai.core import imports
from jicai.core.imports import KINDS, RowError, importer_for, run_import
from jicai.core.models import AuditEvent
from jicai.core.testing import make_user
from jicai.orgs.models import Institution, Region
from jicai.purchasing.models import Order

SAMPLES = Path(settings.BASE_DIR) / "samples"


def load_samples(*, through: str | None = None) -> None:
    """Import the good samples in dependency order (all of them, or up to and including `through`)."""
    for kind in KINDS:
        result = run_import(kind, SAMPLES / f"{kind}.csv")
        assert result.landed, result.errors
        if kind == through:
            return


def error_pairs(result) -> set[tuple[int, str]]:
    return {(e.line, e.column) for e in result.errors}


# Parsers


@pytest.mark.parametrize(
    ("raw", "expected"), [("12", 12), (" -3 ", -3), (12, 12), (12.0, 12), ("0", 0), (Decimal("7"), 7)]
)
def test_integer_accepts(raw, expected):
    assert imports.integer()(raw) == expected


@pytest.mark.parametrize("raw", ["1.5", 1.5, "12.0", "1e3", "abc", "1,200", True, float("nan")])
def test_integer_rejects(raw):
    with pytest.raises(imports.Invalid, match="不是整数"):
        imports.integer()(raw)


@pytest.mark.parametrize(
    ("parser", "raw", "message"),
    [
        (imports.integer(minimum=0), "-1", "不能为负数"),
        (imports.integer(minimum=1), "0", "必须大于 0"),
        (imports.integer(minimum=1990), "18", "不能小于 1990"),
        (imports.integer(maximum=2100), "2101", "不能大于 2100"),
        (imports.integer(nonzero=True), "0", "不能为 0"),
        (imports.integer(), "9" * 20, "数值过大"),
        (imports.money(positive=True), "0", "必须大于 0"),
        (imports.money(positive=True), "-1.00", "必须大于 0"),
        (imports.money(nonzero=True), "0.00", "不能为 0"),
        (imports.money(), "12.345", "小数位数不能超过 2 位"),
        (imports.money(), "1e3", "不是数字"),
        (imports.money(), "NaN", "不是数字"),
        (imports.money(), "1" * 15, "数值过大"),
        (imports.unit_price(minimum=0), "-0.0001", "不能为负数"),
        (imports.unit_price(), "0.05951", "小数位数不能超过 4 位"),
    ],
)
def test_range_and_format_messages(parser, raw, message):
    with pytest.raises(imports.Invalid, match=message):
        parser(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.0595", Decimal("0.0595")),
        ("12.5", Decimal("12.5000")),
        ("12.50000", Decimal("12.5000")),  # trailing zeros are not extra places
        (0.0595, Decimal("0.0595")),
        (0.1 + 0.2, Decimal("0.3000")),  # an Excel float at Excel's 15 digits
        (3, Decimal("3.0000")),
        (Decimal("0.183"), Decimal("0.1830")),
    ],
)
def test_unit_price_accepts(raw, expected):
    value = imports.unit_price()(raw)
    assert value == expected and value.as_tuple().exponent == -4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-04-15", date(2020, 4, 15)),
        ("2020/4/15", date(2020, 4, 15)),
        ("2020/4/15 0:00", date(2020, 4, 15)),
        (datetime(2020, 4, 15), date(2020, 4, 15)),
        (date(2020, 4, 15), date(2020, 4, 15)),
    ],
)
def test_dates(raw, expected):
    assert imports.parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"), [("15/04/2020", "YYYY-MM-DD"), ("2020-02-30", "不存在的日期"), ("20200415", "YYYY-MM-DD")]
)
def test_bad_dates(raw, message):
    with pytest.raises(imports.Invalid, match=message):
        imports.parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2020-09", date(2020, 9, 1)), ("2020/9", date(2020, 9, 1)), (datetime(2020, 9, 1), date(2020, 9, 1))],
)
def test_months(raw, expected):
    assert imports.parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2020-13", "2020-09-01", "202009", datetime(2020, 9, 15)])
def test_bad_months(raw):
    with pytest.raises(imports.Invalid, match="YYYY-MM"):
        imports.parse_month(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        (1, True),
        (False, False),
    ],
)
def test_booleans(raw, expected):
    assert imports.parse_bool(raw) is expected


def test_bad_boolean():
    with pytest.raises(imports.Invalid, match="是/否"):
        imports.parse_bool("对")


def test_enumerations_in_english_or_chinese_whatever_the_active_language():
    parse = imports.choice(Region.Level)
    with translation.override("en"):
        assert [parse(w) for w in ("province", "City", "省", "区县")] == ["province", "city", "province", "district"]
    with pytest.raises(imports.Invalid, match="province/省、city/市、district/区县"):
        parse("县")


def test_excel_numbers_as_codes():
    assert imports.text(12)(500102.0) == "500102"
    assert imports.text(12)(" 500102 ") == "500102"
    with pytest.raises(imports.Invalid, match="超过 3 个字符"):
        imports.text(3)("5001")


# Samples


def test_every_sample_lands_in_order_and_a_second_import_changes_nothing(db):
    load_samples()
    assert Region.objects.get(code="371002").path == "370000/371000/371002/"
    for kind in KINDS:
        result = run_import(kind, SAMPLES / f"{kind}.csv")
        assert (result.landed, result.created, result.updated) == (True, 0, 0), kind
        assert result.unchanged == result.rows > 0
    assert not AuditEvent.objects.exists()


def test_the_xlsx_sample_holds_the_same_orders_as_the_csv(db):
    load_samples(through="orders")
    result = run_import("orders", SAMPLES / "orders.xlsx")
    assert (result.landed, result.rows, result.unchanged) == (True, 5, 5)


BROKEN = {
    "regions": {
        (3, "parent_code"),
        (4, "level"),
        (5, "profile"),
        (6, "code"),
        (7, "parent_code"),
        (8, "code"),
        (9, "code"),
    },
    "institutions": {(3, "region_code"), (4, "kind"), (5, "participation"), (6, "code"), (7, "name")},
    "companies": {(3, "生产企业"), (4, "配送企业"), (5, "统一社会信用代码"), (6, "统一社会信用代码")},
    "products": {
        (3, "pack_size"),
        (4, "manufacturer_code"),
        (5, "listed_price"),
        (6, "listed_price"),
        (7, "pack_size"),
        (7, "strength_factor"),
    },
    "batches": {(3, "批次名称"), (4, "批次编码"), (5, "适用比例规则")},
    "awards": {
        (3, "province_code"),
        (4, "winning_price"),
        (5, "winners"),
        (5, "start_date"),
        (5, "cycle_years"),
        (6, "batch_code"),
        (7, "start_date"),
        (7, "batch_code"),
    },
    "award_distributors": {(3, "distributor_code"), (4, "product_code"), (5, "region_code"), (6, "batch_code")},
    "baselines": {(3, "年度"), (4, "使用量"), (5, "机构编码"), (6, "机构编码"), (7, "使用量")},
    "agreed_volumes": {(3, "year_no"), (4, "product_code"), (5, "quantity"), (6, "year_no"), (7, "product_code")},
    "orders": {
        (3, "quantity"),
        (4, "unit_price"),
        (5, "distributor_code"),
        (5, "ordered_on"),
        (6, "quantity"),
        (7, "order_id"),
    },
    "deliveries": {(3, "订单编号"), (4, "数量"), (5, "验收日期"), (6, "配送日期"), (7, "配送单号")},
    "invoices": {(3, "amount"), (4, "amount"), (5, "supplier_code"), (6, "confirmed_on"), (7, "institution_code")},
    "invoice_lines": {(3, "配送单号"), (4, "发票号"), (5, "配送单号"), (6, "金额"), (7, "发票号")},
    "payments": {(3, "amount"), (4, "invoice_no"), (5, "payer"), (6, "paid_on")},
    "usage": {(3, "月份"), (4, "月份"), (5, "药品代码"), (6, "机构编码"), (6, "使用量")},
}


def test_the_format_document_names_every_kind_and_column():
    doc = (Path(settings.BASE_DIR) / "docs" / "import-formats.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"### {kind} " in doc
        section = doc.split(f"### {kind} ", 1)[1].split("\n### ", 1)[0]
        for column in importer_for(kind).columns:
            assert f"| {column.name} | {column.alias} |" in section, (kind, column.name)


def test_every_kind_has_a_broken_sample():
    assert set(BROKEN) == set(KINDS) == {p.stem for p in (SAMPLES / "broken").glob("*.csv")}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_broken_sample_lands_nothing_and_names_every_bad_cell(db, kind):
    load_samples()
    model = importer_for(kind).model
    before = sorted(model.objects.values_list(), key=str)
    result = run_import(kind, SAMPLES / "broken" / f"{kind}.csv")
    assert not result.landed
    assert error_pairs(result) == BROKEN[kind]
    assert all(e.message for e in result.errors)
    assert [e.line for e in result.errors] == sorted(e.line for e in result.errors)
    assert sorted(model.objects.values_list(), key=str) == before
    assert not AuditEvent.objects.exists()


def test_duplicate_names_the_earlier_line_and_the_key_columns(db):
    load_samples()
    result = run_import("orders", SAMPLES / "broken" / "orders.csv")
    assert RowError(7, "order_id", "与第 2 行重复") in result.errors
    result = run_import("usage", SAMPLES / "broken" / "usage.csv")
    assert RowError(6, "机构编码", "与第 2 行重复（机构编码、药品代码、月份 相同）") in result.errors


def test_duplicates_are_found_across_chunks_and_a_bad_rows_key_still_counts(db, monkeypatch):
    # The staging table finds them (no map of every key in memory): chunks of 2 rows put each pair apart.
    load_samples(through="products")
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    rest = "H500102001,XDEMO0001,91500000DEMO0003D3,{quantity},0.1830,2020-09-15"
    ids = ["B1", "A1", "A2", "B1", "A1", "A1"]
    text = "\n".join(
        ["order_id,institution_code,product_code,distributor_code,quantity,unit_price,ordered_on"]
        + [f"{code}," + rest.format(quantity=0 if n == 0 else 100) for n, code in enumerate(ids)]
    )
    result = run_import("orders", _csv(text))
    assert result.errors == [
        RowError(2, "quantity", "必须大于 0"),
        RowError(5, "order_id", "与第 2 行重复"),
        RowError(6, "order_id", "与第 3 行重复"),
        RowError(7, "order_id", "与第 3 行重复"),
    ]
    assert not Order.objects.exists()


# Headers and encodings


def _csv(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


COMPANY_ROW = "91500000DEMO0009Z9,演示企业（演示数据）,是,否\n"


@pytest.mark.parametrize(
    "header",
    [
        "code,name,is_manufacturer,is_distributor\n",
        "CODE, Name ,Is_Manufacturer,IS_DISTRIBUTOR\n",
        "统一社会信用代码,企业名称,生产企业,配送企业\n",
        "统一社会信用代码,name,生产企业,is_distributor\n",
    ],
)
def test_headers_in_english_any_case_or_chinese(db, header):
    result = run_import("companies", _csv(header + COMPANY_ROW))
    assert (result.landed, result.created) == (True, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(db, encoding):
    result = run_import("companies", _csv("统一社会信用代码,企业名称,生产企业,配送企业\n" + COMPANY_ROW, encoding))
    assert result.landed
    assert imports.AuditEvent.objects.count() == 0


def test_header_errors_stop_before_the_rows(db):
    result = run_import("companies", _csv("code,name,manufacturer,配送企业\n1,2,3,4\n"))
    assert not result.landed and result.rows == 0
    assert result.errors == [
        RowError(1, "manufacturer", "未知的列“manufacturer”"),
        RowError(1, "is_manufacturer", "缺少必填列 is_manufacturer（生产企业）"),
    ]


def test_a_header_written_twice(db):
    result = run_import("companies", _csv("\ncode,name,配送企业,配送企业\n1,2,3,4\n"))
    assert result.errors == [RowError(2, "配送企业", "表头“配送企业”出现了两次")]


def test_the_same_column_twice_under_two_names(db):
    result = run_import("batches", _csv("code,批次编码,name,ratio_rule_applies\nX,X,第九批,否\n"))
    assert result.errors == [RowError(1, "批次编码", "与列“code”是同一列")]


def test_an_unreadable_file_is_one_error(db):
    result = run_import("companies", io.BytesIO(b"PK\x03\x04garbage"))
    assert [(e.line, e.column) for e in result.errors] == [(0, "")]
    assert result.errors[0].message.startswith("无法读取文件")


def test_a_header_without_rows_is_a_clean_empty_import(db):
    result = run_import("companies", _csv("code,name,is_manufacturer,is_distributor\n"))
    assert result.landed and result.rows == 0


def test_unknown_kind():
    with pytest.raises(ValueError, match="未知的导入类型"):
        run_import("drugs", [])


# Behaviour


def test_dry_run_counts_and_writes_nothing(db):
    load_samples(through="regions")
    result = run_import("institutions", SAMPLES / "institutions.csv", dry_run=True)
    assert (result.dry_run, result.landed, result.created, result.errors) == (True, False, 6, [])
    assert not Institution.objects.exists()


def test_dicts_with_typed_values_like_the_demo_builder(db):
    load_samples(through="products")
    rows = [
        dict(
            order_id="DD-T-1",
            institution_code="H500102001",
            product_code="XDEMO0001",
            distributor_code="91500000DEMO0003D3",
            quantity=30000,
            unit_price=Decimal("0.1830"),
            ordered_on=date(2020, 9, 15),
        )
    ]
    result = run_import("orders", rows)
    assert result.landed and result.created == 1
    order = Order.objects.get(order_id="DD-T-1")
    assert (order.quantity, order.unit_price, order.ordered_on) == (30000, Decimal("0.1830"), date(2020, 9, 15))
    bad = run_import("orders", [{**rows[0], "quantity": 1.5}])
    assert bad.errors == [RowError(2, "quantity", "不是整数：“1.5”")]


def test_a_changed_row_is_updated_and_audited(db):
    load_samples(through="orders")
    user = make_user()
    text = (SAMPLES / "orders.csv").read_text(encoding="utf-8")
    changed = text.replace(
        "DD2020090001,H500102001,XDEMO0001,91500000DEMO0003D3,30000,0.1830",
        "DD2020090001,H500102001,XDEMO0001,91500000DEMO0005X5,32000,0.1830",
    )
    result = run_import("orders", _csv(changed), user=user)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    order = Order.objects.get(order_id="DD2020090001")
    assert (order.quantity, order.distributor.code) == (32000, "91500000DEMO0005X5")
    event = AuditEvent.objects.get()
    assert (event.action, event.model, event.key, event.user) == ("import.update", "orders", "DD2020090001", user)
    assert event.changes == {
        "distributor_code": ["91500000DEMO0003D3", "91500000DEMO0005X5"],
        "quantity": [30000, 32000],
    }
    again = run_import("orders", _csv(changed), user=user)
    assert (again.updated, again.unchanged, AuditEvent.objects.count()) == (0, 5, 1)


def test_decimal_and_date_changes_are_audited_as_text(db):
    load_samples(through="awards")
    text = (SAMPLES / "awards.csv").read_text(encoding="utf-8")
    changed = text.replace("XDEMO0001,500000,0.1830,3,2020-04-15", "XDEMO0001,500000,0.1790,3,2020-05-01")
    assert run_import("awards", _csv(changed)).updated == 1
    event = AuditEvent.objects.get()
    assert event.key == "GY-YD2019-2/XDEMO0001/500000"
    assert event.changes == {"winning_price": ["0.1830", "0.1790"], "start_date": ["2020-04-15", "2020-05-01"]}


def test_progress_is_reported(db):
    calls = []
    run_import("batches", SAMPLES / "batches.csv", progress=lambda *args: calls.append(args))
    assert calls == [("read", 2, 2), ("write", 2, 2)]


# The command


def test_command_json_when_it_lands(db):
    out = io.StringIO()
    call_command("import", "regions", str(SAMPLES / "regions.csv"), "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    assert document == {
        "kind": "regions",
        "rows": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "landed": True,
        "dry_run": False,
        "errors": [],
    }


def test_command_json_and_exit_status_when_rows_are_bad(db):
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", "regions", str(SAMPLES / "broken" / "regions.csv"), "--format", "json", stdout=out)
    assert raised.value.returncode == 1
    document = json.loads(out.getvalue())
    assert document["landed"] is False
    assert {(e["line"], e["column"]) for e in document["errors"]} == BROKEN["regions"]
    assert not Region.objects.exists()


def test_command_table_output(db):
    out = io.StringIO()
    call_command("import", "regions", str(SAMPLES / "regions.csv"), "--dry-run", stdout=out)
    assert "regions：共 5 行，新增 5，更新 0，未变 0（试运行，未写入）" in out.getvalue()
    with pytest.raises(CommandError, match="7 处错误"):
        call_command("import", "regions", str(SAMPLES / "broken" / "regions.csv"), stdout=out)
    assert "未知的上级编码“599999”" in out.getvalue()


def test_command_missing_file(db):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import", "regions", "no-such-file.csv")


def test_console_script_exit_status_and_clean_stdout(tmp_path):
    """The CLI contract as integrators script it: a real process, stdout holding only the JSON document."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"JICAI_VAR": str(tmp_path)}
    jicai = Path(sys.executable).with_name("jicai")  # the console script installed beside this interpreter

    def run(*args):
        return subprocess.run([jicai, *args], env=env, cwd=tmp_path, capture_output=True, text=True)

    assert run("migrate", "--noinput").returncode == 0
    good = run("import", "regions", str(SAMPLES / "regions.csv"), "--format", "json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["created"] == 5
    bad = run("import", "institutions", str(SAMPLES / "broken" / "institutions.csv"), "--format", "json")
    assert bad.returncode == 1
    assert len(json.loads(bad.stdout)["errors"]) == len(BROKEN["institutions"])
    assert "导入失败" in bad.stderr
