"""jicai monitor: run every check of SPEC §4 for a region and below and store the warnings (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.monitoring.checks import run_checks
from jicai.monitoring.models import Warning
from jicai.orgs.models import Region
from jicai.policy.rules.days import MissingCalendarYear


class Command(BaseCommand):
    help = "监测：对区划及下级运行全部检查并保存预警；重复运行不会重复预警，已不成立的预警自动解除"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划编码")
        parser.add_argument("--as-of", required=True, help="检查日期 YYYY-MM-DD")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, region, as_of, format, user, **options):
        scope = get_or_fail(Region.objects.visible_to(acting_user(user)), "区划", code=region)
        try:
            summary = run_checks(region=scope, as_of=parse_date(as_of))
        except MissingCalendarYear as e:
            raise CommandError(str(e)) from None
        for note in summary.notes:
            self.stderr.write(note)
        out = [
            {
                "kind": k,
                "label": label,
                "opened": summary.opened[k],
                "still_open": summary.still_open[k],
                "closed": summary.closed[k],
            }
            for k, label in Warning.Kind.choices
        ]
        doc = {
            "region": scope.code,
            "as_of": as_of,
            "opened": sum(summary.opened.values()),
            "still_open": sum(summary.still_open.values()),
            "closed": sum(summary.closed.values()),
            "by_kind": out,
            "notes": summary.notes,
        }
        emit(
            format,
            columns=[("label", "预警类型"), ("opened", "新增"), ("still_open", "仍存在"), ("closed", "解除")],
            rows=out,
            document=doc,
            title=f"{scope.name} 监测（{as_of}）",
            footer=f"新增 {doc['opened']}，仍存在 {doc['still_open']}，解除 {doc['closed']}",
        )
