"""`jicai allocate` and `jicai reallocate`: the JSON fields are a contract (SPEC §6)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from jicai.volumes.models import AgreedVolume, AgreedVolumeChange

from .test_allocation import EXPECTED_PROVINCE, held


def run(capsys, *args) -> dict:
    call_command(*args, "--format", "json")
    out = capsys.readouterr().out
    return json.loads(out)  # stdout holds only the JSON document


def test_allocate_json_contract(world, capsys):
    doc = run(capsys, "allocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", "--region", "370000")
    assert doc["award"] == world.award.pk and doc["total"] == 4200 and doc["region"] == "370000"
    assert {"institution", "region", "baseline", "quantity"} <= set(doc["institutions"][0])
    assert {"region", "quantity"} <= set(doc["regions"][0])
    assert {i["institution"]: i["quantity"] for i in doc["institutions"]} == EXPECTED_PROVINCE
    d1b = next(i for i in doc["institutions"] if i["institution"] == "H-D1B")
    assert (d1b["region"], d1b["baseline"]) == ("371002", 500)
    assert {r["region"]: r["quantity"] for r in doc["regions"]} == {
        "370000": 4200,
        "370100": 1400,
        "371000": 2100,
        "371002": 840,
        "371003": 560,
    }
    assert (doc["base_year"], doc["source"], doc["committed"]) == (2018, "baselines", False)
    assert not AgreedVolume.objects.exists()  # a preview writes nothing


def test_allocate_commit_and_total_and_award_id(world, capsys):
    doc = run(capsys, "allocate", "--award", str(world.award.pk), "--region", "371000", "--total", "1001", "--commit")
    assert doc["committed"] and doc["total"] == 1001 and doc["source"] == "given"
    assert sum(held(world.award).values()) == 1001
    assert AgreedVolumeChange.objects.filter(kind="allocation", by=None).count() == len(held(world.award))
    again = run(capsys, "allocate", "--award", str(world.award.pk), "--region", "371000", "--keep-total")
    assert again["total"] == 1001 and all(i["quantity"] == (i["held"] or 0) for i in again["institutions"])


def test_allocate_year_two_and_as_a_user(world, capsys):
    run(capsys, "allocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", "--region", "371000", "--commit")
    doc = run(
        capsys,
        "allocate",
        "--batch",
        "GY-YD2019-2",
        "--product",
        "XP-ACA50",
        "--region",
        "371000",
        "--year",
        "2",
        "--commit",
        "--user",
        "wh_bureau",
    )
    assert doc["year_no"] == 2 and doc["at_least_previous_year"]
    assert held(world.award, 2) == held(world.award, 1)
    assert AgreedVolumeChange.objects.filter(volume__year_no=2, by__username="wh_bureau").count() == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "371000", "--user", "wh_viewer", "--commit"], "只能查看"),
        (["--region", "371000", "--user", "wh_health", "--commit"], "只能查看"),
        (["--region", "370100", "--user", "wh_bureau"], "区划"),  # 济南 is not visible to 威海
        (["--region", "371000", "--year", "3"], "采购周期"),
        (["--region", "371000", "--total", "-5"], "负数"),
        (["--region", "500102", "--user", "wh_bureau"], "区划"),  # another province
    ],
)
def test_allocate_refusals(world, capsys, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("allocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", *args, "--format", "json")
    assert not AgreedVolume.objects.exists()
    assert capsys.readouterr().out == ""


def test_allocate_every_award_of_a_batch(world, capsys):
    doc = run(capsys, "allocate", "--batch", "GY-YD2019-2", "--region", "371000")
    assert [a["product"] for a in doc["allocations"]] == ["XP-ACA50"]


def test_allocate_every_award_of_the_province_in_one_command(world, capsys):
    doc = run(capsys, "allocate", "--region", "371000", "--commit")
    assert [(a["batch"], a["product"]) for a in doc["allocations"]] == [("GY-YD2019-2", "XP-ACA50")]  # not 重庆's
    assert sum(held(world.award, 1).values()) == doc["allocations"][0]["total"] > 0
    with pytest.raises(CommandError, match="--batch"):
        call_command("allocate", "--region", "371000", "--product", "XP-ACA50")


def test_allocate_csv_and_table(world, capsys):
    call_command("allocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", "--region", "371002", "--format", "csv")
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0] == "award,year_no,institution,institution_name,region,participation,baseline,held,quantity"
    assert any(line.startswith("GY-YD2019-2/XP-ACA50,1,H-D1B,") and line.endswith(",500,,350") for line in lines)
    call_command("allocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", "--region", "371002")
    out = capsys.readouterr()
    assert "环翠区" in out.out and "预览" in out.err


def _year_one(world):
    for code, q in {"H-C": 700, "H-D2": 560}.items():
        AgreedVolume.objects.create(institution=world.institutions[code], award=world.award, year_no=1, quantity=q)


def test_reallocate_json(world, capsys):
    _year_one(world)
    doc = run(
        capsys,
        *("reallocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", "--region", "371000", "--year", "1"),
        *("--from", "H-C", "--to", "H-D2", "--quantity", "100", "--reason", "床位调整", "--user", "wh_bureau"),
    )
    assert doc["from"]["institution"] == "H-C" and (doc["from"]["old_quantity"], doc["from"]["new_quantity"]) == (
        700,
        600,
    )
    assert (doc["to"]["old_quantity"], doc["to"]["new_quantity"]) == (560, 660)
    assert doc["reason"] == "床位调整" and doc["quantity"] == 100
    assert held(world.award) == {"H-C": 600, "H-D2": 660}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--quantity", "100", "--reason", "  "], "原因"),
        (["--quantity", "800", "--reason", "x"], "只有 700"),
        (["--quantity", "100", "--reason", "x", "--user", "wh_viewer"], "只能查看"),
        (["--quantity", "100", "--reason", "x", "--user", "hc_bureau"], "找不到"),  # H-C is not 环翠's
    ],
)
def test_reallocate_refusals(world, extra, message):
    _year_one(world)
    with pytest.raises(CommandError, match=message):
        call_command(
            *("reallocate", "--batch", "GY-YD2019-2", "--product", "XP-ACA50", "--region", "371000"),
            *("--from", "H-C", "--to", "H-D2", *extra),
        )
    assert held(world.award) == {"H-C": 700, "H-D2": 560}
