"""jicai ledger: the prepayment ledger of a region or an institution for an agreement year (SPEC §4.11).

--prepay writes the fund's advances of the year, --offset the offsets by the institutions' payments; both are
idempotent and need a bureau user (--user) or the console's administrator."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.monitoring import ledger
from jicai.monitoring.ledger import COLUMNS, LedgerError, as_dict, ledger_rows
from jicai.orgs.models import Institution, Region


class Command(BaseCommand):
    help = "医保基金预付台账：预付、冲抵、余额和医保基金直接结算"

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--region", help="区划编码（含下级）")
        who.add_argument("--institution", help="机构编码")
        parser.add_argument("--year", type=int, required=True, help="协议年度（第几年）")
        parser.add_argument("--as-of", help="按此日期已知的回款（默认今天）")
        parser.add_argument("--prepay", action="store_true", help="记入该年度的预付（已预付的不重复）")
        parser.add_argument("--offset", action="store_true", help="以医疗机构的回款冲抵预付（已冲抵的不重复）")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, region, institution, year, as_of, prepay, offset, format, user, **options):
        actor = acting_user(user)
        as_of = parse_date(as_of) if as_of else date.today()
        visible = Institution.objects.visible_to(actor)
        if region:
            scope = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
            institutions = visible.filter(region__path__startswith=scope.path)
        else:
            inst = get_or_fail(visible, "机构", code=institution)
            scope, institutions = inst.region, visible.filter(pk=inst.pk)
        try:
            if prepay:
                n = _write(ledger.prepay, region=scope, year_no=year, on=as_of, by=actor)
                self.stderr.write(f"记入预付 {n} 条")
            if offset:
                n = _write(ledger.offset, region=scope, year_no=year, as_of=as_of, by=actor)
                self.stderr.write(f"记入冲抵 {n} 条")
        except LedgerError as e:
            raise CommandError(str(e)) from None
        rows = [as_dict(r) for r in ledger_rows(institutions, year_no=year, as_of=as_of)]
        totals = {f: sum((r[f] for r in rows), start=0) for f in ("prepaid", "offset", "balance", "direct_settled")}
        emit(
            format,
            columns=COLUMNS,
            rows=rows,
            document={"region": scope.code, "year": year, "as_of": as_of, "totals": totals, "rows": rows},
            title=f"{scope.name} 第{year}协议年度医保基金预付台账",
            footer=f"预付 {totals['prepaid']}，冲抵 {totals['offset']}，余额 {totals['balance']}，"
            f"直接结算 {totals['direct_settled']}",
        )


def _write(service, **kwargs):
    try:
        return service(**kwargs)
    except PermissionDenied:
        raise CommandError("该用户无权记账（须为该区划或上级医保局的经办或负责人）") from None
