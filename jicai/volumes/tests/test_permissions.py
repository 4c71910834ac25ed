"""Who may open and post the allocation pages (one table; the world is in conftest.py).

A region or award outside the user's scope is a 404; a page the user may see but not use is a 403; a denied POST
changes nothing.
"""

from __future__ import annotations

import pytest

from jicai.core.models import AuditEvent
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange

ROLES = ("anonymous", "admin", "sd_bureau", "wh_bureau", "wh_viewer", "wh_health", "jn_bureau", "inst", "maker")

ALLOC = "/volumes/allocate/?award={sd}&region=371000&year_no=1"
EXPORT = "/volumes/allocate/export/?award={sd}&region=371000&year_no=1&format={fmt}"

# fmt: off
TABLE = [
    # method URL                                                     anon admin sd   wh   whv  whh  jn   inst maker
    ("GET",  "/volumes/allocate/",                                   302, 200, 200, 200, 200, 200, 200, 403, 403),
    ("GET",  ALLOC,                                                  302, 200, 200, 200, 200, 200, 404, 403, 403),
    ("GET",  "/volumes/allocate/?award={sd}&region=370000&year_no=1", 302, 200, 200, 404, 404, 404, 404, 403, 403),
    ("GET",  "/volumes/allocate/?award={cq}&region=371000&year_no=1", 302, 200, 404, 404, 404, 404, 404, 403, 403),
    ("GET",  "/volumes/allocate/?award=x&region=371000&year_no=1",   302, 404, 404, 404, 404, 404, 404, 403, 403),
    ("GET",  EXPORT.replace("{fmt}", "xlsx"),                        302, 200, 200, 200, 200, 200, 404, 403, 403),
    ("GET",  EXPORT.replace("{fmt}", "csv") + "&current=1",          302, 200, 200, 200, 200, 200, 404, 403, 403),
    ("GET",  "/volumes/reallocate/",                                 302, 200, 200, 200, 200, 200, 200, 403, 403),
    ("GET",  "/volumes/history/{sd}/H-C/1/",                         302, 200, 200, 200, 200, 200, 404, 200, 200),
    ("GET",  "/volumes/history/{sd}/H-JN/1/",                        302, 200, 200, 404, 404, 404, 200, 404, 200),
    ("GET",  "/volumes/history/{sd}/NOPE/1/",                        302, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/volumes/history/{sd}/H-C/1/",                         302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("PUT",  "/volumes/allocate/",                                   302, 405, 405, 405, 405, 405, 405, 405, 405),
]
# fmt: on

# POSTs that write, with the status each role gets; "302" means written and redirected.
POSTS = {
    "allocate": (
        "/volumes/allocate/",
        {"award": "{sd}", "region": "371000", "year_no": "1"},
        # anon admin sd   wh   whv  whh  jn   inst maker
        (302, 302, 302, 302, 403, 403, 404, 403, 403),
    ),
    "reallocate": (
        "/volumes/reallocate/",
        {"award": "{sd}", "year_no": "1", "source": "H-C", "target": "H-D2", "quantity": "100", "reason": "床位调整"},
        (302, 302, 302, 302, 403, 403, 404, 403, 403),
    ),
}

CASES = [(role, method, url, status) for method, url, *row in TABLE for role, status in zip(ROLES, row, strict=True)]


def keys(world) -> dict:
    return {"sd": world.award.pk, "cq": world.cq_award.pk}


@pytest.fixture
def volumes(world):
    """Volumes of year 1 for H-C, H-D2 and H-JN, so that history pages and reallocation have something to show."""
    for code, q in {"H-C": 700, "H-D2": 560, "H-JN": 1400}.items():
        AgreedVolume.objects.create(institution=world.institutions[code], award=world.award, year_no=1, quantity=q)


def sign_in(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize(("role", "method", "url", "status"), CASES, ids=[f"{r}-{m}-{u}-{s}" for r, m, u, s in CASES])
def test_pages(client, world, volumes, role, method, url, status):
    url = url.format(**keys(world))
    response = sign_in(client, world, role).generic(method, url)
    assert response.status_code == status, f"{role} {method} {url}"
    if status == 302:
        assert response["Location"].startswith("/login/?next=")


def snapshot():
    return (
        sorted(AgreedVolume.objects.values_list("institution_id", "award_id", "year_no", "quantity")),
        AgreedVolumeChange.objects.count(),
        AuditEvent.objects.count(),
    )


POST_CASES = [
    (name, role, status) for name, (_, _, row) in POSTS.items() for role, status in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("name", "role", "status"), POST_CASES, ids=[f"{n}-{r}-{s}" for n, r, s in POST_CASES])
def test_posts(client, world, volumes, name, role, status):
    url, data, _ = POSTS[name]
    data = {k: v.format(**keys(world)) for k, v in data.items()}
    before = snapshot()
    response = sign_in(client, world, role).post(url, data)
    assert response.status_code == status, f"{role} POST {url}"
    if status == 302 and role == "anonymous":
        assert response["Location"].startswith("/login/?next=")
    if status == 302 and role != "anonymous":
        assert snapshot() != before  # written
    else:
        assert snapshot() == before  # nothing changed
