"""The supply endpoints of the API: weekly checks and shortage cases, written through `jicai.supply.services`
(the world is the web tests'; see conftest.py): A holds sd1 (p1 by m1), C holds cq2 (p2 by m2)."""

from __future__ import annotations

import pytest

from jicai.core.models import AuditEvent
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck

WEEK = "2020-10-14"  # a Wednesday: the check is kept under its Monday


def _errors(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message_zh"] and body["message_en"]
    return body


def test_an_institution_records_a_weekly_check(api_for, world):
    client = api_for("a_clerk")
    first = client.post(
        "/api/supply-checks/record/", {"award": world.keys["sd1"], "week": WEEK, "status": "tight", "note": "到货慢"}
    )
    assert first.status_code == 201, first.content
    assert (first.json()["week"], first.json()["status"], first.json()["institution"]) == (
        "2020-10-12",
        "tight",
        "H-WH-A",
    )
    # The week has closed (its Sunday is past): the answer given stands.
    again = client.post("/api/supply-checks/record/", {"award": world.keys["sd1"], "week": WEEK, "status": "normal"})
    _errors(again, 400, "rejected")
    assert SupplyCheck.objects.get(pk=first.json()["id"]).status == "tight"
    # Who reads it: the bureau, the manufacturer; not another institution or another company.
    assert [c["institution"] for c in api_for("wh_bureau").get("/api/supply-checks/").json()["results"]] == ["H-WH-A"]
    assert len(api_for("m1").get("/api/supply-checks/?from=2020-10-12&to=2020-10-12").json()["results"]) == 1
    assert api_for("dist").get("/api/supply-checks/").json()["results"] == []
    assert api_for("c_clerk").get(f"/api/supply-checks/{first.json()['id']}/").status_code == 404


def test_a_tight_check_needs_a_note_and_nothing_is_written(api_for, world):
    before = (SupplyCheck.objects.count(), AuditEvent.objects.count())
    body = _errors(
        api_for("a_clerk").post(
            "/api/supply-checks/record/", {"award": world.keys["sd1"], "week": WEEK, "status": "out"}
        ),
        400,
        "rejected",
    )
    assert "说明" in body["message_zh"]
    assert (SupplyCheck.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(("user", "status"), [("a_viewer", 403), ("wh_bureau", 403), ("m1", 403), ("c_clerk", 404)])
def test_only_the_institutions_clerks_record_checks(api_for, world, user, status):
    before = SupplyCheck.objects.count()
    data = {"award": world.keys["sd1"], "week": WEEK, "status": "normal"}
    assert api_for(user).post("/api/supply-checks/record/", data).status_code == status
    assert SupplyCheck.objects.count() == before


def test_a_case_is_opened_answered_given_a_substitute_and_closed(api_for, world):
    opened = api_for("a_clerk").post(
        "/api/shortage-cases/",
        {"award": world.keys["sd1"], "kind": "out", "description": "两周未到货", "opened_on": "2020-10-12"},
    )
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert (case["institution"], case["company"], case["status"]) == ("H-WH-A", world.objects["m1"].code, "awaiting")
    url = f"/api/shortage-cases/{case['id']}/"
    # Only the awarded manufacturer answers; a distributor does not even see the case.
    assert api_for("dist").post(url + "answer/", {"answer": "x"}).status_code == 404
    assert api_for("a_clerk").post(url + "answer/", {"answer": "x"}).status_code == 403
    answered = api_for("m1").post(url + "answer/", {"answer": "原料短缺，下周恢复", "cause": "原料短缺"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    bought = api_for("a_clerk").post(
        url + "substitutes/",
        {"description": "同通用名非中选药品", "unit_price": "0.3830", "quantity": 1000, "bought_on": "2020-10-15"},
    )
    assert bought.status_code == 201, bought.content
    assert bought.json()["substitutes"][0]["extra_cost"] == "200.00"  # (0.3830 − 0.1830) × 1000
    assert api_for("wh_viewer").post(url + "close/", {"conclusion": "x", "force_majeure": False}).status_code == 403
    closed = api_for("wh_bureau").post(
        url + "close/", {"conclusion": "企业原因，费用由企业承担", "force_majeure": False}
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = _errors(api_for("m1").post(url + "answer/", {"answer": "补充"}), 400, "rejected")
    assert "关闭" in again["message_zh"]


def test_a_case_outside_the_users_scope_is_404_and_unchanged(api_for, world):
    case = api_for("c_clerk").post("/api/shortage-cases/", {"award": world.keys["cq2"], "description": "断供"}).json()
    before = (ShortageCase.objects.get(pk=case["id"]).status, SubstitutePurchase.objects.count())
    for user in ("a_clerk", "wh_bureau", "m1"):
        client = api_for(user)
        assert client.get(f"/api/shortage-cases/{case['id']}/").status_code == 404
        assert (
            client.post(
                f"/api/shortage-cases/{case['id']}/close/", {"conclusion": "x", "force_majeure": True}
            ).status_code
            == 404
        )
    assert (ShortageCase.objects.get(pk=case["id"]).status, SubstitutePurchase.objects.count()) == before


def test_bad_input_is_400_with_the_fields(api_for, world):
    body = _errors(api_for("a_clerk").post("/api/shortage-cases/", {"award": "x", "kind": "gone"}), 400, "invalid")
    assert set(body["errors"]) == {"award", "kind", "description"}
