"""Progress of agreed volumes for many institutions at once (SPEC §4.4, §4.5), set-based.

One query for the agreed volumes and one aggregate over the monthly delivery totals (DeliveryMonth) per distinct
agreement-year window (awards of a province share their start date, so that is one or two): the count does not grow
with institutions or deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from operator import add

from django.db.models import BigIntegerField, Case, F, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from jicai.core.bulk import as_date, date_text, tuples
from jicai.orgs.models import Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.days import month_end
from jicai.policy.rules.progress import Progress, agreement_year, progress_at, year_clock, year_no_on
from jicai.purchasing.models import DeliveryMonth


@dataclass(frozen=True)
class ProgressRow:
    institution_id: int
    institution: str  # code
    institution_name: str
    region_id: int
    award_id: int
    product: str  # code
    generic_name: str
    spec: str
    year_no: int
    year_start: date
    year_end: date
    purchased_early: int  # within the first rush_months months of the year
    progress: Progress

    def as_json(self) -> dict:
        """The row as `jicai progress --format json` and the API give it (SPEC §6 field names)."""
        p = self.progress
        return {
            "institution": self.institution,
            "institution_name": self.institution_name,
            "product": self.product,
            "generic_name": self.generic_name,
            "spec": self.spec,
            "year_no": self.year_no,
            "agreed": p.agreed,
            "purchased": p.purchased,
            "completion": f"{p.completion:.4f}",
            "time_progress": f"{p.time_progress:.4f}",
            "status": p.status,
            "projected": f"{p.projected:.4f}",
        }


def purchased_in_window(
    institution_ids, product_ids, start: date, end: date, as_of: date, *, recent_days: int, early_until: date
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(institution, product) → (accepted quantity in [start, min(end, as_of)], of it in the last `recent_days`
    days, of it before `early_until`). Returns are negative deliveries and subtract.

    One query over DeliveryMonth: whole months from their totals, the days at each range's edges from their day
    columns."""
    until = min(end, as_of)
    if start > until:
        return {}
    ranges = (
        (start, until),
        (max(start, as_of - timedelta(days=recent_days - 1)), until),
        (start, min(until, early_until - timedelta(days=1))),
    )
    sums = (
        DeliveryMonth.objects.filter(
            institution_id__in=institution_ids,
            product_id__in=product_ids,
            month__range=(start.replace(day=1), until.replace(day=1)),
        )
        .values_list("institution_id", "product_id")
        .annotate(**{f"sum{i}": sum_days(first, last) for i, (first, last) in enumerate(ranges)})
        .order_by()
    )
    # Read from the cursor, without the ORM's converters per value (a tenth of a whole province's progress).
    return {(i, p): (t, r, e) for i, p, t, r, e in tuples(sums)}


def sum_days(first: date, last: date):
    """The quantity accepted in [first, last] summed over DeliveryMonth rows, as a bigint (0 when there is none):
    PostgreSQL sums bigints as numeric, which the driver would make a Decimal per value."""
    months, edges = whole_months(first, last)
    parts = [When(month__range=months, then=F("quantity"))] if months else []
    for edge_first, edge_last in edges:
        days = [F(f"day{d}") for d in range(edge_first.day, edge_last.day + 1)]
        parts.append(When(month=edge_first.replace(day=1), then=reduce(add, days)))
    if not parts:
        return _BigInt(Value(0), BigIntegerField())
    return _BigInt(Coalesce(Sum(Case(*parts, default=0)), 0), BigIntegerField())


class _BigInt(Cast):
    # Both drivers give an int: no converter per value.
    convert_value = staticmethod(Cast._convert_value_noop)


