"""The demo's upload story (SPEC §7, §8): 威海市立医院's clerk uploads the hospital's December 2020 usage (使用量)
in the browser. The first file mixes in a row of another hospital and a misspelt month, so the check refuses it
with the line, the column and the reason; the corrected file passes the check and is imported. "我的上传" then
shows the three steps. The corrected file holds what the platform already has, so the demo's data stay as they
were imported (the re-import test expects nothing to change)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from jicai.core.import_records import import_file
from jicai.core.models import ImportRecord
from jicai.purchasing.models import Usage

CLERK = "whsl_clerk"  # 威海市立医院 经办
MONTH = date(2020, 12, 1)
OTHER_INSTITUTION = "H37108300002"  # 乳山市中医院: not the clerk's to report
FILE = "2020年12月使用量.xlsx"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# When the three steps happened (a working morning early in January), instead of the moment the demo was loaded.
TIMES = [datetime(2021, 1, 6, 9, 12), datetime(2021, 1, 6, 9, 31), datetime(2021, 1, 6, 9, 32)]


def load() -> dict[str, int]:
    """Run the story; returns the number of records each outcome left."""
    clerk = get_user_model().objects.select_related("membership__institution").get(username=CLERK)
    own = clerk.membership.institution
    usage = Usage.objects.filter(institution=own, month=MONTH).select_related("product").order_by("product__code")
    rows = [
        {"institution_code": own.code, "product_code": u.product.code, "month": "2020-12", "quantity": u.quantity}
        for u in usage
    ]
    broken = [dict(r) for r in rows]
    broken[1]["institution_code"] = OTHER_INSTITUTION
    broken[-1]["month"] = "2020-13"
    refused, first = import_file("usage", broken, user=clerk, file_name=FILE, dry_run=True)
    checked, second = import_file("usage", rows, user=clerk, file_name=FILE, dry_run=True)
    landed, third = import_file("usage", rows, user=clerk, file_name=FILE)
    if not refused.errors or checked.errors or not landed.landed:
        raise ValueError(f"演示数据：上传记录的故事不成立 {refused.errors[:3]} {checked.errors[:3]}")
    for record, at in zip((first, second, third), TIMES, strict=True):
        ImportRecord.objects.filter(pk=record.pk).update(at=at.replace(tzinfo=SHANGHAI))
    return {"refused": 1, "checked": 1, "landed": 1}
