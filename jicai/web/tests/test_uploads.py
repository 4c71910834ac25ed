"""Imports in the browser: a dry run first, row errors named, nothing written until confirmed; administrators import
every kind, an institution's clerk its own purchasing records; every check and import is recorded (我的上传)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jicai.core.import_records import record
from jicai.core.imports import ImportResult, RowError
from jicai.core.models import ImportRecord
from jicai.core.testing import make_user
from jicai.orgs.models import Region
from jicai.purchasing.models import Order
from jicai.web import uploads

GOOD = "编码,名称,级别,上级编码\n371082,荣成市,区县,371000\n".encode("gb18030")
BAD = b"code,name,level,parent_code\n371082,,district,371000\n371083,X,village,999999\n"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOADS", tmp_path)
    return tmp_path


def post(client, content: bytes, name="regions.csv"):
    return client.post("/import/", {"kind": "regions", "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("user", "status"),
    [("anonymous", 302), ("sd_bureau", 403), ("a_viewer", 403), ("m1", 403), ("a_clerk", 200), ("admin", 200)],
)
def test_administrators_and_institution_clerks_import(client_for, user, status):
    assert client_for(user).get("/import/").status_code == status


def test_a_bad_file_lists_every_error_and_writes_nothing(client_for, upload_dir):
    html = post(client_for("admin"), BAD).content.decode()
    assert "发现 2 处错误，未导入任何数据" in html
    assert "<td>name</td><td>必填项为空</td>" in html.replace("\n", "")
    assert "未知的取值“village”" in html
    assert not Region.objects.filter(code__in=("371082", "371083")).exists()
    assert not list(upload_dir.iterdir())


def test_a_good_file_is_checked_then_imported_on_confirmation(client_for, upload_dir):
    client = client_for("admin")
    html = post(client, GOOD).content.decode()
    assert "校验通过" in html and "确认导入" in html
    assert not Region.objects.filter(code="371082").exists()  # the dry run wrote nothing
    token = client.session[uploads.PENDING]["token"]
    response = client.post("/import/", {"confirm": "1", "token": token}, follow=True)
    assert "已导入：新增 1，更新 0，未变 0" in response.content.decode()
    assert Region.objects.get(code="371082").parent.code == "371000"
    assert not list(upload_dir.iterdir()) and uploads.PENDING not in client.session


def test_a_confirmation_without_a_checked_file_imports_nothing(client_for):
    response = client_for("admin").post("/import/", {"confirm": "1", "token": "forged"}, follow=True)
    assert "没有待确认的文件" in response.content.decode()


ORDERS = "订单编号,机构编码,药品代码,配送企业编码,数量,单价,下单日期\n"
OWN_ORDER = "ORD-A7,H-WH-A,XP-P1,91370000000000001M,100,0.1830,2020-10-01\n"


def post_kind(client, kind: str, content: str, name: str):
    return client.post("/import/", {"kind": kind, "file": SimpleUploadedFile(name, content.encode())})


def test_an_institution_chooses_among_its_own_kinds(client_for):
    html = client_for("a_clerk").get("/import/").content.decode()
    assert 'value="orders"' in html and 'value="usage"' in html and 'value="regions"' not in html
    assert "只能导入本机构的数据：机构编码必须是 H-WH-A" in html
    response = post(client_for("a_clerk"), GOOD)  # a regions file: not a kind it may choose
    assert "regions 不在可用的选项中" in response.content.decode()
    assert not Region.objects.filter(code="371082").exists() and not ImportRecord.objects.exists()


def test_an_institution_imports_its_orders_and_sees_its_uploads(client_for, world):
    client = client_for("a_clerk")
    bad = ORDERS + OWN_ORDER + "ORD-A8,H-JN-B,XP-P1,91370000000000001M,100,0.1830,2020-10-01\n"
    html = post_kind(client, "orders", bad, "九月订单.csv").content.decode().replace("\n", "")
    assert '<td class="num">3</td><td>机构编码</td><td>只能导入本机构（H-WH-A）的数据，此处为“H-JN-B”</td>' in html
    post_kind(client, "orders", ORDERS + OWN_ORDER, "十月订单.csv")
    token = client.session[uploads.PENDING]["token"]
    client.post("/import/", {"confirm": "1", "token": token})
    assert Order.objects.get(order_id="ORD-A7").institution == world.objects["a"]
    records = list(ImportRecord.objects.order_by("pk").values_list("file_name", "dry_run", "landed", "error_count"))
    assert records == [
        ("九月订单.csv", True, False, 1),
        ("十月订单.csv", True, False, 0),
        ("十月订单.csv", False, True, 0),
    ]
    first = ImportRecord.objects.order_by("pk").first()
    assert (first.institution, first.region, first.user) == (
        world.objects["a"],
        world.objects["a"].region,
        world.users["a_clerk"],
    )
    page = client.get("/import/records/").content.decode()
    assert (
        page.count("<td>十月订单.csv</td>") == 2
        and "九月订单.csv" in page
        and "校验未通过" in page
        and "已导入" in page
    )
    detail = client.get(f"/import/records/{first.pk}/").content.decode()
    assert "只能导入本机构（H-WH-A）的数据，此处为“H-JN-B”" in detail


def test_another_institutions_uploads_are_invisible(client_for, world):
    c_clerk = make_user(world.objects["c"], role="clerk", username="c_clerk_uploads")
    failed = ImportResult(kind="orders", rows=1, errors=[RowError(2, "order_id", "必填项为空")], dry_run=True)
    theirs = record(failed, user=c_clerk, file_name="涪陵订单.csv")
    ours = record(ImportResult(kind="usage", rows=3, created=3), user=world.users["a_clerk"], file_name="使用量.csv")
    a = client_for("a_clerk")
    listing = a.get("/import/records/").content.decode()
    assert "使用量.csv" in listing and "涪陵订单.csv" not in listing
    assert a.get(f"/import/records/{theirs.pk}/").status_code == 404
    assert "涪陵订单.csv" not in a.get("/import/records.csv").content.decode()
    bureau = client_for("wh_bureau")  # 威海 sees its institutions' uploads, not 重庆's
    assert bureau.get(f"/import/records/{ours.pk}/").status_code == 200
    assert bureau.get(f"/import/records/{theirs.pk}/").status_code == 404
    assert client_for("admin").get(f"/import/records/{theirs.pk}/").status_code == 200
    assert client_for("m1").get("/import/records/").status_code == 403


def test_the_upload_list_sorts_and_exports(client_for, world):
    clerk = world.users["a_clerk"]
    for n, name in enumerate(("b.csv", "a.csv", "c.csv")):
        record(ImportResult(kind="usage", rows=n + 1, created=n + 1), user=clerk, file_name=name)
    a = client_for("a_clerk")
    html = a.get("/import/records/?sort=file_name").content.decode()
    assert html.index("a.csv") < html.index("b.csv") < html.index("c.csv")
    html = a.get("/import/records/?sort=-rows").content.decode()
    assert html.index("c.csv") < html.index("a.csv") < html.index("b.csv")
    csv = a.get("/import/records.csv?sort=file_name").content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("时间,用户,所属机构,导入类型,文件名,结果") and [r.split(",")[4] for r in csv[1:]] == [
        "a.csv",
        "b.csv",
        "c.csv",
    ]
