"""The allocation services (SPEC §4.3): preview, commit, later years, reallocation; who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jicai.core.models import AuditEvent
from jicai.core.testing import make_institution
from jicai.policy.models import PolicyProfile
from jicai.volumes.allocation import (
    NOT_A_BUREAU,
    NOT_ENOUGH,
    OUTSIDE_REGION,
    READ_ONLY,
    REASON_REQUIRED,
    SOURCE_BASELINES,
    SOURCE_GIVEN,
    SOURCE_HELD,
    AllocationError,
    Move,
    commit_allocation,
    commit_allocations,
    current_allocation,
    default_next_year,
    preview_allocation,
    preview_allocations,
    reallocate,
)
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline

EXPECTED_PROVINCE = {
    "H-P": 700,
    "H-C": 700,
    "H-D1A": 350,
    "H-D1B": 350,
    "H-D1Z": 0,
    "H-VOL": 140,
    "H-D2": 560,
    "H-JN": 1400,
}


def quantities(allocation) -> dict[str, int]:
    return {s.code: s.quantity for s in allocation.institutions}


def held(award, year_no=1) -> dict[str, int]:
    return dict(AgreedVolume.objects.filter(award=award, year_no=year_no).values_list("institution__code", "quantity"))


def snapshot():
    return (
        sorted(AgreedVolume.objects.values_list("institution_id", "award_id", "year_no", "quantity")),
        AgreedVolumeChange.objects.count(),
        AuditEvent.objects.count(),
    )


def test_province_total_is_baselines_times_the_ratio(world):
    a = preview_allocation(award=world.award, region=world.regions["sd"], by=world.users["sd_bureau"])
    assert (a.total, a.source, a.base_year, a.baseline, str(a.ratio)) == (4200, SOURCE_BASELINES, 2018, 6000, "0.7")
    assert quantities(a) == EXPECTED_PROVINCE  # H-NONE takes no part and holds nothing: not listed
    by_code = {s.code: s for s in a.institutions}
    assert by_code["H-D1B"].baseline == 500  # 300 + 100 × 2 (strength factor)
    assert by_code["H-VOL"].takes_part
    regions = {r.code: r.quantity for r in a.regions}
    assert regions == {"370000": 4200, "371000": 2100, "371002": 840, "371003": 560, "370100": 1400}
    assert [r.code for r in a.regions] == ["370000", "370100", "371000", "371002", "371003"]  # path order


def test_every_level_adds_up_with_remainders(world):
    a = preview_allocation(award=world.award, region=world.regions["sd"], by=world.users["sd_bureau"], total=1001)
    assert a.source == SOURCE_GIVEN and a.total == 1001
    by_code = {r.code: r for r in a.regions}
    children: dict[str, int] = {}
    for r in a.regions[1:]:
        children[r.parent_code] = children.get(r.parent_code, 0) + r.quantity
    for s in a.institutions:
        children[s.region_code] = children.get(s.region_code, 0) + s.quantity
    for code, total in children.items():
        assert total == by_code[code].quantity, code
    assert sum(s.quantity for s in a.institutions) == 1001


def test_a_city_decomposes_its_own_baselines_or_what_it_holds(world):
    wh = world.regions["wh"]
    a = preview_allocation(award=world.award, region=wh, by=world.users["wh_bureau"])
    assert a.total == 2100 and set(quantities(a)) == {"H-C", "H-D1A", "H-D1B", "H-D1Z", "H-VOL", "H-D2"}
    # the province hands down 2000 to 威海's institutions; 威海 re-splits what it holds
    AgreedVolume.objects.create(institution=world.institutions["H-C"], award=world.award, year_no=1, quantity=2000)
    a = preview_allocation(award=world.award, region=wh, by=world.users["wh_bureau"], keep_held_total=True)
    assert (a.total, a.source) == (2000, SOURCE_HELD)
    assert sum(quantities(a).values()) == 2000


def test_commit_writes_volumes_history_and_audit_then_nothing_the_second_time(world):
    by = world.users["sd_bureau"]
    a = preview_allocation(award=world.award, region=world.regions["sd"], by=by)
    assert commit_allocation(allocation=a, by=by) == 7  # H-D1Z gets 0 and no row
    assert held(world.award) == {k: v for k, v in EXPECTED_PROVINCE.items() if v}
    changes = AgreedVolumeChange.objects.filter(kind="allocation")
    assert changes.count() == 7
    assert all(c.old_quantity is None and c.by == by for c in changes)
    reason = changes.first().reason
    assert "2018" in reason and "基数×批次比例" in reason and "4200" in reason
    event = AuditEvent.objects.get(action="volumes.allocate")
    assert event.changes["total"] == 4200 and event.user == by
    before = snapshot()
    again = preview_allocation(award=world.award, region=world.regions["sd"], by=by)
    assert again.changed() == []
    assert commit_allocation(allocation=again, by=by) == 0
    assert snapshot()[:2] == before[:2]


def test_commit_updates_only_what_changed_and_zeroes_who_no_longer_takes_part(world):
    by = world.users["wh_bureau"]
    inst = world.institutions
    AgreedVolume.objects.create(institution=inst["H-C"], award=world.award, year_no=1, quantity=700)
    AgreedVolume.objects.create(institution=inst["H-D1A"], award=world.award, year_no=1, quantity=1)
    AgreedVolume.objects.create(institution=inst["H-NONE"], award=world.award, year_no=1, quantity=500)
    a = preview_allocation(award=world.award, region=world.regions["wh"], by=by)
    none = next(s for s in a.institutions if s.code == "H-NONE")
    assert (none.takes_part, none.quantity, none.held) == (False, 0, 500)
    assert commit_allocation(allocation=a, by=by) == 5  # H-D1A, H-NONE updated; H-D1B, H-VOL, H-D2 created
    changes = {c.volume.institution.code: c for c in AgreedVolumeChange.objects.select_related("volume__institution")}
    assert "H-C" not in changes  # unchanged: no history row
    assert (changes["H-D1A"].old_quantity, changes["H-D1A"].new_quantity) == (1, 350)
    assert (changes["H-NONE"].old_quantity, changes["H-NONE"].new_quantity) == (500, 0)
    assert held(world.award)["H-NONE"] == 0


def test_nothing_to_split_names_the_region(world):
    Baseline.objects.all().delete()
    with pytest.raises(AllocationError, match="威海|371000"):
        preview_allocation(award=world.award, region=world.regions["wh"], by=world.users["wh_bureau"], total=10)
    a = preview_allocation(award=world.award, region=world.regions["wh"], by=world.users["wh_bureau"])
    assert a.total == 0 and a.base_year is None


def test_award_of_another_province_and_years_beyond_the_cycle_are_refused(world):
    with pytest.raises(AllocationError, match="重庆"):
        preview_allocation(award=world.cq_award, region=world.regions["wh"], by=world.users["admin"])
    with pytest.raises(AllocationError, match="采购周期"):
        preview_allocation(award=world.award, region=world.regions["wh"], by=world.users["admin"], year_no=3)


@pytest.mark.parametrize(
    ("user", "region", "message"),
    [
        ("jn_bureau", "wh", NOT_A_BUREAU),  # a sibling city
        ("hc_bureau", "wh", NOT_A_BUREAU),  # a district cannot decompose its city
        ("cq_bureau", "wh", NOT_A_BUREAU),  # another province
        ("inst", "wh", NOT_A_BUREAU),
        ("maker", "wh", NOT_A_BUREAU),
        ("wh_viewer", "wh", READ_ONLY),
        ("wh_health", "wh", READ_ONLY),  # a health commission, even as a clerk
    ],
)
def test_who_may_not_commit(world, user, region, message):
    admin = world.users["admin"]
    a = preview_allocation(award=world.award, region=world.regions[region], by=admin)
    before = snapshot()
    with pytest.raises(PermissionDenied, match=message):
        commit_allocation(allocation=a, by=world.users[user])
    assert snapshot() == before


def test_who_may_preview(world):
    for user in ("wh_viewer", "wh_health", "wh_bureau", "sd_bureau", "admin"):
        preview_allocation(award=world.award, region=world.regions["wh"], by=world.users[user])
    for user in ("jn_bureau", "inst", "maker"):
        with pytest.raises(PermissionDenied):
            preview_allocation(award=world.award, region=world.regions["wh"], by=world.users[user])


def test_a_clerk_of_a_region_above_may_commit(world):
    by = world.users["sd_bureau"]
    a = preview_allocation(award=world.award, region=world.regions["hc"], by=by)
    assert commit_allocation(allocation=a, by=by) == 3


def test_the_console_administrator_is_not_a_saved_user(world):
    from django.contrib.auth import get_user_model

    system = get_user_model()(username="system", is_superuser=True, is_active=True)
    a = preview_allocation(award=world.award, region=world.regions["wd"], by=system)
    assert commit_allocation(allocation=a, by=system) == 1
    assert AgreedVolumeChange.objects.get().by is None


# Later years


def _year_one(world, **overrides):
    values = {"H-C": 900, "H-D1A": 100, "H-D1B": 350, "H-VOL": 140, "H-D2": 560}
    values.update(overrides)
    for code, q in values.items():
        AgreedVolume.objects.create(institution=world.institutions[code], award=world.award, year_no=1, quantity=q)


def test_next_year_is_at_least_the_previous_one(world):
    _year_one(world)
    by = world.users["wh_bureau"]
    a = default_next_year(award=world.award, region=world.regions["wh"], year_no=1, by=by)
    assert a.year_no == 2 and a.floor_applied and a.decomposed == 2100
    year2 = held(world.award, 2)
    assert year2 == {"H-C": 900, "H-D1A": 350, "H-D1B": 350, "H-VOL": 140, "H-D2": 560}  # H-C keeps 900 > 700
    assert a.total == sum(year2.values()) == 2300
    year1 = held(world.award, 1)
    assert all(year2[k] >= q for k, q in year1.items())
    # the same again changes nothing
    before = snapshot()
    default_next_year(award=world.award, region=world.regions["wh"], year_no=1, by=by)
    assert snapshot()[:2] == before[:2]


def test_next_year_without_the_floor_is_the_new_decomposition(world):
    _year_one(world)
    PolicyProfile.objects.filter(code="sd").update(next_year_at_least_previous=False)
    a = default_next_year(award=world.award, region=world.regions["wh"], year_no=1, by=world.users["wh_bureau"])
    assert not a.floor_applied
    assert held(world.award, 2) == {"H-C": 700, "H-D1A": 350, "H-D1B": 350, "H-VOL": 140, "H-D2": 560}


def test_next_year_beyond_the_cycle_is_refused(world):
    with pytest.raises(AllocationError, match="采购周期"):
        default_next_year(award=world.award, region=world.regions["wh"], year_no=2, by=world.users["wh_bureau"])


def test_next_year_needs_a_writer(world):
    _year_one(world)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        default_next_year(award=world.award, region=world.regions["wh"], year_no=1, by=world.users["wh_viewer"])
    assert snapshot() == before


def test_current_allocation_shows_what_is_held(world):
    _year_one(world)
    a = current_allocation(award=world.award, region=world.regions["wh"], by=world.users["wh_health"])
    assert a.total == 2050 and a.changed() == []
    assert {r.code: r.quantity for r in a.regions} == {"371000": 2050, "371002": 590, "371003": 560}


# Reallocation (调剂)


def test_reallocation_moves_volume_and_keeps_the_total(world):
    _year_one(world)
    inst, by = world.institutions, world.users["wh_bureau"]
    history = reallocate(
        award=world.award,
        year_no=1,
        moves=[(inst["H-C"], inst["H-D2"], 200), Move(inst["H-C"], inst["H-D1Z"], 50)],
        reason="H-C 床位调整",
        by=by,
    )
    after = held(world.award)
    assert (after["H-C"], after["H-D2"], after["H-D1Z"]) == (650, 760, 50)
    assert sum(after.values()) == 2050
    assert [(h.old_quantity, h.new_quantity) for h in history] == [(900, 700), (560, 760), (700, 650), (None, 50)]
    assert all(h.kind == "reallocation" and h.by == by and h.reason.startswith("H-C 床位调整") for h in history)
    assert AgreedVolumeChange.objects.filter(kind="reallocation").count() == 4
    event = AuditEvent.objects.get(action="volumes.reallocate")
    assert event.reason == "H-C 床位调整" and event.changes["moves"][0] == ["H-C", "H-D2", 200]


@pytest.mark.parametrize(
    ("user", "source", "target", "quantity", "reason", "error", "message"),
    [
        ("wh_bureau", "H-C", "H-D2", 100, "  ", AllocationError, REASON_REQUIRED),
        ("wh_bureau", "H-C", "H-D2", 901, "x", AllocationError, NOT_ENOUGH.split("{")[0]),
        ("wh_bureau", "H-C", "H-D2", 0, "x", AllocationError, "正整数"),
        ("wh_bureau", "H-C", "H-D2", -5, "x", AllocationError, "正整数"),
        ("wh_bureau", "H-C", "H-C", 5, "x", AllocationError, "同一家"),
        ("wh_bureau", "H-C", "H-NONE", 5, "x", AllocationError, "不参加"),
        ("wh_bureau", "H-D1Z", "H-C", 5, "x", AllocationError, "只有 0"),
        ("wh_bureau", "H-C", "H-JN", 5, "x", PermissionDenied, OUTSIDE_REGION.split("“")[0]),
        ("hc_bureau", "H-C", "H-D1A", 5, "x", PermissionDenied, "不在环翠区辖区内"),
        ("wh_viewer", "H-C", "H-D2", 5, "x", PermissionDenied, READ_ONLY),
        ("wh_health", "H-C", "H-D2", 5, "x", PermissionDenied, READ_ONLY),
        ("jn_bureau", "H-C", "H-D2", 5, "x", PermissionDenied, "不在济南市辖区内"),
        ("inst", "H-C", "H-D2", 5, "x", PermissionDenied, NOT_A_BUREAU),
    ],
)
def test_reallocation_refusals_change_nothing(world, user, source, target, quantity, reason, error, message):
    _year_one(world)
    inst = world.institutions
    before = snapshot()
    with pytest.raises(error, match=message):
        reallocate(
            award=world.award,
            year_no=1,
            moves=[(inst[source], inst[target], quantity)],
            reason=reason,
            by=world.users[user],
        )
    assert snapshot() == before


def test_a_later_move_cannot_overdraw_either(world):
    _year_one(world)
    inst = world.institutions
    before = snapshot()
    with pytest.raises(AllocationError):
        reallocate(
            award=world.award,
            year_no=1,
            moves=[(inst["H-D1A"], inst["H-D2"], 60), (inst["H-D1A"], inst["H-D2"], 60)],
            reason="两次调出",
            by=world.users["wh_bureau"],
        )
    assert snapshot() == before


# Set-based: the number of queries does not grow with institutions or awards


def _grow(world, n: int, awards: int = 1):
    """n more institutions in 环翠 and 文登 with baselines, and `awards` more awards of other generic names."""
    from jicai.core.testing import make_award, make_product

    regions = [world.regions["hc"], world.regions["wd"]]
    extra = [make_institution(regions[i % 2], code=f"H-X{i:05d}") for i in range(n)]
    Baseline.objects.bulk_create(
        Baseline(institution=inst, product=world.product, year=2018, quantity=100 + i) for i, inst in enumerate(extra)
    )
    more = []
    for k in range(awards):
        product = make_product(world.product.manufacturer, code=f"XP-G{k}", generic_name=f"品种{k}")
        Baseline.objects.bulk_create(
            Baseline(institution=inst, product=product, year=2018, quantity=50 + i) for i, inst in enumerate(extra)
        )
        more.append(make_award(product, world.regions["sd"], winners=4))
    return more


HISTORY_INSERT = 'INSERT INTO "volumes_agreedvolumechange"'


def _count(fn) -> int:
    """Queries run by `fn`, the history rows' batched INSERTs (a backend's parameter limit decides how many rows
    one statement takes: SQLite's is small) counted as one."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    sql = [q["sql"] for q in ctx.captured_queries]
    return len([s for s in sql if not s.startswith(HISTORY_INSERT)]) + any(s.startswith(HISTORY_INSERT) for s in sql)


