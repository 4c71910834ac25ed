"""The quarterly payment audit (每季度一次集中排查, SPEC §4.13).

威医保发〔2020〕23号: "要建立每季度一次集中排查的日常监管机制，按照属地管理原则，监督医疗机构及时回款".
Per institution, as of the quarter's last day: of the invoices due in the quarter, how many were paid in full by
their due date (the on-time rate) and what was not (the late amount); and the oldest invoice still not fully
paid. A run is frozen when it is produced (by `jicai tick` after the quarter ends, or by a bureau); a second run
of the same region and quarter returns the first.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jicai.core.audit import record
from jicai.core.cli import plain
from jicai.monitoring.access import actor, check_bureau_writer
from jicai.orgs.models import Institution, Region
from jicai.policy.rules.days import month_end
from jicai.purchasing.models import Invoice
from jicai.purchasing.payments import invoice_rows
from jicai.reports.models import PaymentAudit
from jicai.reports.sheets import Sheet, write_workbook

BAD_QUARTER = gettext_noop("季度“%(text)s”应写作 YYYYQn，例如 2020Q4")
NOT_ENDED = gettext_noop("%(quarter)s 至 %(end)s 才结束，结束后才能排查")


class AuditError(ValueError):
    """An audit cannot be run as asked; the message says why."""


def parse_quarter(text: str) -> tuple[int, int]:
    """'2020Q4' → (2020, 4)."""
    year, _sep, q = text.upper().partition("Q")
    if not (len(year) == 4 and year.isdigit() and q in ("1", "2", "3", "4")):
        raise AuditError(_(BAD_QUARTER) % {"text": text})
    return int(year), int(q)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    return first, month_end(year, 3 * quarter)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    """The quarter that ended last before `day`'s quarter."""
    year, q = quarter_of(day)
    return (year - 1, 4) if q == 1 else (year, q - 1)


def audit_rows(institutions, year: int, quarter: int) -> list[dict]:
    """Per institution with invoices: invoices due in the quarter, paid on time, the on-time rate, the late amount,
    what is overdue and unpaid at the quarter's end, and the oldest invoice not fully paid. JSON-ready."""
    start, end = quarter_bounds(year, quarter)
    regions = dict(Institution.objects.filter(pk__in=institutions.values("pk")).values_list("pk", "region__path"))
    out: dict[int, dict] = {}
    for inv in invoice_rows(Invoice.objects.filter(institution__in=institutions), as_of=end):
        t = out.setdefault(
            inv.institution_id,
            {
                "institution": inv.institution,
                "institution_name": inv.institution_name,
                "region_path": regions.get(inv.institution_id, ""),
                "due_in_quarter": 0,
                "on_time": 0,
                "on_time_rate": None,
                "late_amount": Decimal(0),
                "overdue_unpaid": Decimal(0),
                "oldest_unpaid": None,
            },
        )
        unpaid = inv.amount - inv.payment.paid
        if inv.due and start <= inv.due.due_on <= end:
            t["due_in_quarter"] += 1
            t["on_time"] += inv.payment.paid_by_due >= inv.amount
            t["late_amount"] += inv.payment.late_amount
        if inv.due and inv.due.due_on < end and unpaid > 0:
            t["overdue_unpaid"] += unpaid
        oldest = t["oldest_unpaid"]
        if unpaid > 0 and (
            oldest is None or (inv.issued_on, inv.invoice_no) < (oldest["issued_on"], oldest["invoice_no"])
        ):
            t["oldest_unpaid"] = {
                "invoice_no": inv.invoice_no,
                "issued_on": inv.issued_on,
                "confirmed_on": inv.confirmed_on,
                "due_on": inv.due.due_on if inv.due else None,
                "unpaid": unpaid,
                "days_overdue": max((end - inv.due.due_on).days, 0) if inv.due else 0,
            }
    rows = []
    for t in out.values():
        if t["due_in_quarter"]:
            rate = Decimal(100) * t["on_time"] / t["due_in_quarter"]
            t["on_time_rate"] = rate.quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append(t)
    rows.sort(key=lambda t: (t["region_path"], t["institution"]))
    return plain(rows)


