"""A company's numbers (SPEC §1: "see the volumes and orders of their products, what each hospital owes them and
since when"): pure functions over the rows of `progress_rows` and the SQL aggregates of `jicai.purchasing.payments`,
as `Table`s that the page, its sorting and its exports share.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jicai.policy.rules.payment import NOT_DUE, OVERDUE_PAID, OVERDUE_UNPAID, PAID
from jicai.policy.rules.progress import completion, progress_status
from jicai.web.dashboard import STATUS_CSS, Table, percent

PAYMENT_CSS = {NOT_DUE: "normal", PAID: "completed", OVERDUE_PAID: "lagging", OVERDUE_UNPAID: "severe"}


def region_progress_table(rows, *, region_names: dict[int, str], lag_ratio: Decimal) -> Table:
    """Per award × region of the institutions: agreed and purchased totals, completion against time progress."""
    table = Table(
        "regions",
        [
            ("award_id", _("中选药品ID"), "int"),
            ("generic_name", _("通用名"), "text"),
            ("spec", _("规格"), "text"),
            ("region", _("区划"), "text"),
            ("institutions", _("医疗机构数"), "int"),
            ("agreed", _("约定采购量"), "int"),
            ("purchased", _("已采购量"), "int"),
            ("completion", _("执行进度（%）"), "pct"),
            ("time_progress", _("序时进度（%）"), "pct"),
            ("status", _("状态"), "text"),
        ],
    )
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for r in rows:
        groups[(r.award_id, r.region_id)].append(r)
    for (award_id, region_id), group in groups.items():
        first = group[0]
        agreed = sum(r.progress.agreed for r in group)
        purchased = sum(r.progress.purchased for r in group)
        done = completion(purchased, agreed)
        elapsed = max(r.progress.time_progress for r in group)
        status = progress_status(done, elapsed, lag_ratio)
        table.rows.append(
            {
                "award_id": award_id,
                "generic_name": first.generic_name,
                "spec": first.spec,
                "region": region_names.get(region_id, ""),
                "institutions": len({r.institution_id for r in group}),
                "agreed": agreed,
                "purchased": purchased,
                "completion": percent(done),
                "time_progress": percent(elapsed),
                "status": status,
                "css": STATUS_CSS[status],
            }
        )
    table.rows.sort(key=lambda r: (r["generic_name"], r["award_id"], r["region"]))
    return table


def unpaid_invoices_table(unpaid) -> Table:
    """Every invoice not fully paid on the as-of day (`jicai.purchasing.payments.unpaid_invoices`), the longest
    overdue first. Since when: the earliest of the deliveries' acceptance and the invoice's confirmation (either
    date can start the clock, depending on the region's rule)."""
    table = Table(
        "invoices",
        [
            ("invoice_no", _("发票号"), "text"),
            ("institution", _("机构编码"), "text"),
            ("institution_name", _("机构名称"), "text"),
            ("supplier_name", _("开票企业"), "text"),
            ("amount", _("金额（元）"), "money"),
            ("paid", _("已回款（元）"), "money"),
            ("outstanding", _("未回款（元）"), "money"),
            ("since", _("欠款起始日"), "date"),
            ("due_on", _("回款截止日"), "date"),
            ("days_late", _("逾期天数"), "int"),
            ("status", _("状态"), "text"),
        ],
    )
    table.rows = [
        {
            "invoice_no": u.invoice_no,
            "institution": u.institution,
            "institution_name": u.institution_name,
            "supplier_name": u.supplier_name,
            "amount": u.amount,
            "paid": u.paid,
            "outstanding": u.outstanding,
            "since": u.since,
            "due_on": u.due_on,
            "days_late": u.days_late,
            "status": u.status,
            "css": PAYMENT_CSS.get(u.status, ""),
        }
        for u in unpaid
    ]
    table.rows.sort(key=lambda r: (-r["days_late"], -r["outstanding"], r["invoice_no"]))
    return table


def owed_table(owed, *, region_names: dict[int, str]) -> Table:
    """What each institution owes (`jicai.purchasing.payments.payment_summary(…).owed`, the fold the dashboard's aging
    table also reads): unpaid invoices, amounts not yet due and overdue, since when, how late."""
    table = Table(
        "owed",
        [
            ("institution", _("机构编码"), "text"),
            ("institution_name", _("机构名称"), "text"),
            ("region", _("区划"), "text"),
            ("invoices", _("未结清发票数"), "int"),
            ("outstanding", _("未回款合计（元）"), "money"),
            ("not_due", _("未到期金额（元）"), "money"),
            ("overdue", _("逾期未付金额（元）"), "money"),
            ("since", _("最早欠款起始日"), "date"),
            ("days_late", _("最长逾期天数"), "int"),
            ("status", _("状态"), "text"),
        ],
    )
    for o in owed:
        status = str(OVERDUE_UNPAID if o.overdue else NOT_DUE)
        table.rows.append(
            {
                "institution": o.institution,
                "institution_name": o.institution_name,
                "region": region_names.get(o.region_id, ""),
                "invoices": o.invoices,
                "outstanding": o.outstanding,
                "not_due": o.not_due,
                "overdue": o.overdue,
                "since": o.since,
                "days_late": o.days_late,
                "status": status,
                "css": PAYMENT_CSS[status],
            }
        )
    table.rows.sort(key=lambda r: (-r["overdue"], -r["outstanding"], r["institution"]))
    return table


def totals(table: Table, keys: list[str]) -> dict:
    return {key: sum((row[key] for row in table.rows), start=Decimal("0.00")) for key in keys}
