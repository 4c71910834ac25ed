"""Agreed volumes and their progress per award × region and institution (`volumes:list`): read-only for health
commissions, who see no write button and whose POSTs are refused without a change."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jicai.core.models import AuditEvent
from jicai.volumes.models import AgreedVolume

LIST_MAX_QUERIES = 16


def test_health_commission_reads_the_volumes_of_its_region(client_for, world):
    response = client_for("wh_health").get(f"/volumes/?award={world.keys['sd1']}&as_of=2020-12-31")
    assert response.status_code == 200
    ctx = response.context
    assert [(r["institution"], r["agreed"], r["purchased"]) for r in ctx["institutions"].rows] == [
        ("H-WH-A", 5000, 1000)
    ]
    assert [(r["code"], r["agreed"]) for r in ctx["sub_regions"].rows] == [("371002", 5000)]
    html = response.content.decode()
    main = html.split("<main", 1)[1]  # the header's language switch and logout are the only forms that post
    assert 'method="post"' not in main and "<button" not in main.replace('<button type="submit" class="primary">', "")
    assert "H-JN-B" not in html


def test_province_sees_every_city_and_the_default_award(client_for, world):
    ctx = client_for("sd_bureau").get("/volumes/?as_of=2020-12-31").context
    assert ctx["award"].pk in (world.keys["sd1"], world.keys["sd2"])
    assert {a.pk for a in ctx["awards"]} == {world.keys["sd1"], world.keys["sd2"]}  # awards with volumes here
    assert [r["code"] for r in ctx["sub_regions"].rows] == ["370100", "371000"]


def test_health_commission_home_has_no_write_links(client_for):
    html = client_for("wh_health").get("/").content.decode()
    assert 'href="/volumes/"' in html and 'href="/dashboard/"' in html
    assert 'href="/volumes/allocate/"' not in html and 'href="/volumes/reallocate/"' not in html
    bureau = client_for("wh_bureau").get("/").content.decode()
    assert 'href="/volumes/allocate/"' in bureau and 'href="/volumes/reallocate/"' in bureau


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/volumes/allocate/", {"award": "{sd1}", "region": "371000", "year_no": "1"}),
        (
            "/volumes/reallocate/",
            {"award": "{sd1}", "year_no": "1", "source": "H-WH-A", "target": "H-WH-A", "quantity": "1", "reason": "x"},
        ),
        ("/volumes/", {}),
        ("/dashboard/", {}),
    ],
)
def test_health_commission_posts_are_refused_and_change_nothing(client_for, world, url, data):
    before = (list(AgreedVolume.objects.values_list("pk", "quantity")), AuditEvent.objects.count())
    payload = {k: v.format(**world.keys) for k, v in data.items()}
    response = client_for("wh_health").post(url, payload)
    assert response.status_code in (403, 405)  # pages that only read refuse every POST (405)
    assert (list(AgreedVolume.objects.values_list("pk", "quantity")), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("role", "status"), [("wh_health", 200), ("wh_bureau", 200), ("a_clerk", 403), ("m1", 403), ("anonymous", 302)]
)
def test_who_may_read_the_list(client_for, role, status):
    assert client_for(role).get("/volumes/").status_code == status


def test_another_region_or_award_is_not_found(client_for, world):
    client = client_for("wh_health")
    assert client.get("/volumes/?region=370100").status_code == 404
    assert client.get(f"/volumes/?award={world.keys['cq2']}").status_code == 404
    assert client.get("/volumes/?as_of=2020-02-30").status_code == 404


def test_export_follows_the_page(client_for, world):
    response = client_for("wh_health").get(f"/volumes/?award={world.keys['sd1']}&as_of=2020-12-31&format=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "机构编码" and rows[1][0] == "H-WH-A" and len(rows) == 2


def test_query_count_is_bounded(client_for, world, django_assert_max_num_queries):
    from jicai.web.tests.test_drill import _many_institutions

    client = client_for("wh_health")
    url = f"/volumes/?award={world.keys['sd1']}&as_of=2020-12-31&sort=-agreed&page=2"
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _many_institutions(world)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = client.get(url)
    assert len(response.context["institution_rows"]) == 11
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
