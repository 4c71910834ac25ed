"""Agreed-volume allocation (分解) and reallocation (调剂), SPEC §4.3: every write of an agreed volume but imports.

Set-based: a preview of any number of awards over a region costs one query each for the regions, the institutions,
the baselines and the volumes held, whatever the number of institutions; a commit is one bulk upsert, one bulk insert
of history rows and one of audit rows. The arithmetic is `jicai.policy.rules.allocation`.

Who: a bureau (医保局) clerk or manager of the region or of a region above it, or the system administrator. A
health commission (卫健委) or a viewer may preview, never write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from jicai.catalog.models import Award
from jicai.core import bulk
from jicai.core.models import AuditEvent
from jicai.core.scoping import can_write
from jicai.orgs.models import Institution, Region
from jicai.policy.models import PolicyProfile
from jicai.policy.rules.allocation import (
    Node,
    at_least_previous,
    baseline_total,
    decompose,
    ratio_for,
    whole_units,
)
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline

# Messages (tests assert them)
NOT_A_BUREAU = "只有本区划或上级区划的医保局可以分解或调剂约定采购量"
READ_ONLY = "卫生健康委和查看角色只能查看，不能分解或调剂约定采购量"
OUTSIDE_REGION = "机构“{code}”不在{region}辖区内"
AWARD_NOT_IN_REGION = "中选药品“{award}”供应{province}，不供应{region}"
BEYOND_CYCLE = "第 {year} 协议年度超出采购周期（共 {years} 年）"
REASON_REQUIRED = "调剂必须填写原因"
NOT_POSITIVE = "调剂数量必须为正整数：{quantity}"
SAME_INSTITUTION = "调出和调入不能是同一家机构：{code}"
NOT_TAKING_PART = "机构“{code}”不参加集中带量采购，不能调入约定采购量"
NOT_ENOUGH = "机构“{code}”第 {year} 年的约定采购量只有 {held}，不能调出 {quantity}"
NEGATIVE_TOTAL = "总量不能为负数：{total}"
NO_PREVIOUS_YEAR = "第 1 协议年度没有上一年"

SOURCE_GIVEN = "given"
SOURCE_HELD = "held"
SOURCE_BASELINES = "baselines"
SOURCE_LABELS = {
    SOURCE_GIVEN: "指定总量",
    SOURCE_HELD: "沿用现有约定量合计（导入或上级下达）",
    SOURCE_BASELINES: "基数×批次比例",
}
PARTICIPATING = (Institution.Participation.MANDATORY, Institution.Participation.VOLUNTARY)


class AllocationError(ValueError):
    """A request the rules refuse (the message says why, in Chinese, for the screen and the console)."""


@dataclass
class InstitutionShare:
    id: int
    code: str
    name: str
    region_id: int
    region_code: str
    participation: str
    baseline: int  # in the award's smallest unit, base year, converted by strength factor
    quantity: int  # the allocation
    held: int | None  # the agreed volume held now, None when there is no row
    previous: int | None = None  # last year's volume, for year 2 and later

    @property
    def takes_part(self) -> bool:
        return self.participation in PARTICIPATING

    @property
    def change(self) -> int:
        return self.quantity - (self.held or 0)


@dataclass
class RegionTotal:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None  # None for the allocated region
    parent_code: str
    depth: int  # 0 for the allocated region
    baseline: int = 0
    quantity: int = 0
    held: int = 0
    institutions: int = 0  # taking part, below this region

    @property
    def change(self) -> int:
        return self.quantity - self.held


@dataclass
class Allocation:
    """One award's decomposition over a region: the total, every region's subtotal and every institution's share."""

    award: Award
    region: Region
    year_no: int
    total: int
    source: str  # SOURCE_*
    base_year: int | None
    ratio: Decimal
    baseline: int  # the region's baseline, institutions taking part
    regions: list[RegionTotal]  # in path order: each region before the regions below it
    institutions: list[InstitutionShare]  # in tree order: a region's own institutions, then those of its subregions
    decomposed: int = 0  # the total that was decomposed (the floor of year k−1 can raise `total` above it)
    floor_applied: bool = False  # year k ≥ 2 and the profile's "次年约定量不低于上年"
    written: int | None = None  # rows written by commit

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def held_total(self) -> int:
        return self.regions[0].held if self.regions else 0

    def reason(self) -> str:
        """What the history rows say: the base year and where the total came from."""
        base = f"{self.base_year}年" if self.base_year else "无"
        text = (
            f"{self.region.name}第{self.year_no}协议年度约定采购量分解：基数年度 {base}，"
            f"总量 {self.decomposed}（{self.source_label}"
        )
        if self.source == SOURCE_BASELINES:
            text += f"：基数 {self.baseline} × 比例 {self.ratio}"
        text += "）"
        if self.floor_applied:
            text += f"；次年不低于上年，合计 {self.total}"
        return text

    def changed(self) -> list[InstitutionShare]:
        return [s for s in self.institutions if s.quantity != (s.held or 0)]

    def rows(self) -> Iterator[tuple[str, RegionTotal | InstitutionShare]]:
        """("region", subtotal) then ("institution", share) rows in tree order, for screens and exports."""
        by_region: dict[int, list[InstitutionShare]] = defaultdict(list)
        for share in self.institutions:
            by_region[share.region_id].append(share)
        for region in self.regions:
            yield "region", region
            for share in by_region.get(region.id, ()):
                yield "institution", share