def whole_months(first: date, last: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The calendar months wholly inside [first, last], as the first days of the first and the last of them (None
    when there is none), and the day ranges left at either edge, each within one month."""
    if first > last:
        return None, []
    months_from = first if first.day == 1 else month_end(first.year, first.month) + timedelta(days=1)
    months_until = last if last == month_end(last.year, last.month) else last.replace(day=1) - timedelta(days=1)
    if months_from > months_until:  # no whole month: within one month, or across the end of one
        if first.replace(day=1) == last.replace(day=1):
            return None, [(first, last)]
        return None, [(first, months_from - timedelta(days=1)), (months_until + timedelta(days=1), last)]
    edges = [(first, months_from - timedelta(days=1))] if first < months_from else []
    if last > months_until:
        edges.append((months_until + timedelta(days=1), last))
    return (months_from, months_until.replace(day=1)), edges


def _add_months(day: date, months: int) -> date:
    last = month_end(day.year, day.month + months)
    return last.replace(day=min(day.day, last.day))


# The columns of an agreed volume that a progress row needs, read as plain tuples straight from the cursor: building
# model instances for every agreed volume of a province cost more than the aggregate itself.
def _volume_columns() -> tuple:
    return (
        "institution_id",
        "institution__code",
        "institution__name",
        "institution__region_id",
        "award_id",
        "award__product_id",
        "award__product__code",
        "award__product__generic_name",
        "award__product__spec",
        date_text("award__start_date"),  # converted once per award start below
        "year_no",
        "quantity",
    )


def progress_rows(volumes, *, as_of: date, year_no: int | None = None) -> list[ProgressRow]:
    """Progress on `as_of` of every agreed volume in `volumes` (an AgreedVolume queryset, already scoped) for
    agreement year `year_no`, by default the year that contains `as_of`."""
    profiles = Region.objects.profile_map()
    settings = {p.pk: p for p in PolicyProfile.objects.all()}
    default = PolicyProfile()
    profile_of_region = {region_id: settings.get(profile_id, default) for region_id, profile_id in profiles.items()}
    lag_of_region = {region_id: Decimal(p.lag_ratio) for region_id, p in profile_of_region.items()}
    default_lag = Decimal(default.lag_ratio)
    starts: dict = {}  # award start date as read → (the date, the year wanted)
    windows_of: dict[tuple[date, int], tuple[date, date]] = {}
    # Volumes that share a year window and the profile settings that shape the sums are summed in one query.
    windows: dict[tuple[date, date, int, int], list[tuple]] = {}
    for v in tuples(volumes.order_by().values_list(*_volume_columns())):
        k = v[10]
        if v[9] not in starts:
            start_date = as_date(v[9])
            starts[v[9]] = start_date, year_no or year_no_on(start_date, as_of)
        start_date, wanted = starts[v[9]]
        if k != wanted:
            continue
        if (start_date, k) not in windows_of:
            windows_of[(start_date, k)] = agreement_year(start_date, k)
        start, end = windows_of[(start_date, k)]
        profile = profile_of_region.get(v[3], default)
        windows.setdefault((start, end, profile.rush_months, profile.projection_days), []).append(v)
    rows = []
    for (start, end, rush_months, projection_days), group in windows.items():
        bought = purchased_in_window(
            {v[0] for v in group},
            {v[5] for v in group},
            start,
            end,
            as_of,
            recent_days=projection_days,
            early_until=_add_months(start, rush_months),
        )
        clock = year_clock(start, end, as_of, projection_days)
        for (
            institution_id,
            institution_code,
            institution_name,
            region_id,
            award_id,
            product_id,
            product_code,
            generic_name,
            spec,
            _start_date,
            k,
            agreed,
        ) in group:
            total, recent, early = bought.get((institution_id, product_id), (0, 0, 0))
            p = progress_at(
                clock,
                agreed=agreed,
                purchased=total,
                purchased_in_window=recent,
                lag_ratio=lag_of_region.get(region_id, default_lag),
            )
            rows.append(
                ProgressRow(
                    institution_id=institution_id,
                    institution=institution_code,
                    institution_name=institution_name,
                    region_id=region_id,
                    award_id=award_id,
                    product=product_code,
                    generic_name=generic_name,
                    spec=spec,
                    year_no=k,
                    year_start=start,
                    year_end=end,
                    purchased_early=early,
                    progress=p,
                )
            )
    rows.sort(key=lambda r: (r.institution, r.generic_name, r.product))
    return rows
