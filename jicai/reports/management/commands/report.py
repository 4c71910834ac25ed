"""jicai report monthly|status: the monthly report (月报表) of an institution or a whole region, and who has
reported.

`monthly --institution CODE --month YYYY-MM` fills the report from the records (with the reasons and signatures
the institution has entered); `--region CODE` instead writes every report of the region and below in one go
(one sheet each in the .xlsx). With --format json standard output holds only the JSON document.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jicai.core.cli import acting_user, add_user_argument, emit, get_or_fail, plain
from jicai.core.progress_bar import progress_bar
from jicai.core.scoping import user_kind
from jicai.orgs.models import Institution, Region
from jicai.policy.rules.days import MissingCalendarYear
from jicai.reports.exports import COLUMNS, write_csv, write_json, write_report, write_xlsx
from jicai.reports.fill import fill, fill_groups
from jicai.reports.rules import parse_month
from jicai.reports.status import TIMELINESS, must_report, region_status

FILLING = "生成月报表"

STATUS_COLUMNS = [
    ("institution", "机构编码"),
    ("institution_name", "医疗机构"),
    ("region_name", "区划"),
    ("status", "状态"),
    ("revision", "版本"),
    ("due_on", "报送截止"),
    ("submitted_at", "首次提交时间"),
    ("timeliness", "及时性"),
]


def _counted(documents, update):
    """The documents as they come, drawing the progress bar (a region's report takes a minute for a province)."""
    for n, document in enumerate(documents, start=1):
        yield document
        update(n, description=f"{FILLING}：{document['institution_name']}")


def _month(text: str):
    try:
        return parse_month(text)
    except ValueError:
        raise CommandError(f"月份“{text}”应为 YYYY-MM") from None


def _reporting_institutions(actor):
    """Institutions whose reports the user may read: a company reads none."""
    if user_kind(actor) == "company":
        return Institution.objects.none()
    return Institution.objects.visible_to(actor)


class Command(BaseCommand):
    help = "月报表：monthly 生成机构（或整个区划）某月的月报表；status 查看区划某月的报送情况"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="生成月报表（json、csv、xlsx 或表格）")
        who = monthly.add_mutually_exclusive_group(required=True)
        who.add_argument("--institution", help="机构编码")
        who.add_argument("--region", help="区划编码：该区划及下级所有须报送机构的月报表")
        monthly.add_argument("--month", required=True, help="数据月份 YYYY-MM")
        monthly.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table", help="输出格式")
        monthly.add_argument("-o", "--output", help="写入文件（xlsx 必须指定）")
        add_user_argument(monthly)
        status = sub.add_parser("status", help="区划某月的报送情况：按时、逾期、未报，完整率与及时率")
        status.add_argument("--region", required=True, help="区划编码")
        status.add_argument("--month", required=True, help="数据月份 YYYY-MM")
        status.add_argument("--format", choices=("table", "json", "csv"), default="table", help="输出格式")
        add_user_argument(status)

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except MissingCalendarYear as e:
            raise CommandError(str(e)) from None

    def handle_monthly(self, *, institution, region, month, format, output, user, **_):
        actor = acting_user(user)
        month = _month(month)
        visible = _reporting_institutions(actor)
        if institution:
            inst = get_or_fail(visible, "医疗机构", code=institution)
            documents, total = fill(visible.filter(pk=inst.pk), month).values(), 1
        else:
            area = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
            reporting = must_report(visible.filter(region__path__startswith=area.path))
            if format == "xlsx" and not reporting.exists():  # a workbook needs a sheet; JSON and CSV may be empty
                raise CommandError(f"区划 {area.code}（{area.name}）没有须报送月报表的医疗机构，未生成 xlsx")
            # A generator: the region's documents are filled group by group while they are written.
            documents, total = fill_groups(reporting, month), reporting.count()
        if format == "xlsx" and not output:
            raise CommandError("xlsx 格式请用 -o 指定输出文件")
        if output:
            with open(output, "wb") as stream, progress_bar(FILLING, total=total) as update:
                count = self._write(_counted(documents, update), format, stream, single=bool(institution))
            self.stderr.write(f"已写入 {output}（{count} 份月报表）")
            return
        if format in ("json", "csv"):
            with progress_bar(FILLING, total=total) as update:
                self._write(_counted(documents, update), format, sys.stdout.buffer, single=bool(institution))
            sys.stdout.flush()
            return
        for document in documents:
            emit(
                "table",
                columns=[(f, str(h)) for f, h, _w in COLUMNS],
                rows=document["rows"],
                document=document,
                title=f"{document['title']}（{document['institution_name']}，{document['month']}）",
                footer=f"报送截止 {document['due_on']}，状态 {document['status']}，共 {len(document['rows'])} 行",
            )

    @staticmethod
    def _write(documents, fmt, stream, *, single: bool) -> int:
        """Write `documents` (any iterable) to `stream`; the number written."""
        if single:
            [document] = documents
            write_report(document, fmt, stream)
            return 1
        writer = {"xlsx": write_xlsx, "csv": write_csv, "json": write_json}[fmt]
        return writer(documents, stream)

    def handle_status(self, *, region, month, format, user, **_):
        actor = acting_user(user)
        month = _month(month)
        area = get_or_fail(Region.objects.visible_to(actor), "区划", code=region)
        visible = _reporting_institutions(actor).filter(region__path__startswith=area.path)
        rows, summary = region_status(visible, month)
        out = [
            {
                "institution": r.institution,
                "institution_name": r.institution_name,
                "region_name": r.region_name,
                "status": r.status or "none",
                "status_text": r.status_text,
                "revision": r.revision,
                "due_on": r.due_on,
                "lock_on": r.lock_on,
                "submitted_at": r.first_submitted_at
                and timezone.localtime(r.first_submitted_at).isoformat(timespec="seconds"),
                "timeliness": r.timeliness,
                "timeliness_text": TIMELINESS[r.timeliness],
            }
            for r in rows
        ]
        table_rows = [{**row, "status": row["status_text"], "timeliness": row["timeliness_text"]} for row in out]
        summary_doc = plain(summary.__dict__)
        emit(
            format,
            columns=STATUS_COLUMNS,
            rows=out if format == "csv" else table_rows,
            document={
                "region": area.code,
                "region_name": area.name,
                "month": f"{month:%Y-%m}",
                **summary_doc,
                "institutions": out,
            },
            title=f"{area.name} {month:%Y-%m} 月报表报送情况",
            footer=(
                f"应报 {summary.expected}，已报 {summary.submitted}（按时 {summary.on_time}，逾期 {summary.late}），"
                f"未报 {summary.not_submitted}；完整率 {summary.completeness}%，及时率 {summary.timeliness}%"
            ),
        )