class Move(NamedTuple):
    """One reallocation: `quantity` units of agreed volume from `source` to `target` (institutions)."""

    source: Institution
    target: Institution
    quantity: int


# Who may do what


def _membership(by):
    if by is None or not by.is_authenticated or not by.is_active:
        return None
    return getattr(by, "membership", None)


def check_can_preview(by, region: Region) -> None:
    """Any bureau or health-commission user of the region or above (or the administrator) may look."""
    if by is not None and by.is_authenticated and by.is_superuser:
        return
    m = _membership(by)
    if m is None or not m.region_id or not region.path.startswith(m.region.path):
        raise PermissionDenied(NOT_A_BUREAU)


def check_can_allocate(by, region: Region) -> None:
    """A bureau clerk or manager of the region or above, or the administrator; never a health commission or viewer."""
    check_can_preview(by, region)
    if not can_write(by):
        raise PermissionDenied(READ_ONLY)


def _actor(by):
    """The user to name in history rows: None for the console's unsaved system administrator."""
    return by if by is not None and by.pk is not None else None


# Preview


def preview_allocation(
    *,
    award: Award,
    region: Region,
    by,
    total: int | None = None,
    year_no: int = 1,
    keep_held_total: bool = False,
    base_year: int | None = None,
) -> Allocation:
    """The decomposition of one award's volume for agreement year `year_no` over `region` and below (a preview:
    nothing is written). The total is `total` when given; else, with `keep_held_total`, what the region's
    institutions hold now (imported, or handed down by the level above); else the region's baselines × the batch's
    ratio for the award's number of winners. From year 2 on, when the profile says "次年约定量不低于上年", no
    institution gets less than it held in the previous year."""
    return preview_allocations(
        awards=[award],
        region=region,
        by=by,
        totals=None if total is None else {award.pk: total},
        year_no=year_no,
        keep_held_total=keep_held_total,
        base_year=base_year,
    )[0]


def current_allocation(*, award: Award, region: Region, by, year_no: int = 1) -> Allocation:
    """The volumes held now, arranged as an allocation (for the table sent to the health commission)."""
    allocation = preview_allocation(award=award, region=region, by=by, year_no=year_no, total=0)
    for share in allocation.institutions:
        share.quantity = share.held or 0
    _sum_regions(allocation)
    allocation.source = SOURCE_HELD
    allocation.floor_applied = False
    allocation.total = allocation.decomposed = allocation.held_total
    return allocation


