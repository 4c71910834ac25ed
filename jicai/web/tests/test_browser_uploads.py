"""An institution's clerk imports its own file in a real Chromium: a row of another hospital is refused with its
line and column, the corrected file is checked and imported, and both show in "我的上传" beside the demo's."""

from __future__ import annotations

import pytest

from jicai.web.tests.test_browser import SHOTS, browser, demo_data, sign_in  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADER = "机构编码,药品代码,月份,使用量\n"
OWN = "H37100000001,XD0011,2021-01,1200\n"  # 威海市立医院
OTHER = "H37108300002,XD0011,2021-01,300\n"  # 乳山市中医院


def _upload(page, name: str, content: str) -> None:
    page.select_option("select[name=kind]", "usage")
    page.set_input_files("input[name=file]", {"name": name, "mimeType": "text/csv", "buffer": content.encode()})
    with page.expect_navigation():  # the click returns before the answer to the upload has loaded
        page.click("form.upload-form button[type=submit]")


def test_an_institution_uploads_a_file_with_an_error_then_a_good_one(sign_in):  # noqa: F811
    page = sign_in("whsl_clerk")
    page.click("header a:text-is('导入')")
    assert page.locator("select[name=kind] option[value=regions]").count() == 0
    _upload(page, "一月使用量.csv", HEADER + OWN + OTHER)
    row = page.locator("#import-errors tbody tr")
    assert row.count() == 1
    message = "只能导入本机构（H37100000001）的数据，此处为“H37108300002”"
    assert row.inner_text().split("\t") == ["3", "机构编码", message]
    page.screenshot(path=SHOTS / "import_errors_institution.png", full_page=True)
    _upload(page, "一月使用量（改）.csv", HEADER + OWN)
    with page.expect_navigation():
        page.click("button[name=confirm]")
    assert "一月使用量（改）.csv 已导入" in page.inner_text(".messages")
    page.click("a:text-is('我的上传')")
    table = page.locator("#table-uploads tbody")
    assert table.locator("tr").nth(0).inner_text().split("\t")[4:6] == ["一月使用量（改）.csv", "已导入"]
    assert "2020年12月使用量.xlsx" in table.inner_text()  # the demo's uploads
    table.locator("tr", has_text="一月使用量.csv").locator("a").first.click()
    assert "只能导入本机构（H37100000001）的数据" in page.inner_text("#import-errors")
    page.go_back()
    page.screenshot(path=SHOTS / "my_uploads_institution.png", full_page=True)
