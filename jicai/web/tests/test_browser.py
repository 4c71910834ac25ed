"""The demo in a real Chromium on the live server: every role signs in and sees its home page, a bureau drills
down and downloads an export, an administrator uploads a broken file and reads the errors.

Screenshots go to var/screenshots (the best are copied to docs/screenshots by hand). Without Chromium these tests
are skipped with the reason; `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from jicai.core import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "jicai-demo-2020"
SHOTS = Path(settings.VAR_DIR) / "screenshots"
HOMES = {  # demo user → what their home page must show
    "admin": "系统管理",
    "sd_bureau": "山东省医疗保障局",
    "weihai_bureau": "威海市医疗保障局",
    "weihai_health": "威海市卫生健康委员会",
    "whsl_clerk": "威海市立医院",
    "fuling_hospital": "涪陵",
    "maker": "东临制药",
    "distributor": "海岱医药",
}


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def demo_data(transactional_db):
    demo.load()


@pytest.fixture
def browser(demo_data):
    """Started after the data are in: while Playwright's event loop runs, Django opens another connection object
    in this thread, one that would miss the serialized migration data the flush after the test restores."""
    executable = _chromium()
    if not executable:
        pytest.skip("没有找到 Chromium（Debian 软件包 chromium），浏览器测试跳过；.ci/run 会安装它")
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable)
        yield chromium
        chromium.close()


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def open_as(username: str):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        contexts.append(context)
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login/'] [type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_every_role_signs_in_to_its_own_home(sign_in):
    for username, expected in HOMES.items():
        page = sign_in(username)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert expected in page.inner_text("main")
        page.screenshot(path=SHOTS / f"home_{username}.png")


def test_a_bureau_drills_down_and_downloads_the_allocation(sign_in, live_server, tmp_path):
    page = sign_in("weihai_bureau")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("[data-chart=year_curve] svg")  # ECharts drew from the page's own static file
    assert "乳山市" in page.inner_text("main") and "涪陵" not in page.inner_text("main")
    page.screenshot(path=SHOTS / "dashboard_weihai_bureau.png")

    page.goto(f"{live_server.url}/")
    page.click("#institutions tr:has-text('威海市立医院') a")
    assert "威海市立医院" in page.inner_text("h1")
    assert "乳山" not in page.inner_text("main")  # one institution, not the region
    page.locator("a[href^='/awards/']").first.click()
    assert page.url.startswith(f"{live_server.url}/awards/")
    page.screenshot(path=SHOTS / "award_weihai_bureau.png", full_page=True)

    page.goto(f"{live_server.url}/volumes/allocate/")
    page.select_option("select[name=award]", index=1)
    page.click("button.primary:has-text('预览')")
    assert "小计" in page.inner_text("main")
    page.screenshot(path=SHOTS / "allocate_weihai_bureau.png", full_page=True)
    with page.expect_download() as download:
        page.click("a:text-is('XLSX') >> nth=0")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert "约定采购量分解表" in str(sheet["A1"].value)


def test_another_regions_institution_is_not_found(sign_in, live_server):
    page = sign_in("weihai_bureau")
    response = page.goto(f"{live_server.url}/institutions/H50010200001/")  # a 涪陵 hospital
    assert response.status == 404


def test_an_upload_with_errors_names_them_and_imports_nothing(sign_in):
    page = sign_in("admin")
    page.click("a:text-is('导入文件')")
    page.select_option("select[name=kind]", "institutions")
    page.set_input_files("input[name=file]", Path(settings.BASE_DIR) / "samples" / "broken" / "institutions.csv")
    page.click("form.form-stack button[type=submit]")
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() > 0
    assert "未导入任何数据" in page.inner_text("[role=alert]")
    assert page.locator("button[name=confirm]").count() == 0
    page.screenshot(path=SHOTS / "import_errors_admin.png", full_page=True)