def preview_allocations(
    *,
    awards: Sequence[Award],
    region: Region,
    by,
    totals: Mapping[int, int] | None = None,
    year_no: int = 1,
    keep_held_total: bool = False,
    base_year: int | None = None,
    progress: Callable[[Award], None] | None = None,
) -> list[Allocation]:
    """`preview_allocation` for many awards at once: four queries in all, whatever the number of awards and
    institutions. `totals` maps award id → given total."""
    check_can_preview(by, region)
    totals = totals or {}
    loaded = Award.objects.select_related("batch", "product__manufacturer", "province").in_bulk([a.pk for a in awards])
    awards = [loaded[a.pk] for a in awards]
    for award in awards:
        _check_award(award, region, year_no)
        if totals.get(award.pk, 0) < 0:
            raise AllocationError(NEGATIVE_TOTAL.format(total=totals[award.pk]))
    world = _World.load(by=by, region=region, awards=awards, year_no=year_no)
    floor = year_no > 1 and _profile(region).next_year_at_least_previous
    result = []
    for award in awards:
        result.append(_allocate(world, award, year_no, totals.get(award.pk), keep_held_total, base_year, floor))
        if progress:
            progress(award)
    return result


def _check_award(award: Award, region: Region, year_no: int) -> None:
    if not region.path.startswith(award.province.path):
        raise AllocationError(AWARD_NOT_IN_REGION.format(award=award, province=award.province.name, region=region.name))
    if not 1 <= year_no <= award.cycle_years:
        raise AllocationError(BEYOND_CYCLE.format(year=year_no, years=award.cycle_years))


def _profile(region: Region) -> PolicyProfile:
    return region.effective_profile() or PolicyProfile()


