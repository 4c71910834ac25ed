"""The region dashboard's numbers (SPEC §4.4–§4.6): pure functions over the rows of the shared row sources.

`jicai.volumes.progress.progress_rows` gives one row per institution × award, and
`jicai.purchasing.payments` what each institution owes and the late amounts (SQL aggregates over the invoices'
stored deadlines); everything here groups them. Each table is a
`Table` (columns and rows) so that the page, its charts and its CSV/XLSX exports show the same numbers.
The only queries of this module are in `monthly_purchased` and `open_warnings`; the view scopes every queryset.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from jicai.policy.rules.days import month_end
from jicai.policy.rules.progress import (
    COMPLETED,
    LAGGING,
    NORMAL,
    SEVERELY_LAGGING,
    STATUSES,
    completion,
    progress_status,
    time_progress,
)
from jicai.purchasing.models import DeliveryMonth
from jicai.volumes.progress import sum_days

STATUS_CSS = {COMPLETED: "completed", NORMAL: "normal", LAGGING: "lagging", SEVERELY_LAGGING: "severe"}
SEVERITY = {status: n for n, status in enumerate(STATUSES)}  # 已完成 < 正常 < 滞后 < 严重滞后

# Age bands of outstanding overdue amounts, in days late (inclusive; None: no upper bound).
AGE_BANDS = ((1, 30), (31, 60), (61, 90), (91, None))
# Bands of the completion histogram, in percent (lower bound inclusive, upper exclusive; None: no upper bound).
COMPLETION_BANDS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100), (100, None))


def percent(value: Decimal) -> Decimal:
    """A ratio as a percentage with one decimal (0.4567 → 45.7)."""
    return (value * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def default_as_of(latest: date | None, today: date) -> date:
    """The day the dashboard shows when none is asked for: today, or the latest acceptance in scope if earlier
    (a demo or an archive whose data stop before today)."""
    return min(today, latest) if latest else today


@dataclass
class Table:
    """Columns (key, label, kind: "text", "int", "pct", "money", "date") and rows (dicts keyed by column)."""

    name: str
    columns: list[tuple[str, str, str]]
    rows: list[dict] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [str(label) for _, label, _ in self.columns]

    def display(self, rows: Iterable[dict] | None = None) -> list[dict]:
        """Rows as the page's table partial reads them: the row's status class and its cells in column order,
        each with the link a row may give it in `row["links"]` (drill-down)."""
        return [
            {
                "css": row.get("css", ""),
                "cells": [(key, row[key], kind, row.get("links", {}).get(key, "")) for key, _, kind in self.columns],
            }
            for row in (self.rows if rows is None else rows)
        ]

    def only(self, keys: Iterable[str]) -> Table:
        """The same rows with fewer columns (a page that already names the award or the institution)."""
        keep = set(keys)
        return Table(self.name, [c for c in self.columns if c[0] in keep], self.rows)

    def values(self) -> Iterable[list]:
        keys = [key for key, _, _ in self.columns]
        for row in self.rows:
            yield [row[k] for k in keys]


def _status_columns() -> list[tuple[str, str, str]]:
    return [(STATUS_CSS[s], s, "int") for s in STATUSES]


def status_counts(rows) -> dict[str, int]:
    """Institution × award rows per progress status, every status present (zero when none)."""
    counted = Counter(r.progress.status for r in rows)
    return {s: counted.get(s, 0) for s in STATUSES}


def _counts_by_css(rows) -> dict[str, int]:
    return {STATUS_CSS[s]: n for s, n in status_counts(rows).items()}


def award_table(rows, *, lag_ratio: Decimal, status: str = "") -> Table:
    """Per award: the agreed and purchased totals of its institutions, completion against time progress, and
    how many institutions are in each status. The award's status applies the rule to its totals."""
    table = Table(
        "awards",
        [
            ("award_id", _("中选药品ID"), "int"),
            ("product", _("药品代码"), "text"),
            ("generic_name", _("通用名"), "text"),
            ("spec", _("规格"), "text"),
            ("institutions", _("医疗机构数"), "int"),
            ("agreed", _("约定采购量"), "int"),
            ("purchased", _("已采购量"), "int"),
            ("completion", _("执行进度（%）"), "pct"),
            ("time_progress", _("序时进度（%）"), "pct"),
            ("status", _("状态"), "text"),
            *_status_columns(),
        ],
    )
    groups: dict[int, list] = defaultdict(list)
    for r in rows:
        groups[r.award_id].append(r)
    for award_id, group in groups.items():
        first = group[0]
        agreed = sum(r.progress.agreed for r in group)
        purchased = sum(r.progress.purchased for r in group)
        done = completion(purchased, agreed)
        elapsed = max(r.progress.time_progress for r in group)
        award_status = progress_status(done, elapsed, lag_ratio)
        if status and award_status != status:
            continue
        table.rows.append(
            {
                "award_id": award_id,
                "product": first.product,
                "generic_name": first.generic_name,
                "spec": first.spec,
                "institutions": len({r.institution_id for r in group}),
                "agreed": agreed,
                "purchased": purchased,
                "completion": percent(done),
                "time_progress": percent(elapsed),
                "status": award_status,
                "css": STATUS_CSS[award_status],
                **_counts_by_css(group),
            }
        )
    table.rows.sort(key=lambda r: (-SEVERITY[r["status"]], r["completion"], r["generic_name"], r["product"]))
    return table


