"""The demo's allocation story (SPEC §4.3, §7), run after the demo's import: the 威海 bureau sets the second
agreement year of 阿卡波糖片 by the default rule (no institution below its first year) and then reallocates (调剂)
some of it between two 威海 hospitals, with a reason. Year 1, which the demo imported, is left as it is (the
re-import test expects it unchanged)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from jicai.catalog.models import Award
from jicai.orgs.models import Institution, Region
from jicai.volumes.allocation import Move, default_next_year, reallocate

BUREAU_USER = "weihai_bureau"
REGION = "371000"  # 威海市
BATCH, PRODUCT = "GY-YD2019-2", "XD0011"  # 阿卡波糖片, 3 winners: a cycle of 2 years
SOURCE, TARGET = "H37108300002", "H37100000003"  # 乳山市中医院 (rush buying) → 威海市妇幼保健院
REASON = "乳山市中医院首年突击采购、库存偏高，经协商调减部分第二年约定量，调剂至威海市妇幼保健院（演示数据）"


def load() -> dict[str, int]:
    """Run the story; returns how many volumes each step wrote."""
    by = get_user_model().objects.select_related("membership__region").get(username=BUREAU_USER)
    region = Region.objects.get(code=REGION)
    award = Award.objects.select_related("batch", "product", "province").get(
        batch__code=BATCH, product__code=PRODUCT, province__code="370000"
    )
    allocation = default_next_year(award=award, region=region, year_no=1, by=by)
    source, target = Institution.objects.filter(code__in=(SOURCE, TARGET)).order_by("code")
    source, target = (source, target) if source.code == SOURCE else (target, source)
    moved = next(s for s in allocation.institutions if s.code == SOURCE).quantity // 10
    history = reallocate(award=award, year_no=2, moves=[Move(source, target, moved)], reason=REASON, by=by)
    return {"year_2": allocation.written or 0, "reallocated": len(history)}