@dataclass
class _World:
    """What the allocations of a region read from the database, in one query each."""

    region: Region
    regions: list[Region]
    institutions: list[tuple[int, str, str, int, str]]  # id, code, name, region id, participation
    # generic name → year → institution id → Σ quantity × strength factor
    baselines: dict[str, dict[int, dict[int, Decimal]]]
    held: dict[int, dict[int, dict[int, int]]]  # award → year_no → institution → quantity

    @classmethod
    def load(cls, *, by, region: Region, awards: Sequence[Award], year_no: int) -> _World:
        below = region.path
        regions = list(
            Region.objects.visible_to(by)
            .filter(path__startswith=below)
            .order_by("path")
            .only("id", "code", "name", "level", "path", "parent_id")
        )
        institutions = list(
            Institution.objects.visible_to(by)
            .filter(region__path__startswith=below)
            .order_by("code")
            .values_list("id", "code", "name", "region_id", "participation")
        )
        baselines: dict[str, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
        generics = {a.product.generic_name for a in awards}
        for inst, generic, year, quantity, factor in (
            Baseline.objects.visible_to(by)
            .filter(institution__region__path__startswith=below, product__generic_name__in=generics)
            .order_by()
            .values_list("institution_id", "product__generic_name", "year", "quantity", "product__strength_factor")
        ):
            per_inst = baselines[generic][year]
            per_inst[inst] = per_inst.get(inst, Decimal(0)) + quantity * factor
        years = {year_no, year_no - 1} - {0}
        held: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
        for a, y, i, q in (
            AgreedVolume.objects.visible_to(by)
            .filter(award__in=[a.pk for a in awards], year_no__in=years, institution__region__path__startswith=below)
            .order_by()
            .values_list("award_id", "year_no", "institution_id", "quantity")
        ):
            held[a][y][i] = q
        return cls(region=region, regions=regions, institutions=institutions, baselines=baselines, held=held)


def _allocate(
    world: _World,
    award: Award,
    year_no: int,
    given: int | None,
    keep_held_total: bool,
    base_year: int | None,
    floor: bool,
) -> Allocation:
    by_year = world.baselines.get(award.product.generic_name, {})
    year = base_year if base_year is not None else max(by_year, default=None)
    raw = by_year.get(year, {}) if year is not None else {}
    award_factor = award.product.strength_factor
    held = world.held.get(award.pk, {}).get(year_no, {})
    previous = world.held.get(award.pk, {}).get(year_no - 1, {})

    shares: list[InstitutionShare] = []
    codes = {r.id: r.code for r in world.regions}
    for inst, code, name, region_id, participation in world.institutions:
        takes_part = participation in PARTICIPATING
        baseline = whole_units(raw[inst] / award_factor) if inst in raw else 0
        if not takes_part and inst not in held:
            continue  # outside the allocation and holding nothing: not shown
        shares.append(
            InstitutionShare(
                id=inst,
                code=code,
                name=name,
                region_id=region_id,
                region_code=codes[region_id],
                participation=participation,
                baseline=baseline,
                quantity=0,
                held=held.get(inst),
                previous=previous.get(inst) if year_no > 1 else None,
            )
        )

    try:
        ratio = ratio_for(award.batch.ratio_table, award.winners)
    except ValueError as exc:
        raise AllocationError(str(exc)) from exc
    weight = sum(s.baseline for s in shares if s.takes_part)
    if given is not None:
        total, source = given, SOURCE_GIVEN
    elif keep_held_total:
        total, source = sum(held.values()), SOURCE_HELD
    else:
        total, source = baseline_total(weight, ratio), SOURCE_BASELINES

    tree = _tree(world, shares)
    try:
        quantities = decompose(total, tree)
    except ValueError as exc:
        raise AllocationError(str(exc)) from exc
    quantities_by_inst = {s.id: quantities.get(s.code, 0) if s.takes_part else 0 for s in shares}
    if floor:
        quantities_by_inst = at_least_previous(
            quantities_by_inst, {s.id: s.previous or 0 for s in shares if s.takes_part}
        )
    for s in shares:
        s.quantity = quantities_by_inst.get(s.id, 0)

    allocation = Allocation(
        award=award,
        region=world.region,
        year_no=year_no,
        total=total,
        source=source,
        base_year=year,
        ratio=ratio,
        baseline=weight,
        regions=[
            RegionTotal(
                id=r.id,
                code=r.code,
                name=r.name,
                level=r.level,
                parent_id=r.parent_id if r.parent_id in codes else None,
                parent_code=codes.get(r.parent_id, ""),
                depth=r.path.count("/") - world.region.path.count("/"),
            )
            for r in world.regions
        ],
        institutions=_tree_order(world, shares),
        decomposed=total,
        floor_applied=floor,
    )
    _sum_regions(allocation)
    allocation.total = allocation.regions[0].quantity if allocation.regions else total
    return allocation


def _tree(world: _World, shares: list[InstitutionShare]) -> Node:
    """The region tree with the institutions taking part as weighted leaves."""
    nodes = {r.id: Node(r.code, is_region=True) for r in world.regions}
    for r in world.regions[1:]:
        nodes[r.parent_id].children.append(nodes[r.id])
    for s in shares:
        if s.takes_part:
            nodes[s.region_id].children.append(Node(s.code, s.baseline))
    return nodes[world.regions[0].id]


def _tree_order(world: _World, shares: list[InstitutionShare]) -> list[InstitutionShare]:
    rank = {r.id: n for n, r in enumerate(world.regions)}
    return sorted(shares, key=lambda s: (rank[s.region_id], s.code))


def _sum_regions(allocation: Allocation) -> None:
    """Every region's baseline, quantity and held volume as the sums of the institutions below it."""
    ancestors: dict[int, list[RegionTotal]] = {}
    for r in allocation.regions:  # path order: a parent comes before its children
        r.baseline = r.quantity = r.held = r.institutions = 0
        ancestors[r.id] = [r] + (ancestors[r.parent_id] if r.parent_id is not None else [])
    for s in allocation.institutions:
        for r in ancestors[s.region_id]:
            r.quantity += s.quantity
            r.held += s.held or 0
            if s.takes_part:
                r.baseline += s.baseline
                r.institutions += 1


# Commit


@transaction.atomic
def commit_allocation(*, allocation: Allocation, by) -> int:
    """Write a previewed allocation: agreed volumes created or updated in bulk, one history row (kind
    "allocation") per changed volume, one audit record. Returns the number of volumes written."""
    return commit_allocations(allocations=[allocation], by=by)


@transaction.atomic
def commit_allocations(*, allocations: Sequence[Allocation], by) -> int:
    for allocation in allocations:
        check_can_allocate(by, allocation.region)
    if not allocations:
        return 0
    actor = _actor(by)
    # The volumes as they are now, locked: the preview may be a few minutes old.
    scope = Q(pk__in=[])
    for allocation in allocations:
        scope |= Q(
            award_id=allocation.award.pk,
            year_no=allocation.year_no,
            institution__region__path__startswith=allocation.region.path,
        )
    current = {
        (a, y, i): (pk, q)
        for pk, a, y, i, q in AgreedVolume.objects.select_for_update(of=("self",))
        .filter(scope)
        .order_by()
        .values_list("pk", "award_id", "year_no", "institution_id", "quantity")
    }
    rows = []
    reasons = {}
    for allocation in allocations:
        reasons[(allocation.award.pk, allocation.year_no)] = allocation.reason()
        for share in allocation.institutions:
            key = (allocation.award.pk, allocation.year_no, share.id)
            now = current.get(key)
            if (now is None and share.quantity == 0) or (now is not None and now[1] == share.quantity):
                continue
            rows.append((share.id, allocation.award.pk, allocation.year_no, share.quantity))
    outcome = bulk.upsert(AgreedVolume, ("institution", "award", "year_no"), ("quantity",), rows, collect_created=True)
    history = [
        AgreedVolumeChange(
            volume_id=change.pk,
            kind=AgreedVolumeChange.Kind.ALLOCATION,
            old_quantity=change.old["quantity"],
            new_quantity=change.new["quantity"],
            by=actor,
            reason=reasons[(change.key[1], change.key[2])],
        )
        for change in outcome.changes
    ]
    if outcome.created_rows:
        created = {row[:3]: row[3] for row in outcome.created_rows}
        for pk, *key in (
            AgreedVolume.objects.filter(award_id__in={a for _, a, _ in created}, year_no__in={y for _, _, y in created})
            .order_by()
            .values_list("pk", "institution_id", "award_id", "year_no")
        ):
            if tuple(key) in created:
                history.append(
                    AgreedVolumeChange(
                        volume_id=pk,
                        kind=AgreedVolumeChange.Kind.ALLOCATION,
                        old_quantity=None,
                        new_quantity=created[tuple(key)],
                        by=actor,
                        reason=reasons[(key[1], key[2])],
                    )
                )
    AgreedVolumeChange.objects.bulk_create(history, batch_size=2000)
    written = outcome.created + outcome.updated
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                user=actor,
                action="volumes.allocate",
                model=Award._meta.label_lower,
                key=str(a.award.pk),
                changes={
                    "region": a.region.code,
                    "year_no": a.year_no,
                    "total": a.total,
                    "source": a.source,
                    "base_year": a.base_year,
                    "changed": len(a.changed()),
                },
                reason=a.reason(),
            )
            for a in allocations
        ]
    )
    for allocation in allocations:
        allocation.written = sum(1 for _ in allocation.changed())
    return written


