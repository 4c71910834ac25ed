"""jicai payments: every invoice of an institution with its due date, payment status and late amount."""

from django.core.management.base import BaseCommand, CommandError

from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail, parse_date
from jicai.orgs.models import Institution
from jicai.policy.rules.days import MissingCalendarYear
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows

COLUMNS = [
    ("invoice_no", "发票号"),
    ("supplier", "开票企业"),
    ("amount", "金额"),
    ("accepted_on", "最早验收"),
    ("confirmed_on", "发票确认"),
    ("due_on", "回款截止日"),
    ("paid", "已付"),
    ("status", "状态"),
    ("late_amount", "逾期金额"),
    ("days_late", "逾期天数"),
]


class Command(BaseCommand):
    help = "回款情况：机构每张发票的截止日、已付、状态与逾期金额"

    def add_arguments(self, parser):
        parser.add_argument("--institution", required=True, help="机构编码")
        parser.add_argument("--as-of", required=True, help="截至日期 YYYY-MM-DD")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, institution, as_of, format, user, **options):
        actor = acting_user(user)
        inst = get_or_fail(Institution.objects.visible_to(actor), "医疗机构", code=institution)
        as_of = parse_date(as_of)
        try:
            rows = invoice_rows(Invoice.objects.visible_to(actor).filter(institution=inst), as_of=as_of)
        except MissingCalendarYear as e:
            raise CommandError(str(e)) from None
        out = [
            {
                "invoice_no": r.invoice_no,
                "supplier": r.supplier_name,
                "amount": r.amount,
                "accepted_on": r.accepted_on,
                "confirmed_on": r.confirmed_on,
                "due_on": r.due and r.due.due_on,
                "paid": r.payment.paid,
                "status": r.payment.status,
                "late_amount": r.payment.late_amount,
                "days_late": r.payment.days_late,
                "reasoning": r.due and r.due.reasoning,
            }
            for r in rows
        ]
        late = sum((r["late_amount"] for r in out), start=0)
        emit(
            format,
            columns=COLUMNS,
            rows=out,
            document={"institution": inst.code, "name": inst.name, "as_of": as_of, "invoices": out},
            title=f"{inst.name} 回款情况（截至 {as_of}）",
            footer=f"共 {len(out)} 张发票，逾期金额合计 {late} 元",
        )