def institution_table(rows, *, region_names: dict[int, str], status: str = "") -> Table:
    """Per institution: its awards, its totals, and its worst status (the colour of the row)."""
    table = Table(
        "institutions",
        [
            ("institution", _("机构编码"), "text"),
            ("institution_name", _("机构名称"), "text"),
            ("region", _("区划"), "text"),
            ("awards", _("中选药品数"), "int"),
            ("agreed", _("约定采购量"), "int"),
            ("purchased", _("已采购量"), "int"),
            ("completion", _("执行进度（%）"), "pct"),
            ("lowest", _("最低品种执行进度（%）"), "pct"),
            ("status", _("最差状态"), "text"),
            *_status_columns(),
        ],
    )
    groups: dict[int, list] = defaultdict(list)
    for r in rows:
        groups[r.institution_id].append(r)
    for group in groups.values():
        first = group[0]
        worst = max((r.progress.status for r in group), key=SEVERITY.__getitem__)
        if status and worst != status:
            continue
        agreed = sum(r.progress.agreed for r in group)
        purchased = sum(r.progress.purchased for r in group)
        table.rows.append(
            {
                "institution": first.institution,
                "institution_name": first.institution_name,
                "region": region_names.get(first.region_id, ""),
                "awards": len(group),
                "agreed": agreed,
                "purchased": purchased,
                "completion": percent(completion(purchased, agreed)),
                "lowest": percent(min(r.progress.completion for r in group)),
                "status": worst,
                "css": STATUS_CSS[worst],
                **_counts_by_css(group),
            }
        )
    table.rows.sort(key=lambda r: (-SEVERITY[r["status"]], r["lowest"], r["institution"]))
    return table


def region_table(rows, *, children: list[tuple[int, str, str, str]], below: dict[int, int]) -> Table:
    """Per direct sub-region (id, code, name, path) of the region shown: its institutions' rows by status.
    `below` maps every region id of the subtree to the direct sub-region that contains it."""
    table = Table(
        "regions",
        [
            ("code", _("区划编码"), "text"),
            ("name", _("名称"), "text"),
            ("institutions", _("医疗机构数"), "int"),
            ("agreed", _("约定采购量"), "int"),
            ("purchased", _("已采购量"), "int"),
            ("completion", _("执行进度（%）"), "pct"),
            *_status_columns(),
        ],
    )
    groups: dict[int, list] = defaultdict(list)
    for r in rows:
        child = below.get(r.region_id)
        if child is not None:
            groups[child].append(r)
    for child_id, code, name, _path in children:
        group = groups.get(child_id, [])
        agreed = sum(r.progress.agreed for r in group)
        purchased = sum(r.progress.purchased for r in group)
        table.rows.append(
            {
                "code": code,
                "name": name,
                "institutions": len({r.institution_id for r in group}),
                "agreed": agreed,
                "purchased": purchased,
                "completion": percent(completion(purchased, agreed)),
                **_counts_by_css(group),
            }
        )
    return table


