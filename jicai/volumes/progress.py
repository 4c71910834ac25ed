"""Progress of agreed volumes for many institutions at once (SPEC §4.4, §4.5), set-based.

One query for the agreed volumes and one aggregate over deliveries per distinct agreement-year window (awards
of a province share their start date, so that is one or two): the count does not grow with institutions or
deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from jicai.orgs.models import Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.progress import Progress, agreement_year, progress, year_no_on
from jicai.purchasing.models import Delivery
from jicai.volumes.models import AgreedVolume


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


def purchased_in_window(
    institution_ids, product_ids, start: date, end: date, as_of: date, *, recent_days: int, early_until: date
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(institution, product) → (accepted quantity in [start, min(end, as_of)], of it in the last `recent_days`
    days, of it before `early_until`). Returns are negative deliveries and subtract."""
    until = min(end, as_of)
    recent_from = as_of - timedelta(days=recent_days - 1)
    rows = (
        Delivery.objects.filter(
            institution_id__in=institution_ids,
            product_id__in=product_ids,
            accepted_on__gte=start,
            accepted_on__lte=until,
        )
        .values_list("institution_id", "product_id")
        .annotate(
            total=Sum("quantity"),
            recent=Sum("quantity", filter=Q(accepted_on__gte=recent_from)),
            early=Sum("quantity", filter=Q(accepted_on__lt=early_until)),
        )
        .order_by()
    )
    return {(i, p): (t or 0, r or 0, e or 0) for i, p, t, r, e in rows}


def _add_months(day: date, months: int) -> date:
    from jicai.policy.rules.days import month_end

    last = month_end(day.year, day.month + months)
    return last.replace(day=min(day.day, last.day))


def progress_rows(volumes, *, as_of: date, year_no: int | None = None) -> list[ProgressRow]:
    """Progress on `as_of` of every agreed volume in `volumes` (an AgreedVolume queryset, already scoped) for
    agreement year `year_no`, by default the year that contains `as_of`."""
    volumes = list(volumes.select_related("institution", "award__product"))
    profiles = Region.objects.profile_map()
    settings = {p.pk: p for p in PolicyProfile.objects.all()}
    default = PolicyProfile()
    current = [v for v in volumes if v.year_no == (year_no or year_no_on(v.award.start_date, as_of))]
    # Volumes that share a year window and the profile settings that shape the sums are summed in one query.
    windows: dict[tuple[date, date, int, int], list[AgreedVolume]] = {}
    for v in current:
        start, end = agreement_year(v.award.start_date, v.year_no)
        profile = settings.get(profiles.get(v.institution.region_id), default)
        windows.setdefault((start, end, profile.rush_months, profile.projection_days), []).append(v)
    rows = []
    for (start, end, rush_months, projection_days), group in windows.items():
        bought = purchased_in_window(
            {v.institution_id for v in group},
            {v.award.product_id for v in group},
            start,
            end,
            as_of,
            recent_days=projection_days,
            early_until=_add_months(start, rush_months),
        )
        for v in group:
            profile = settings.get(profiles.get(v.institution.region_id), default)
            total, recent, early = bought.get((v.institution_id, v.award.product_id), (0, 0, 0))
            p = progress(
                agreed=v.quantity,
                purchased=total,
                purchased_in_window=recent,
                year_start=start,
                year_end=end,
                as_of=as_of,
                lag_ratio=Decimal(profile.lag_ratio),
                window=profile.projection_days,
            )
            product = v.award.product
            rows.append(
                ProgressRow(
                    institution_id=v.institution_id,
                    institution=v.institution.code,
                    institution_name=v.institution.name,
                    region_id=v.institution.region_id,
                    award_id=v.award_id,
                    product=product.code,
                    generic_name=product.generic_name,
                    spec=product.spec,
                    year_no=v.year_no,
                    year_start=start,
                    year_end=end,
                    purchased_early=early,
                    progress=p,
                )
            )
    rows.sort(key=lambda r: (r.institution, r.generic_name, r.product))
    return rows