@transaction.atomic
def default_next_year(
    *, award: Award, region: Region, year_no: int, by, total: int | None = None, base_year: int | None = None
) -> Allocation:
    """Set year `year_no` + 1 of `award` over `region`: the new decomposition (baselines × ratio, or `total`),
    with no institution below its volume of year `year_no` when the profile's next_year_at_least_previous is set."""
    check_can_allocate(by, region)
    allocation = preview_allocation(
        award=award, region=region, by=by, total=total, year_no=year_no + 1, base_year=base_year
    )
    commit_allocation(allocation=allocation, by=by)
    return allocation


# Reallocation


@transaction.atomic
def reallocate(
    *,
    award: Award,
    year_no: int,
    moves: Sequence[Move | tuple[Institution, Institution, int]],
    reason: str,
    by,
    region: Region | None = None,
) -> list[AgreedVolumeChange]:
    """调剂: move agreed volume between institutions of the bureau's region (or of `region`, at or below it). The
    total stays the same; no volume goes below zero; each move writes a history row on both sides."""
    reason = (reason or "").strip()
    if region is None:
        m = _membership(by)
        region = m.region if m is not None and m.region_id else award.province
    check_can_allocate(by, region)
    if not reason:
        raise AllocationError(REASON_REQUIRED)
    _check_award(award, region, year_no)
    moves = [Move(*m) for m in moves]
    if not moves:
        return []
    for move in moves:
        if not isinstance(move.quantity, int) or isinstance(move.quantity, bool) or move.quantity <= 0:
            raise AllocationError(NOT_POSITIVE.format(quantity=move.quantity))
        if move.source.pk == move.target.pk:
            raise AllocationError(SAME_INSTITUTION.format(code=move.source.code))
    ids = {i.pk for m in moves for i in (m.source, m.target)}
    institutions = {
        i.pk: i
        for i in Institution.objects.filter(pk__in=ids)
        .select_related("region")
        .only("id", "code", "name", "participation", "region__path", "region__name")
    }
    for move in moves:
        for inst in (move.source, move.target):
            if not institutions[inst.pk].region.path.startswith(region.path):
                raise PermissionDenied(OUTSIDE_REGION.format(code=inst.code, region=region.name))
        if institutions[move.target.pk].participation not in PARTICIPATING:
            raise AllocationError(NOT_TAKING_PART.format(code=move.target.code))
    volumes = {
        v.institution_id: v
        for v in AgreedVolume.objects.select_for_update(of=("self",)).filter(
            award=award, year_no=year_no, institution_id__in=ids
        )
    }
    missing = [m.target.pk for m in moves if m.target.pk not in volumes]
    actor = _actor(by)
    new = AgreedVolume.objects.bulk_create(
        [AgreedVolume(institution_id=i, award=award, year_no=year_no, quantity=0) for i in dict.fromkeys(missing)]
    )
    if new and any(v.pk is None for v in new):  # a backend that does not return primary keys
        new = list(AgreedVolume.objects.filter(award=award, year_no=year_no, institution_id__in=missing))
    created = {v.institution_id for v in new}
    volumes.update({v.institution_id: v for v in new})
    history: list[AgreedVolumeChange] = []
    for move in moves:
        source, target = volumes.get(move.source.pk), volumes[move.target.pk]
        held = source.quantity if source is not None else 0
        if source is None or held < move.quantity:
            raise AllocationError(
                NOT_ENOUGH.format(code=move.source.code, year=year_no, held=held, quantity=move.quantity)
            )
        text = (
            f"{reason}（调剂：{move.source.code} {move.source.name} → "
            f"{move.target.code} {move.target.name}，{move.quantity}）"
        )
        for volume, delta in ((source, -move.quantity), (target, move.quantity)):
            old = None if volume.institution_id in created else volume.quantity  # None: the row is new
            created.discard(volume.institution_id)
            volume.quantity += delta
            history.append(
                AgreedVolumeChange(
                    volume=volume,
                    kind=AgreedVolumeChange.Kind.REALLOCATION,
                    old_quantity=old,
                    new_quantity=volume.quantity,
                    by=actor,
                    reason=text,
                )
            )
    AgreedVolume.objects.bulk_update(list(volumes.values()), ["quantity"])
    AgreedVolumeChange.objects.bulk_create(history)
    AuditEvent.objects.create(
        user=actor,
        action="volumes.reallocate",
        model=Award._meta.label_lower,
        key=str(award.pk),
        changes={
            "year_no": year_no,
            "moves": [[m.source.code, m.target.code, m.quantity] for m in moves],
        },
        reason=reason,
    )
    return history
