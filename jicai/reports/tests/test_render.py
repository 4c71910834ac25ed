"""The .xlsx form as a spreadsheet program prints it: LibreOffice renders it to PDF, which must be one A4 landscape
page carrying the title, the headers, the row and the notes. A PNG of the page goes to var/screenshots to look at.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdftoppm")

pytestmark = pytest.mark.skipif(
    not (SOFFICE and POPPLER),
    reason="没有 LibreOffice 或 poppler-utils（Debian 软件包 libreoffice-calc、poppler-utils），跳过；.ci/run 会安装",
)


def run(*args) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, timeout=180).stdout


def test_the_form_prints_on_one_a4_landscape_page(world, tmp_path):
    xlsx = tmp_path / "report.xlsx"
    call_command("report", "monthly", "--institution", "H-A", "--month", "2020-09", "--format", "xlsx", "-o", str(xlsx))
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"  # a private profile: runs never collide
    run(SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", tmp_path, xlsx)
    pdf = tmp_path / "report.pdf"

    info = run("pdfinfo", pdf)
    assert "Pages:           1" in info or "Pages: 1" in " ".join(info.split())
    width, height = (float(v) for v in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert (round(width), round(height)) == (842, 595)  # A4 landscape

    text = "".join(run("pdftotext", "-layout", pdf, "-").split())
    for expected in (
        "国家集中采购药品采购及回款进度月报表",
        "填报单位",
        "是否全额回款",
        "阿卡波糖片",
        "10.0000",
        "1.3200",
        "填表人",
    ):
        assert expected in text, expected

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    run("pdftoppm", "-png", "-r", "80", "-singlefile", pdf, shots / "monthly_report_form")
