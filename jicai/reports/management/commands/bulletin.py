"""jicai bulletin: the 通报 of a region and month (SPEC §4.10); --publish freezes and publishes it."""

import json
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import acting_user, add_user_argument, get_or_fail, plain
from jicai.orgs.models import Region
from jicai.reports.bulletins import (
    BulletinError,
    bulletin_content,
    draft_bulletin,
    publish_bulletin,
    write_bulletin_xlsx,
)
from jicai.reports.models import Bulletin
from jicai.reports.rules import parse_month


class Command(BaseCommand):
    help = "通报：区划某月的完成情况、进度滞后、逾期回款和月报表未报机构；--publish 发布并冻结"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划编码（含下级）")
        parser.add_argument("--month", required=True, help="通报月份 YYYY-MM")
        parser.add_argument("--publish", action="store_true", help="发布（发布后内容冻结，不再改变）")
        parser.add_argument("--format", choices=("json", "xlsx"), default="json", help="输出格式")
        parser.add_argument("-o", "--output", help="输出文件（xlsx 必须指定）")
        add_user_argument(parser)

    def handle(self, *args, region, month, publish, format, output, user, **options):
        actor = acting_user(user)
        scope = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
        try:
            month = parse_month(month)
        except ValueError:
            raise CommandError(f"月份“{month}”应为 YYYY-MM") from None
        bulletin = Bulletin.objects.visible_to(actor).filter(region=scope, month=month).first()
        try:
            if publish:
                bulletin = bulletin or draft_bulletin(region=scope, month=month, by=actor)
                bulletin = publish_bulletin(bulletin=bulletin, by=actor)
                self.stderr.write(f"已发布 {scope.name} {month:%Y-%m} 通报")
        except BulletinError as e:
            raise CommandError(str(e)) from None
        except PermissionDenied:
            raise CommandError("该用户无权发布通报（须为该区划或上级医保局的经办或负责人）") from None
        if bulletin is not None and bulletin.status == Bulletin.Status.PUBLISHED:
            content, status = bulletin.content, "published"
        else:
            content, status = bulletin_content(scope, month), "draft"
        document = {**content, "status": status}
        if format == "xlsx":
            if not output:
                raise CommandError("xlsx 格式须用 -o 指定输出文件")
            with open(output, "wb") as f:
                write_bulletin_xlsx(content, f)
            self.stderr.write(f"已写入 {output}")
            return
        text = json.dumps(plain(document), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
