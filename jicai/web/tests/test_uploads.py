"""Imports in the browser: a dry run first, row errors named, nothing written until confirmed, administrators only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jicai.orgs.models import Region
from jicai.web import uploads

GOOD = "编码,名称,级别,上级编码\n371082,荣成市,区县,371000\n".encode("gb18030")
BAD = b"code,name,level,parent_code\n371082,,district,371000\n371083,X,village,999999\n"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOADS", tmp_path)
    return tmp_path


def post(client, content: bytes, name="regions.csv"):
    return client.post("/import/", {"kind": "regions", "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(("user", "status"), [("anonymous", 302), ("sd_bureau", 403), ("a_clerk", 403), ("admin", 200)])
def test_only_administrators_import(client_for, user, status):
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
