"""jicai supply week|costs|remind: the weekly supply check of a region, the extra cost of substitutes per company,
and the reminders for missing checks (what `jicai tick` runs).

With --format json standard output holds only the JSON document; messages go to standard error.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.core.scoping import user_kind
from jicai.orgs.models import Institution, Region
from jicai.supply.costs import COMPANY_COLUMNS, PURCHASE_COLUMNS, company_rows
from jicai.supply.models import ShortageCase
from jicai.supply.services import remind_missing_checks
from jicai.supply.weeks import WEEK_COLUMNS, week_map, week_rows

MISSING_COLUMNS = [
    ("code", "机构编码"),
    ("name", "医疗机构"),
    ("region", "区划"),
    ("held", "应填报"),
    ("missing", "未填报"),
]


def _columns(columns):
    return [(field, str(header)) for field, header in columns]


def _region(actor, code: str) -> Region:
    if user_kind(actor) not in ("region", "admin"):
        raise CommandError("只有医保局、卫健委用户和系统管理员可以查看区划的供应情况")
    return get_or_fail(Region.objects.visible_to(actor), "区划", code=code)


class Command(BaseCommand):
    help = "供应保障：week 区划某周的供应情况；costs 短缺替代采购额外费用（按企业）；remind 催报未填报的机构"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        week = sub.add_parser("week", help="区划某周的供应情况：按品种、按企业，紧张、断供与未填报")
        week.add_argument("--region", required=True, help="区划编码")
        week.add_argument("--week", required=True, help="该周的任一日期 YYYY-MM-DD（按所在自然周计）")
        add_format_argument(week)
        add_user_argument(week)
        costs = sub.add_parser("costs", help="短缺事件替代采购的额外费用，按中选企业汇总")
        costs.add_argument("--region", required=True, help="区划编码")
        add_format_argument(costs)
        add_user_argument(costs)
        remind = sub.add_parser("remind", help="为某周未填报全部品种的机构生成催报（同一周只催一次）")
        remind.add_argument("--on", required=True, help="日期 YYYY-MM-DD：催报其所在自然周")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_week(self, *, region, week, format, user, **_):
        actor = acting_user(user)
        region = _region(actor, region)
        institutions = Institution.objects.visible_to(actor).filter(region__path__startswith=region.path)
        m = week_map(institutions, parse_date(week))
        rows = week_rows(m)
        missing = [vars(i) for i in m.missing]
        document = {
            "region": region.code,
            "week": m.week,
            "awards": rows,
            "companies": [vars(c) for c in m.companies],
            "missing": missing,
        }
        emit(
            format,
            columns=_columns(WEEK_COLUMNS),
            rows=rows,
            document=document,
            title=f"{region.name} {m.week} 当周中选药品供应情况",
            footer=f"未填报全部品种的机构：{len(missing)} 家",
        )
        if format == "table" and missing:
            emit("table", columns=MISSING_COLUMNS, rows=missing, document={}, title="未填报全部品种的机构")

    def handle_costs(self, *, region, format, user, **_):
        actor = acting_user(user)
        if user_kind(actor) in ("region", "admin"):
            region = _region(actor, region)
        else:  # an institution or a company: its own cases (already scoped), in the region named
            region = get_or_fail(Region.objects.all(), "区划", code=region)
        cases = ShortageCase.objects.visible_to(actor).filter(region__path__startswith=region.path)
        companies, purchases = company_rows(cases)
        rows = [c.as_dict() for c in companies]
        document = {
            "region": region.code,
            "companies": rows,
            "purchases": [{f: p[f] for f, _h in PURCHASE_COLUMNS} for p in purchases],
        }
        emit(
            format,
            columns=_columns(COMPANY_COLUMNS),
            rows=rows,
            document=document,
            title=f"{region.name} 替代采购额外费用",
        )

    def handle_remind(self, *, on, **_):
        created = remind_missing_checks(on=parse_date(on))
        sys.stderr.write(f"已生成 {created} 条催报。\n")
