"""The demo in a real Chromium on the live server: every role signs in and sees its home page and dashboard, a bureau
drills down from its region to one invoice and downloads exports, an institution submits its monthly report, a
company sorts and downloads what it is owed, an administrator uploads a broken file and reads the errors.

Each test loads the demo (seconds), so the steps are grouped into few tests. Screenshots (1366×768 windows) go to
var/screenshots; the best are copied to docs/screenshots by hand. Without Chromium these tests are skipped with
the reason; `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from jicai.core import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "jicai-demo-2020"
SHOTS = Path(settings.VAR_DIR) / "screenshots"
HOMES = {  # demo user → what their home page must show, and whether they have the region dashboard
    "admin": ("系统管理", True),
    "sd_bureau": ("山东省医疗保障局", True),
    "weihai_bureau": ("威海市医疗保障局", True),
    "weihai_health": ("威海市卫生健康委员会", True),
    "whsl_clerk": ("威海市立医院", False),
    "fuling_hospital": ("涪陵", False),
    "maker": ("东临制药", False),
    "distributor": ("海岱医药", False),
}
REPORT_INSTITUTION = "H37100000001"  # 威海市立医院
REPORT_MONTH = date(2020, 12, 1)


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


def _download(page, selector: str, folder: Path) -> Path:
    with page.expect_download() as download:
        page.click(selector)
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def test_every_role_signs_in_to_its_home_and_dashboard(sign_in, live_server):
    for username, (expected, has_dashboard) in HOMES.items():
        page = sign_in(username)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert expected in page.inner_text("main")
        page.screenshot(path=SHOTS / f"home_{username}.png")
        response = page.goto(f"{live_server.url}/dashboard/")
        assert response.status == (200 if has_dashboard else 403)
        if has_dashboard and username != "admin":
            page.wait_for_selector("[data-chart=year_curve] svg")  # ECharts drew from the page's own static file
            page.screenshot(path=SHOTS / f"dashboard_{username}.png")

    # The health commission reads the allocations of its region: no write link, no write button.
    page = sign_in("weihai_health")
    assert page.locator("a[href='/volumes/allocate/']").count() == 0
    page.click("a:text-is('约定采购量与执行进度')")
    assert "乳山" in page.inner_text("#regions") and "只读" in page.inner_text(".lead")
    assert page.locator("main form[method=post]").count() == 0
    page.screenshot(path=SHOTS / "volumes_weihai_health.png")


def test_a_bureau_drills_down_from_region_to_invoice_and_downloads(sign_in, live_server, tmp_path):
    page = sign_in("weihai_bureau")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("[data-chart=year_curve] svg")
    assert "乳山市" in page.inner_text("main") and "涪陵" not in page.inner_text("main")
    path = _download(page, "#awards a:text-is('XLSX')", tmp_path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["C1"].value == "通用名" and sheet.max_row > 1

    # region → sub-region → institution → award → deliveries and invoices → one invoice
    page.click("#table-regions a:text-is('371002')")
    assert "环翠区" in page.inner_text("h1")
    page.click("#table-institutions tbody tr >> nth=0 >> a >> nth=0")
    page.wait_for_url(f"{live_server.url}/institutions/**")
    assert "as_of=" in page.url
    page.click("#table-progress a[href*='/awards/'][href^='/institutions/'] >> nth=0")
    page.wait_for_url("**/awards/**")
    assert page.locator("#table-deliveries tbody tr").count() > 0
    page.screenshot(path=SHOTS / "drill_weihai_bureau.png", full_page=True)
    page.click("#table-invoices tbody a >> nth=0")
    page.wait_for_url(f"{live_server.url}/invoices/**")
    assert "发票明细" in page.inner_text("main")

    response = page.goto(f"{live_server.url}/institutions/H50010200001/")  # a 涪陵 hospital
    assert response.status == 404

    page.goto(f"{live_server.url}/volumes/allocate/")
    page.select_option("select[name=award]", index=1)
    page.click("button.primary:has-text('预览')")
    assert "小计" in page.inner_text("main")
    page.screenshot(path=SHOTS / "allocate_weihai_bureau.png", full_page=True)
    path = _download(page, "a:text-is('XLSX') >> nth=0", tmp_path)
    assert "约定采购量分解表" in str(openpyxl.load_workbook(path).active["A1"].value)


@pytest.fixture
def reopened_report(demo_data):
    """The December 2020 report is past its lock date today: the city bureau reopens it first, as it would
    (through the service, before the browser starts)."""
    from jicai.orgs.models import Institution
    from jicai.reports.services import reopen_report, report_for

    institution = Institution.objects.get(code=REPORT_INSTITUTION)
    bureau = get_user_model().objects.get(username="weihai_bureau")
    reopen_report(report=report_for(institution=institution, month=REPORT_MONTH), by=bureau, comment="演示：补报")


def test_an_institution_submits_its_monthly_report(reopened_report, sign_in, live_server):
    page = sign_in("whsl_clerk")
    assert "待办事项" in page.inner_text("#todo")
    page.screenshot(path=SHOTS / "home_institution_whsl_clerk.png")
    page.goto(f"{live_server.url}/reports/{REPORT_INSTITUTION}/{REPORT_MONTH:%Y-%m}/")
    assert "威海市立医院" in page.inner_text("main") and "已重新开放" in page.inner_text("main")
    page.fill("input[name=leader]", "分管副院长（演示数据）")
    page.fill("input[name=preparer]", "李药师")
    page.fill("input[name=phone]", "0631-5200001")
    reasons = page.locator("input[name^=reason_]")
    for n in range(reasons.count()):
        reasons.nth(n).fill("资金周转困难，已列入下月付款计划（演示数据）")
    page.screenshot(path=SHOTS / "report_form_whsl_clerk.png", full_page=True)
    page.click("button[name=action][value=submit]")
    assert "已提交第1版" in page.inner_text(".messages")
    assert "已提交" in page.inner_text(".facts")
    page.screenshot(path=SHOTS / "report_submitted_whsl_clerk.png", full_page=True)


def test_a_company_sorts_pages_and_downloads_what_it_is_owed(sign_in, live_server, tmp_path):
    page = sign_in("maker")
    assert "各医疗机构欠款" in page.inner_text("main")
    page.screenshot(path=SHOTS / "home_company_maker.png")
    page.click("#table-invoices th a:has-text('未回款')")  # sorted on the server, largest first
    page.wait_for_url("**invoices_sort=-outstanding**")
    assert page.locator("#table-invoices th[aria-sort=descending]").count() == 1
    next_page = page.locator("#invoices .pagination a:text-is('下一页')")
    if next_page.count():
        next_page.click()
        assert "invoices_sort=-outstanding" in page.url and "invoices_page=2" in page.url
    path = _download(page, "#owed a:text-is('XLSX')", tmp_path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "机构编码" and sheet.max_row > 1


def test_an_upload_with_errors_names_them_and_imports_nothing(sign_in):
    page = sign_in("admin")
    page.click("a:text-is('导入文件')")
    page.select_option("select[name=kind]", "institutions")
    page.set_input_files("input[name=file]", Path(settings.BASE_DIR) / "samples" / "broken" / "institutions.csv")
    page.click("form.upload-form button[type=submit]")
    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()  # the click returns before the answer to the upload has loaded
    assert errors.count() > 0
    assert "未导入任何数据" in page.inner_text("[role=alert]")
    assert page.locator("button[name=confirm]").count() == 0
    page.screenshot(path=SHOTS / "import_errors_admin.png", full_page=True)
