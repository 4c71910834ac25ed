"""Imports through the API by an institution: its own purchasing files only, each call recorded ("我的上传")."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jicai.core.models import ImportRecord
from jicai.purchasing.models import Usage

USAGE = "institution_code,product_code,month,quantity\n{code},XP-P1,2020-10,{quantity}\n"


def _upload(client, kind: str, content: str, *, dry_run: bool, name="usage.csv"):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content.encode()), "dry_run": dry_run}
    return client.post("/api/imports/", data, format="multipart")


def test_an_institution_imports_its_usage_through_the_api_and_each_call_is_recorded(api_for, world):
    client = api_for("a_clerk")
    checked = _upload(client, "usage", USAGE.format(code="H-WH-A", quantity=40), dry_run=True)
    assert checked.status_code == 200 and checked.json()["created"] == 1
    landed = _upload(client, "usage", USAGE.format(code="H-WH-A", quantity=40), dry_run=False, name="十月.csv")
    assert landed.json()["landed"] is True
    assert Usage.objects.get(institution=world.objects["a"], month__month=10).quantity == 40
    record = ImportRecord.objects.get(pk=landed.json()["record"])
    assert (record.user, record.institution, record.file_name, record.landed) == (
        world.users["a_clerk"],
        world.objects["a"],
        "十月.csv",
        True,
    )
    assert ImportRecord.objects.get(pk=checked.json()["record"]).dry_run is True


def test_a_row_of_another_institution_is_rejected_and_recorded(api_for, world):
    response = _upload(api_for("c_clerk"), "usage", USAGE.format(code="H-WH-A", quantity=5), dry_run=False)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"line": 2, "column": "institution_code", "message": "只能导入本机构（H-FL-C）的数据，此处为“H-WH-A”"}
    ]
    assert not Usage.objects.filter(month__month=10).exists()
    record = ImportRecord.objects.get()
    assert (record.institution, record.error_count, record.errors[0]["line"]) == (world.objects["c"], 1, 2)
    # The record is C's: A's clerk does not see it, 重庆's institution does.
    assert not ImportRecord.objects.visible_to(world.users["a_clerk"]).exists()
    assert ImportRecord.objects.visible_to(world.users["c_clerk"]).count() == 1
    assert not ImportRecord.objects.visible_to(world.users["sd_bureau"]).exists()


@pytest.mark.parametrize(
    ("user", "kind"), [("a_viewer", "usage"), ("wh_bureau", "usage"), ("dist", "orders"), ("a_clerk", "regions")]
)
def test_who_may_not_import_is_refused_and_nothing_is_recorded(api_for, user, kind):
    response = _upload(api_for(user), kind, USAGE.format(code="H-WH-A", quantity=5), dry_run=True)
    assert response.status_code == 403
    assert not ImportRecord.objects.exists()


def test_the_cli_imports_as_a_user_with_the_same_rights_and_records_it(world, tmp_path):
    own, other = tmp_path / "own.csv", tmp_path / "other.csv"
    own.write_text(USAGE.format(code="H-WH-A", quantity=12), encoding="utf-8")
    other.write_text(USAGE.format(code="H-FL-C", quantity=12), encoding="utf-8")
    out = StringIO()
    call_command("import", "usage", str(own), "--user", "a_clerk", "--format", "json", stdout=out)
    record = ImportRecord.objects.get(pk=json.loads(out.getvalue())["record"])
    assert (record.user, record.institution, record.file_name, record.rows) == (
        world.users["a_clerk"],
        world.objects["a"],
        "own.csv",
        1,
    )
    with pytest.raises(CommandError) as refused:
        call_command("import", "usage", str(other), "--user", "a_clerk", stdout=StringIO())
    assert refused.value.returncode == 1
    assert ImportRecord.objects.count() == 2 and not Usage.objects.filter(institution=world.objects["c"]).exists()
    for user in ("wh_bureau", "nobody"):
        with pytest.raises(CommandError, match=user):
            call_command("import", "usage", str(own), "--user", user, stdout=StringIO())
    assert ImportRecord.objects.count() == 2
