"""jicai progress: completion against time progress per institution × award, for a region or an institution."""

from django.core.management.base import BaseCommand

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.orgs.models import Institution, Region
from jicai.volumes.models import AgreedVolume
from jicai.volumes.progress import progress_rows

COLUMNS = [
    ("institution", "机构编码"),
    ("institution_name", "机构名称"),
    ("generic_name", "通用名"),
    ("spec", "规格"),
    ("year_no", "协议年度"),
    ("agreed", "约定采购量"),
    ("purchased", "已采购量"),
    ("completion", "完成率"),
    ("time_progress", "序时进度"),
    ("status", "状态"),
    ("projected", "预计年底完成率"),
]


class Command(BaseCommand):
    help = "采购进度：每家机构每个中选药品的完成率、序时进度与状态"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--region", help="区划编码（含下级）")
        target.add_argument("--institution", help="机构编码")
        parser.add_argument("--as-of", required=True, help="截至日期 YYYY-MM-DD")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, region, institution, as_of, format, user, **options):
        actor = acting_user(user)
        volumes = AgreedVolume.objects.visible_to(actor)
        if region:
            scope = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
            volumes = volumes.filter(institution__region__path__startswith=scope.path)
        else:
            scope = get_or_fail(Institution.objects.visible_to(actor), "医疗机构", code=institution)
            volumes = volumes.filter(institution=scope)
        as_of = parse_date(as_of)
        out = [r.as_json() for r in progress_rows(volumes, as_of=as_of)]
        emit(
            format,
            columns=COLUMNS,
            rows=out,
            document={"as_of": as_of, "rows": out},
            title=f"{scope.name} 采购进度（截至 {as_of}）",
        )
