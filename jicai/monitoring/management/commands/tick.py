"""jicai tick: do what is due today (checks, report reminders, weekly supply-check reminders, quarterly audits).

Idempotent: a second run for the same day does nothing new. Run it daily from cron or a systemd timer
(docs/scheduled-jobs.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jicai.core.cli import add_format_argument, emit, parse_date
from jicai.monitoring.jobs import tick
from jicai.policy.rules.days import MissingCalendarYear


class Command(BaseCommand):
    help = "定时任务：运行当日到期的检查、月报表催报、每周供应检查提醒和季度回款排查；同一天重复运行不会重复执行"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行 YYYY-MM-DD（默认今天）")
        add_format_argument(parser, ("table", "json"))

    def handle(self, *args, date, format, **options):
        on = parse_date(date) if date else timezone.localdate()
        try:
            rows = tick(on=on)
        except MissingCalendarYear as e:
            raise CommandError(str(e)) from None
        out = [{**r, "summary": _summary(r["result"])} for r in rows]
        emit(
            format,
            columns=[("job", "任务"), ("label", "名称"), ("status_text", "状态"), ("summary", "结果")],
            rows=out,
            document={"date": on, "jobs": rows},
            title=f"定时任务 {on}",
        )


def _summary(result: dict) -> str:
    parts = []
    for key, value in result.items():
        if isinstance(value, dict):
            value = "，".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value) or "—"
        parts.append(f"{key}: {value}")
    return "；".join(parts)
