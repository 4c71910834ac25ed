"""The drill-down: dashboard (region) → institution → award → its deliveries and invoices, within the user's scope,
and the dashboard's institution table sorted on the server across its pages."""

from datetime import date

import pytest

from jicai.core.testing import make_institution, make_region
from jicai.volumes.models import AgreedVolume

AS_OF = "as_of=2020-12-31"


def test_dashboard_links_an_institution_to_its_page_as_of_the_same_day(client_for):
    response = client_for("wh_bureau").get(f"/dashboard/?{AS_OF}")
    assert f'href="/institutions/H-WH-A/?{AS_OF}"' in response.content.decode()


def test_institution_page_links_each_award_to_its_deliveries_and_invoices(client_for, world):
    response = client_for("wh_bureau").get(f"/institutions/H-WH-A/?{AS_OF}")
    [row] = response.context["progress"].rows
    assert (row["award_id"], row["agreed"], row["purchased"]) == (world.keys["sd1"], 5000, 1000)
    assert row["status"] == "严重滞后"  # 20 % done with the year over
    assert f'href="/institutions/H-WH-A/awards/{world.keys["sd1"]}/?{AS_OF}"' in response.content.decode()


def test_institution_award_lists_deliveries_and_invoices_with_links(client_for, world):
    response = client_for("wh_bureau").get(f"/institutions/H-WH-A/awards/{world.keys['sd1']}/?{AS_OF}")
    ctx = response.context
    assert (ctx["progress"].progress.agreed, ctx["progress"].progress.purchased) == (5000, 1000)
    assert [r["delivery_id"] for r in ctx["tables"]["deliveries"].rows] == ["DLV-A"]
    [invoice] = ctx["tables"]["invoices"].rows
    assert (invoice["invoice_no"], invoice["due_on"], invoice["status"]) == ("INV-A", date(2020, 10, 22), "逾期未付")
    html = response.content.decode()
    assert 'href="/orders/ORD-A/"' in html and 'href="/invoices/INV-A/"' in html


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("wh_bureau", "/institutions/H-JN-B/awards/{sd2}/", 404),  # another city
        ("wh_bureau", "/institutions/H-WH-A/awards/{cq2}/", 404),  # another province's award
        ("a_clerk", "/institutions/H-WH-A/awards/{sd1}/", 200),
        ("a_clerk", "/institutions/H-JN-B/awards/{sd2}/", 404),
        ("dist", "/institutions/H-JN-B/awards/{sd2}/", 200),
        ("dist", "/institutions/H-WH-A/awards/{sd1}/", 404),  # not supplied by this distributor
        ("m1", "/institutions/H-WH-A/awards/{sd1}/", 200),
        ("anonymous", "/institutions/H-WH-A/awards/{sd1}/", 302),
    ],
)
def test_drill_down_respects_scopes(client_for, world, role, url, status):
    assert client_for(role).get(url.format(**world.keys)).status_code == status


def test_a_distributor_sees_only_its_own_deliveries_there(client_for, world):
    ctx = client_for("dist").get(f"/institutions/H-JN-B/awards/{world.keys['sd2']}/?{AS_OF}").context
    assert [r["delivery_id"] for r in ctx["tables"]["deliveries"].rows] == ["DLV-B"]
    assert [r["invoice_no"] for r in ctx["tables"]["invoices"].rows] == ["INV-B"]


def _many_institutions(world, n=60):
    """n more institutions of 威海 holding the sd1 award, agreed volumes 1 … n: the dashboard's table has 61 rows."""
    wh = world.objects["wh"]
    district = make_region("371090", parent=wh, name="演示区")
    for i in range(1, n + 1):
        institution = make_institution(district, code=f"H-WH-Y{i:03d}")
        AgreedVolume.objects.create(institution=institution, award_id=world.keys["sd1"], year_no=1, quantity=i)


def test_dashboard_sort_survives_pagination(client_for, world):
    _many_institutions(world)
    client = client_for("wh_bureau")
    first = client.get(f"/dashboard/?{AS_OF}&sort=-institution").context
    page = first["institutions_page"]
    assert page.paginator.num_pages == 2 and "sort=-institution" in page.next_url
    codes = [row["cells"][0][1] for row in first["display"]["institutions"]]
    assert codes[0] == "H-WH-Y060" and codes == sorted(codes, reverse=True)
    second = client.get(f"/dashboard/{page.next_url}").context
    assert [row["cells"][0][1] for row in second["display"]["institutions"]][-1] == "H-WH-A"
    export = client.get(f"/dashboard/export/institutions.csv?{AS_OF}&sort=-institution").content.decode("utf-8-sig")
    assert export.splitlines()[1].startswith("H-WH-Y060")
