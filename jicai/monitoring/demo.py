"""Demo story for the ledgers (SPEC §4.10, §4.11, §4.13, §7).

- 威海 (Shandong profile, prepayment on): the city bureau records the fund's advance of year 1 on the start day
  (30 % of each agreed amount) and offsets it by the institutions' payments up to the end of September 2020, so
  some advances are used up and others still hold a balance; 威海市中心医院 and 文登区人民医院 are paid for by the
  fund directly (直接结算), which settles their invoices without using their advance.
- 涪陵 (Chongqing profile, penalties on): after year 1 the district bureau proposes the budget deductions and
  confirms one of them; publishes the December 2020 bulletin and keeps a draft for January 2021.
- Both provinces: the quarterly payment audit of 2020Q4, as the scheduler produces it after the quarter.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from jicai.monitoring.deductions import confirm_deduction, propose_deductions
from jicai.monitoring.jobs import run_quarterly_audits
from jicai.monitoring.ledger import offset, prepay
from jicai.monitoring.models import BudgetDeduction
from jicai.orgs.models import Region
from jicai.reports.bulletins import draft_bulletin, publish_bulletin

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR_START = date(2020, 4, 15)
OFFSET_AS_OF = date(2020, 9, 30)
DEDUCTIONS_AS_OF = date(2021, 5, 31)
CONFIRMED = ("H50010200005", BudgetDeduction.Kind.SHORTFALL)  # 涪陵区第二人民医院, far behind all year
CONFIRM_NOTE = "已核对省平台采购数据，情况属实（演示数据）"
PUBLISHED_AT = datetime.combine(date(2021, 1, 12), time(10, 30), SHANGHAI)


def load() -> None:
    users = get_user_model().objects.select_related("membership__region")
    weihai_bureau = users.get(username="weihai_bureau")
    fuling_bureau = users.get(username="fuling_bureau")
    weihai, fuling = Region.objects.get(code="371000"), Region.objects.get(code="500102")

    prepay(region=weihai, year_no=1, on=YEAR_START, by=weihai_bureau)
    offset(region=weihai, year_no=1, as_of=OFFSET_AS_OF, by=weihai_bureau)

    propose_deductions(region=fuling, year_no=1, as_of=DEDUCTIONS_AS_OF, by=fuling_bureau)
    code, kind = CONFIRMED
    deduction = BudgetDeduction.objects.get(institution__code=code, year_no=1, kind=kind)
    confirm_deduction(
        deduction=deduction,
        by=fuling_bureau,
        note=CONFIRM_NOTE,
        at=datetime.combine(date(2021, 6, 8), time(15, 0), SHANGHAI),
    )

    december = draft_bulletin(region=fuling, month=date(2020, 12, 1), by=fuling_bureau)
    publish_bulletin(bulletin=december, by=fuling_bureau, at=PUBLISHED_AT)
    draft_bulletin(region=fuling, month=date(2021, 1, 1), by=fuling_bureau)

    run_quarterly_audits(date(2021, 1, 1))
