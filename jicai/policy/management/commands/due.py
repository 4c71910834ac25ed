"""jicai due: the payment deadline of a delivery accepted on a day, under a region's rule, with its reasoning."""

from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.orgs.models import Region
from jicai.policy.calendar import work_calendar
from jicai.policy.models import payment_rule
from jicai.policy.rules.days import MissingCalendarYear
from jicai.policy.rules.payment import payment_due


class Command(BaseCommand):
    help = "回款截止日：按区划的政策配置计算，并说明理由"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划编码")
        parser.add_argument("--accepted", required=True, help="验收日期 YYYY-MM-DD（多笔配送取最早）")
        parser.add_argument("--invoice-confirmed", help="发票确认日期 YYYY-MM-DD")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, region, accepted, invoice_confirmed, format, user, **options):
        region = get_or_fail(Region.objects.visible_to(acting_user(user)), "区划", code=region)
        profile = region.effective_profile()
        if profile is None:
            raise CommandError(f"区划 {region.code} 及其上级都没有政策配置")
        try:
            due = payment_due(
                payment_rule(profile),
                parse_date(accepted),
                invoice_confirmed and parse_date(invoice_confirmed),
                work_calendar(),
            )
        except MissingCalendarYear as e:
            raise CommandError(str(e)) from None
        doc = {
            "region": region.code,
            "rule": profile.payment_rule,
            "profile": profile.code,
            "accepted_on": accepted,
            "invoice_confirmed_on": invoice_confirmed,
            "due_on": due.due_on,
            "reasoning": due.reasoning,
        }
        emit(
            format,
            columns=[("due_on", "回款截止日"), ("rule", "规则"), ("reasoning", "理由")],
            rows=[doc],
            document=doc,
            title=f"{region.name}（{profile.name}）",
        )