def progress_table(rows, *, region_names: dict[int, str], status: str = "") -> Table:
    """Every institution × award row, for the export (the page shows it grouped)."""
    table = Table(
        "progress",
        [
            ("institution", _("机构编码"), "text"),
            ("institution_name", _("机构名称"), "text"),
            ("region", _("区划"), "text"),
            ("award_id", _("中选药品ID"), "int"),
            ("product", _("药品代码"), "text"),
            ("generic_name", _("通用名"), "text"),
            ("spec", _("规格"), "text"),
            ("year_no", _("协议年度"), "int"),
            ("year_start", _("协议期开始"), "date"),
            ("year_end", _("协议期结束"), "date"),
            ("agreed", _("约定采购量"), "int"),
            ("purchased", _("已采购量"), "int"),
            ("completion", _("执行进度（%）"), "pct"),
            ("time_progress", _("序时进度（%）"), "pct"),
            ("projected", _("预计年末执行进度（%）"), "pct"),
            ("status", _("状态"), "text"),
        ],
    )
    for r in rows:
        p = r.progress
        if status and p.status != status:
            continue
        table.rows.append(
            {
                "institution": r.institution,
                "institution_name": r.institution_name,
                "region": region_names.get(r.region_id, ""),
                "award_id": r.award_id,
                "product": r.product,
                "generic_name": r.generic_name,
                "spec": r.spec,
                "year_no": r.year_no,
                "year_start": r.year_start,
                "year_end": r.year_end,
                "agreed": p.agreed,
                "purchased": p.purchased,
                "completion": percent(p.completion),
                "time_progress": percent(p.time_progress),
                "projected": percent(p.projected),
                "status": p.status,
                "css": STATUS_CSS[p.status],
            }
        )
    return table


def completion_histogram(institutions: Table) -> Table:
    """How many institutions have an overall completion in each band (chart: completion distribution)."""
    table = Table("completion_bands", [("band", _("执行进度区间"), "text"), ("institutions", _("医疗机构数"), "int")])
    counts = Counter()
    for row in institutions.rows:
        for low, high in COMPLETION_BANDS:
            if row["completion"] >= low and (high is None or row["completion"] < high):
                counts[(low, high)] += 1
                break
    for low, high in COMPLETION_BANDS:
        label = f"{low}%–{high}%" if high is not None else f"≥{low}%"
        table.rows.append({"band": label, "institutions": counts[(low, high)]})
    return table


def main_window(rows) -> tuple[date, date] | None:
    """The agreement-year window that holds most of the agreed volume (all of it once a batch is chosen)."""
    weight: Counter = Counter()
    for r in rows:
        weight[(r.year_start, r.year_end)] += r.progress.agreed or 1
    return max(weight, key=lambda w: (weight[w], w)) if weight else None


