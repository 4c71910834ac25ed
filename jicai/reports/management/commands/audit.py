"""jicai audit: the quarterly payment audit of a region (SPEC §4.13). An audit already run for the region and
quarter is shown as it was frozen; otherwise it is run now (--user: a bureau user, default the administrator)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jicai.core.cli import acting_user, add_user_argument, emit, get_or_fail
from jicai.orgs.models import Region
from jicai.reports.audits import COLUMNS, AuditError, flat, parse_quarter, run_audit, visible_rows, write_audit_xlsx
from jicai.reports.models import PaymentAudit


class Command(BaseCommand):
    help = "季度回款排查：每家机构的按时回款率、逾期金额和最早未付发票"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划编码（含下级）")
        parser.add_argument("--quarter", required=True, help="季度，如 2020Q4")
        parser.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table", help="输出格式")
        parser.add_argument("-o", "--output", help="xlsx 输出文件")
        add_user_argument(parser)

    def handle(self, *args, region, quarter, format, output, user, **options):
        actor = acting_user(user)
        scope = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
        try:
            year, q = parse_quarter(quarter)
            audit = PaymentAudit.objects.visible_to(actor).filter(region=scope, year=year, quarter=q).first()
            if audit is None:
                audit, _created = run_audit(
                    region=scope, year=year, quarter=q, by=actor, source=PaymentAudit.Source.BUREAU
                )
                self.stderr.write(f"已完成 {scope.name} {audit.label} 回款排查")
        except AuditError as e:
            raise CommandError(str(e)) from None
        except PermissionDenied:
            raise CommandError("该用户无权排查（须为该区划或上级医保局的经办或负责人）") from None
        rows = visible_rows(audit, actor)
        if format == "xlsx":
            if not output:
                raise CommandError("xlsx 格式须用 -o 指定输出文件")
            with open(output, "wb") as f:
                write_audit_xlsx(audit, rows, f)
            self.stderr.write(f"已写入 {output}")
            return
        document = {
            "region": scope.code,
            "quarter": audit.label,
            "as_of": audit.as_of,
            "source": audit.source,
            "created_at": timezone.localtime(audit.created_at).isoformat(timespec="seconds"),
            "institutions": rows,
        }
        emit(
            format,
            columns=[(f, str(h)) for f, h, _w in COLUMNS],
            rows=[flat(r) for r in rows],
            document=document,
            title=f"{scope.name} {audit.label} 回款排查（截至 {audit.as_of}）",
        )