@transaction.atomic
def run_audit(*, region: Region, year: int, quarter: int, by, source: str, today: date | None = None):
    """Produce and freeze the audit of `region` and below for a quarter that has ended. Returns (audit, created):
    an audit already run for the region and quarter is returned unchanged."""
    check_bureau_writer(by, region)
    start, end = quarter_bounds(year, quarter)
    if (today or timezone.localdate()) <= end:
        raise AuditError(_(NOT_ENDED) % {"quarter": f"{year}Q{quarter}", "end": end})
    existing = PaymentAudit.objects.filter(region=region, year=year, quarter=quarter).first()
    if existing is not None:
        return existing, False
    rows = audit_rows(Institution.objects.filter(region__path__startswith=region.path), year, quarter)
    try:
        with transaction.atomic():
            audit = PaymentAudit.objects.create(
                region=region,
                year=year,
                quarter=quarter,
                as_of=end,
                rows=rows,
                source=source,
                created_by=actor(by),
                created_at=timezone.now(),
            )
    except IntegrityError:  # run at the same moment by someone else: theirs stands
        return PaymentAudit.objects.get(region=region, year=year, quarter=quarter), False
    record(actor(by), "audit.run", audit, changes={"quarter": audit.label, "institutions": len(rows), "source": source})
    return audit, True


def visible_rows(audit: PaymentAudit, user) -> list[dict]:
    """The rows of `audit` about institutions `user` may see: a city bureau reading the province's audit sees its
    own institutions, an institution its own row."""
    if user.is_superuser:
        return audit.rows
    codes = set(Institution.objects.visible_to(user).values_list("code", flat=True))
    return [r for r in audit.rows if r["institution"] in codes]


def flat(row: dict) -> dict:
    """A row with its oldest unpaid invoice spread over columns, for tables and spreadsheets."""
    oldest = row.get("oldest_unpaid") or {}
    return {
        **row,
        "oldest_invoice_no": oldest.get("invoice_no", ""),
        "oldest_issued_on": oldest.get("issued_on", ""),
        "oldest_due_on": oldest.get("due_on", ""),
        "oldest_unpaid_amount": oldest.get("unpaid", ""),
        "oldest_days_overdue": oldest.get("days_overdue", ""),
        "on_time_rate_text": "" if row["on_time_rate"] is None else f"{row['on_time_rate']}%",
    }


COLUMNS = [
    ("institution", gettext_lazy("机构编码"), 16),
    ("institution_name", gettext_lazy("医疗机构"), 30),
    ("due_in_quarter", gettext_lazy("本季度到期发票"), 12),
    ("on_time", gettext_lazy("按时付清"), 10),
    ("on_time_rate_text", gettext_lazy("按时回款率"), 10),
    ("late_amount", gettext_lazy("逾期金额（元）"), 14),
    ("overdue_unpaid", gettext_lazy("季末逾期未付（元）"), 16),
    ("oldest_invoice_no", gettext_lazy("最早未付发票"), 16),
    ("oldest_issued_on", gettext_lazy("开票日期"), 12),
    ("oldest_due_on", gettext_lazy("应付日"), 12),
    ("oldest_unpaid_amount", gettext_lazy("未付金额（元）"), 14),
    ("oldest_days_overdue", gettext_lazy("逾期天数"), 10),
]


def title(audit: PaymentAudit) -> str:
    return _("%(region)s %(quarter)s 国家集中采购药品回款季度排查") % {
        "region": audit.region.name,
        "quarter": audit.label,
    }


def write_audit_xlsx(audit: PaymentAudit, rows: list[dict], stream) -> None:
    note = _("截至 %(as_of)s；按时回款率 = 本季度到期且在应付日前付清的发票 ÷ 本季度到期发票") % {"as_of": audit.as_of}
    write_workbook([Sheet(_("回款排查"), title(audit), COLUMNS, [flat(r) for r in rows], note=note)], stream)