def months_between(start: date, until: date) -> list[date]:
    """The first day of every month from start's month through until's month."""
    months, y, m = [], start.year, start.month
    while (y, m) <= (until.year, until.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def monthly_purchased(volumes, start: date, until: date) -> dict[date, int]:
    """Accepted quantity per month in [start, until] of the (institution, product) pairs that hold one of `volumes`
    (already scoped): one query over the monthly delivery totals, the first and last months cut to their days.
    Every delivery of such a pair is in the scope of whoever sees the volume, so the totals need no scope of their
    own."""
    holds = volumes.filter(institution_id=OuterRef("institution_id"), award__product_id=OuterRef("product_id"))
    rows = (
        DeliveryMonth.objects.filter(month__range=(start.replace(day=1), until.replace(day=1)))
        .filter(Exists(holds))
        .values_list("month")
        .annotate(quantity=sum_days(start, until))
        .order_by("month")
    )
    return dict(rows)


def year_curve(*, agreed: int, by_month: dict[date, int], start: date, end: date, as_of: date) -> Table:
    """Cumulative purchased / agreed at each month's end (or as_of in its month) against time progress."""
    table = Table(
        "year_curve",
        [
            ("month", _("月份"), "text"),
            ("purchased", _("当月已采购量"), "int"),
            ("cumulative", _("累计已采购量"), "int"),
            ("completion", _("累计执行进度（%）"), "pct"),
            ("time_progress", _("序时进度（%）"), "pct"),
        ],
    )
    running = 0
    for month in months_between(start, min(as_of, end)):
        day = min(month_end(month.year, month.month), as_of, end)
        running += by_month.get(month, 0)
        table.rows.append(
            {
                "month": f"{month:%Y-%m}",
                "purchased": by_month.get(month, 0),
                "cumulative": running,
                "completion": percent(completion(running, agreed)),
                "time_progress": percent(time_progress(start, end, day)),
            }
        )
    return table


def aging_table(owed, *, region_names: dict[int, str]) -> Table:
    """Outstanding amounts per institution: not yet due, and overdue by how late (SPEC §4.6). `owed` is
    `jicai.purchasing.payments.payment_summary(…, bands=AGE_BANDS).owed`."""
    band_columns = [
        (f"late_{low}", _("逾期 %(low)s–%(high)s 天") % {"low": low, "high": high}, "money")
        if high is not None
        else (f"late_{low}", _("逾期 %(low)s 天以上") % {"low": low - 1}, "money")
        for low, high in AGE_BANDS
    ]
    table = Table(
        "aging",
        [
            ("institution", _("机构编码"), "text"),
            ("institution_name", _("机构名称"), "text"),
            ("region", _("区划"), "text"),
            ("invoices", _("未结清发票数"), "int"),
            ("not_due", _("未到期金额"), "money"),
            *band_columns,
            ("overdue", _("逾期未付合计"), "money"),
        ],
    )
    table.rows = [
        {
            "institution": o.institution,
            "institution_name": o.institution_name,
            "region": region_names.get(o.region_id, ""),
            "invoices": o.invoices,
            "not_due": o.not_due,
            **{key: amount for (key, _label, _kind), amount in zip(band_columns, o.bands, strict=True)},
            "overdue": o.overdue,
        }
        for o in owed
    ]
    table.rows.sort(key=lambda r: (-r["overdue"], -r["not_due"], r["institution"]))
    return table


def aging_totals(aging: Table) -> dict:
    """The aging table's column sums (the totals row and the figures)."""
    return {key: sum((row[key] for row in aging.rows), start=0) for key, _, kind in aging.columns if kind != "text"}


def late_by_month(late_by_due_date: list) -> Table:
    """The late amount (not paid by the due date) of the invoices that fell due in each month (chart), from
    `jicai.purchasing.payments.payment_summary(…).late`."""
    table = Table(
        "late_by_month",
        [("month", _("到期月份"), "text"), ("invoices", _("逾期发票数"), "int"), ("late", _("逾期金额"), "money")],
    )
    months: dict[str, list] = {}
    for due_on, invoices, late in late_by_due_date:
        entry = months.setdefault(f"{due_on:%Y-%m}", [0, Decimal("0.00")])
        entry[0] += invoices
        entry[1] += late
    for key in sorted(months):
        table.rows.append({"month": key, "invoices": months[key][0], "late": months[key][1]})
    return table


def open_warnings(warnings) -> Table:
    """Open warnings (an already scoped Warning queryset) counted by kind: one query."""
    from jicai.monitoring.models import Warning

    counts = dict(warnings.open().values_list("kind").annotate(n=Count("id")).order_by())
    table = Table("warnings", [("kind", _("预警类型"), "text"), ("count", _("未解除预警数"), "int")])
    for kind, label in Warning.Kind.choices:
        table.rows.append({"kind": str(label), "code": kind, "count": counts.get(kind, 0)})
    return table


def chart_data(table: Table, label_key: str, value_keys: list[str]) -> dict:
    """What a chart reads (through json_script): the category labels and one series per value column,
    numbers as floats; the same rows as the table beside the chart."""
    labels = {key: str(label) for key, label, _ in table.columns}
    return {
        "categories": [str(row[label_key]) for row in table.rows],
        "series": [{"name": labels[k], "data": [float(row[k]) for row in table.rows]} for k in value_keys],
    }