def test_query_counts_do_not_grow_with_institutions_or_awards(world):
    by = world.users["wh_bureau"]
    wh = world.regions["wh"]

    def preview_and_commit():
        awards = [world.award, *_added]
        allocations = preview_allocations(awards=awards, region=wh, by=by)
        commit_allocations(allocations=allocations, by=by)

    _added: list = []
    small_preview = _count(lambda: preview_allocation(award=world.award, region=wh, by=by))
    small = _count(preview_and_commit)
    _added[:] = _grow(world, 300, awards=5)
    AgreedVolume.objects.all().delete()
    large_preview = _count(lambda: preview_allocation(award=world.award, region=wh, by=by))
    large = _count(preview_and_commit)
    assert AgreedVolume.objects.count() > 6 * 300
    assert small_preview == large_preview == 5  # awards, regions, institutions, baselines, volumes held
    assert small == large


def test_preview_queries_pinned(world, django_assert_num_queries):
    by = world.users["admin"]
    with django_assert_num_queries(5):  # awards, regions, institutions, baselines, volumes held
        preview_allocation(award=world.award, region=world.regions["sd"], by=by)
    a = preview_allocation(award=world.award, region=world.regions["sd"], by=by)
    # the locked volumes; the upsert (stage, fill, created, changed, write, drop); new ids; history; audit
    # (SQLite needs no savepoint queries in the test transaction's count beyond these)
    with CaptureQueriesContext(connection) as ctx:
        commit_allocation(allocation=a, by=by)
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) <= 12, writes
