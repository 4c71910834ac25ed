"""`jicai supply week|costs|remind`: JSON alone on stdout, the user's scope through --user."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from jicai.policy.rules.supply import OUT
from jicai.supply.models import SupplyReminder
from jicai.supply.services import add_substitute, close_case, open_case, record_check


@pytest.fixture
def w(world, db):
    o, u = world.o, world.users
    record_check(institution=o["a"], award=o["sd1"], week=world.week, status=OUT, note="断货", by=u["a_clerk"])
    case = open_case(award=o["sd1"], by=u["a_clerk"], description="断货")
    add_substitute(
        case=case, by=u["a_clerk"], description="替代", unit_price="0.3", quantity=100, bought_on=world.today
    )
    close_case(case=case, by=u["wh_bureau"], conclusion="结案", cause="企业停产", force_majeure=False)
    return world


def run_json(capsysbinary, *args) -> dict:
    call_command("supply", *args, "--format", "json")
    return json.loads(capsysbinary.readouterr().out.decode())


def test_week_json(capsysbinary, w):
    out = run_json(capsysbinary, "week", "--region", "371000", "--week", str(w.today))
    assert (out["region"], out["week"]) == ("371000", str(w.week))
    by_name = {r["generic_name"]: r for r in out["awards"]}
    assert (by_name["阿卡波糖片"]["out"], by_name["阿卡波糖片"]["out_institutions"]) == (1, "医院H-A")
    assert by_name["阿卡波糖片"]["missing_institutions"] == "医院H-A2"
    assert {m["code"] for m in out["missing"]} == {"H-A", "H-A2"}
    assert out["companies"][0] == {"company": w.o["m1"].name, "awards": 1, "tight": 0, "out": 1, "missing": 1}


def test_week_through_a_users_scope(capsysbinary, w):
    out = run_json(capsysbinary, "week", "--region", "371002", "--week", str(w.week), "--user", "wh_bureau")
    assert out["region"] == "371002"
    with pytest.raises(CommandError, match="找不到区划"):
        call_command("supply", "week", "--region", "500102", "--week", str(w.week), "--user", "wh_bureau")
    with pytest.raises(CommandError, match="只有医保局"):
        call_command("supply", "week", "--region", "371000", "--week", str(w.week), "--user", "m1_clerk")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("supply", "week", "--region", "371000", "--week", "2020-13-01")


def test_costs_json_and_csv(capsysbinary, w):
    out = run_json(capsysbinary, "costs", "--region", "370000")
    assert out["companies"] == [
        {"company": w.o["m1"].name, "cases": 1, "charged": "20.00", "pending": "0.00", "waived": "0.00"}
    ]
    assert out["purchases"][0]["extra_cost"] == "20.00" and out["purchases"][0]["outcome"] == "已计入企业"
    assert run_json(capsysbinary, "costs", "--region", "370000", "--user", "m2_clerk")["companies"] == []
    call_command("supply", "costs", "--region", "370000", "--format", "csv", "--user", "m1_clerk")
    lines = capsysbinary.readouterr().out.decode("utf-8-sig").splitlines()
    assert lines[0] == "company,cases,charged,pending,waived" and lines[1].endswith(",1,20.00,0.00,0.00")


def test_remind_is_idempotent(capsysbinary, w):
    call_command("supply", "remind", "--on", str(w.today))
    assert "已生成 4 条催报" in capsysbinary.readouterr().err.decode()  # A (sd2), A2, B, C
    call_command("supply", "remind", "--on", str(w.week))
    assert "已生成 0 条催报" in capsysbinary.readouterr().err.decode()
    assert SupplyReminder.objects.count() == 4
    assert not SupplyReminder.objects.filter(week=w.week - timedelta(weeks=1)).exists()
