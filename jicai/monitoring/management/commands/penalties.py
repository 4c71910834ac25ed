"""jicai penalties: next year's budget deductions for shortfall and late payment, per institution."""

from datetime import date

from django.core.management.base import BaseCommand

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.monitoring.penalties import penalties
from jicai.orgs.models import Institution, Region

COLUMNS = [
    ("institution", "机构编码"),
    ("name", "机构名称"),
    ("shortfall_amount", "未完成约定量扣减"),
    ("late_amount", "逾期回款扣减"),
    ("total", "合计"),
]


class Command(BaseCommand):
    help = "医保总额扣减：协议年度未完成约定采购量和逾期回款的等额扣减"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划编码（含下级）")
        parser.add_argument("--year", type=int, required=True, help="协议年度（第几年）")
        parser.add_argument("--as-of", help="按此日期已知的回款计算（默认今天）")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, region, year, as_of, format, user, **options):
        actor = acting_user(user)
        scope = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
        profile = scope.effective_profile()
        if profile is not None and not profile.penalties_enabled:
            self.stderr.write(f"提示：{scope.name}的政策配置（{profile.name}）未启用医保总额扣减，以下仅供参考。")
        as_of = parse_date(as_of) if as_of else date.today()
        institutions = Institution.objects.visible_to(actor).filter(region__path__startswith=scope.path)
        result = penalties(institutions, year_no=year, as_of=as_of)
        out = [
            {
                "institution": p.institution,
                "name": p.institution_name,
                "shortfall_amount": p.deduction.shortfall_amount,
                "late_amount": p.deduction.late_amount,
                "total": p.deduction.total,
                "shortfalls": p.shortfalls,
                "late_invoices": p.late_invoices,
            }
            for p in result
        ]
        total = sum((p.deduction.total for p in result), start=0)
        emit(
            format,
            columns=COLUMNS,
            rows=out,
            document={"region": scope.code, "year": year, "as_of": as_of, "institutions": out},
            title=f"{scope.name} 第{year}协议年度医保总额扣减",
            footer=f"合计 {total} 元",
        )
