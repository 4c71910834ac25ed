"""jicai deductions: the budget deductions of a region and agreement year as records (SPEC §4.10).

--propose stores what `jicai penalties` computes as proposals; --confirm ID confirms one as the --user bureau.
`jicai penalties` stays the plain computation (SPEC §6)."""

import sys
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import FORMATS, acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.core.tabular import write_rows
from jicai.monitoring.deductions import (
    COLUMNS,
    DeductionError,
    confirm_deduction,
    deduction_dict,
    propose_deductions,
)
from jicai.monitoring.models import BudgetDeduction
from jicai.orgs.models import Region


class Command(BaseCommand):
    help = "医保总额扣减记录：提出（--propose）、确认（--confirm ID）与导出"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划编码（含下级）")
        parser.add_argument("--year", type=int, required=True, help="协议年度（第几年）")
        parser.add_argument("--as-of", help="按此日期已知的回款计算（默认今天）")
        parser.add_argument("--propose", action="store_true", help="按记录计算并保存待确认的扣减")
        parser.add_argument("--confirm", type=int, metavar="ID", action="append", help="确认该编号的扣减（可重复）")
        parser.add_argument("--note", default="", help="确认意见")
        parser.add_argument("-o", "--output", help="导出文件（.xlsx 或 .csv）")
        add_format_argument(parser, FORMATS)
        add_user_argument(parser)

    def handle(self, *args, region, year, as_of, propose, confirm, note, output, format, user, **options):
        actor = acting_user(user)
        scope = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
        as_of = parse_date(as_of) if as_of else date.today()
        visible = BudgetDeduction.objects.visible_to(actor).filter(
            institution__region__path__startswith=scope.path, year_no=year
        )
        try:
            if propose:
                p = propose_deductions(region=scope, year_no=year, as_of=as_of, by=actor)
                self.stderr.write(
                    f"新增 {p.created}，更新 {p.updated}，撤回 {p.removed}，未变 {p.unchanged}，已确认 {p.confirmed}"
                )
            for pk in confirm or []:
                deduction = get_or_fail(visible.select_related("institution__region"), "扣减", pk=pk)
                confirm_deduction(deduction=deduction, by=actor, note=note)
                self.stderr.write(f"已确认扣减 {pk}")
        except DeductionError as e:
            raise CommandError(str(e)) from None
        except PermissionDenied:
            raise CommandError("该用户无权提出或确认扣减（须为该区划或上级医保局的经办或负责人）") from None
        rows = [deduction_dict(d) for d in visible.select_related("institution", "confirmed_by")]
        if output:
            fmt = "xlsx" if output.endswith(".xlsx") else "csv"
            write_rows([str(h) for _f, h in COLUMNS], ([r[f] for f, _h in COLUMNS] for r in rows), fmt, output)
            self.stderr.write(f"已导出 {len(rows)} 条到 {output}")
        total = sum((r["amount"] for r in rows), start=0)
        emit(
            format,
            columns=[("id", "编号"), *COLUMNS[:-1]],
            rows=rows,
            document={"region": scope.code, "year": year, "total": total, "deductions": rows},
            title=f"{scope.name} 第{year}协议年度医保总额扣减记录",
            footer=f"合计 {total} 元",
        )
        sys.stdout.flush()
