import io

from jicai.core.imports import RowError, run_import
from jicai.core.models import AuditEvent
from jicai.core.tests.test_imports import SAMPLES, load_samples
from jicai.orgs.models import Institution, Region


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_regions_land_top_down_with_paths_parents_and_profiles(db):
    load_samples(through="regions")
    huancui = Region.objects.get(code="371002")
    assert (huancui.path, huancui.parent.code, huancui.level) == ("370000/371000/371002/", "371000", "district")
    assert Region.objects.get(code="500102").parent.code == "500000"  # a district straight under the province
    assert Region.objects.get(code="370000").profile.code == "sd"
    assert Region.objects.get(code="371000").profile is None  # inherited, not copied


def test_a_parent_must_come_before_its_children(db):
    result = run_import("regions", _csv("code,name,level,parent_code\n371000,威海市,city,370000\n370000,山东省,省,\n"))
    assert result.errors == [
        RowError(2, "parent_code", "未知的上级编码“370000”（上级须已在库中，或在本文件中排在前面）")
    ]


def test_levels_decide_who_may_be_a_parent(db):
    load_samples(through="regions")
    result = run_import(
        "regions",
        _csv(
            "code,name,level,parent_code\n371003,文登区,district,371002\n379000,某市,city,500102\n380000,某省,province,370000\n"
        ),
    )
    assert [(e.line, e.column) for e in result.errors] == [(2, "parent_code"), (3, "parent_code"), (4, "parent_code")]
    assert result.errors[0].message == "上级“371002”是区县级，不能作为区县级区划的上级"
    assert result.errors[2].message == "省级区划不能有上级"


def test_moving_a_region_moves_the_regions_below_it_and_is_audited(db):
    load_samples(through="regions")
    result = run_import(
        "regions", _csv("code,name,level,parent_code\n380000,某省,province,\n371000,威海市,city,380000\n")
    )
    assert (result.created, result.updated) == (1, 1)
    weihai = Region.objects.get(code="371000")
    assert (weihai.parent.code, weihai.path) == ("380000", "380000/371000/")
    huancui = Region.objects.get(code="371002")  # not in the file: follows its parent
    assert (huancui.parent.code, huancui.path) == ("371000", "380000/371000/371002/")
    event = AuditEvent.objects.get()
    assert (event.key, event.changes) == ("371000", {"parent_code": ["370000", "380000"]})


def test_a_file_without_the_profile_column_keeps_profiles(db):
    load_samples(through="regions")
    result = run_import("regions", _csv("code,name,level\n370000,山东省,province\n"))
    assert (result.unchanged, Region.objects.get(code="370000").profile.code) == (1, "sd")
    result = run_import("regions", _csv("code,name,level,profile\n370000,山东省,province,national\n"))
    assert result.updated == 1
    assert AuditEvent.objects.get().changes == {"profile": ["sd", "national"]}


def test_institutions_with_chinese_enumerations(db):
    load_samples(through="institutions")
    assert Institution.objects.get(code="H500102001").kind == "public"
    assert Institution.objects.get(code="H500102004").participation == "voluntary"
    assert Institution.objects.get(code="H371000001").region.code == "371000"
    assert (SAMPLES / "institutions.csv").read_text(encoding="utf-8").startswith("机构编码,")
