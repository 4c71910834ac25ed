"""jicai calendar show|load|init: the holiday table that every deadline counts on."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jicai.policy.calendar import load_years, package_years
from jicai.policy.models import HolidayCalendar
from jicai.purchasing import due

WEEKDAYS = "一二三四五六日"


class Command(BaseCommand):
    help = "节假日日历：show 显示某年的休息日与调休上班日；load 从 chinesecalendar 载入；init 新建一年待管理员修订"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="显示一年的节假日与调休")
        show.add_argument("year", type=int)
        show.add_argument("--all", action="store_true", help="列出每一天，而不只是节假日和调休")
        load = sub.add_parser("load", help="从 chinesecalendar 软件包载入（已有的日期不变）")
        load.add_argument("years", type=int, nargs="*")
        init = sub.add_parser("init", help="按周一至周五上班新建一年，供管理员按国务院通知修订")
        init.add_argument("year", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_show(self, *, year, all, **_):
        days = HolidayCalendar.objects.filter(date__year=year)
        if not days.exists():
            raise CommandError(f"节假日日历没有 {year} 年；可用年份：{self._years()}")
        working = 0
        for day in days:
            working += day.is_working_day
            unusual = day.is_working_day == (day.date.weekday() >= 5) or day.name
            if all or unusual:
                kind = "上班" if day.is_working_day else "休息"
                self.stdout.write(f"{day.date} 周{WEEKDAYS[day.date.weekday()]} {kind} {day.name} [{day.source}]")
        self.stdout.write(f"{year} 年共 {days.count()} 天，工作日 {working} 天")

    def handle_load(self, *, years, **_):
        known = package_years()
        missing = [y for y in years if y not in known]
        if missing:
            raise CommandError(f"chinesecalendar 没有 {missing} 年的数据（它知道 {known.start}–{known.stop - 1} 年）")
        with transaction.atomic():
            added = load_years(HolidayCalendar, years or known)
            if added:  # bulk-inserted days send no signal: every stored payment deadline is recomputed
                due.mark_all_stale()
                due.refresh()
        self.stdout.write(f"载入 {added} 天；可用年份：{self._years()}")

    def handle_init(self, *, year, **_):
        if HolidayCalendar.objects.filter(date__year=year).exists():
            raise CommandError(f"{year} 年已在日历中，请在管理页面逐日修订")
        first = date(year, 1, 1)
        days = [first + timedelta(n) for n in range((date(year + 1, 1, 1) - first).days)]
        with transaction.atomic():
            HolidayCalendar.objects.bulk_create(
                HolidayCalendar(date=d, is_working_day=d.weekday() < 5, source=HolidayCalendar.Source.ADMIN)
                for d in days
            )
            due.mark_all_stale()  # deadlines that ran into the new year were waiting for it
            due.refresh()
        self.stdout.write(f"已新建 {year} 年（周一至周五为工作日）；请按国务院办公厅通知在管理页面修订节假日和调休。")

    @staticmethod
    def _years() -> str:
        years = HolidayCalendar.objects.years()
        return f"{years[0]}–{years[-1]}" if years else "无"
