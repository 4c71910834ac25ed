"""Who may open which page (SPEC §1, ARCHITECTURE "Scoping"): one table, every page, every kind of user.

404 means "not in your scope" and is indistinguishable from "does not exist" (see the NOPE rows). The world is
described in conftest.py: 威海 (371000) and 济南 (370100) are sibling cities of 山东 (370000); 重庆 (500000) is
the other province; A is in 威海, B in 济南, C in 涪陵 (重庆).
"""

import pytest

ROLES = (
    "anonymous",  # signed out
    "sd_bureau",  # 山东省医疗保障局, manager
    "wh_bureau",  # 威海市医疗保障局, clerk
    "wh_health",  # 威海市卫生健康委员会, viewer
    "a_clerk",  # institution A, clerk
    "a_viewer",  # institution A, viewer
    "m1",  # manufacturer of p1, self-distributing, supplier of INV-A
    "dist",  # distributor of orders B and C, supplier of INV-B and INV-C
    "no_membership",  # signed in, no organisation
    "admin",  # system administrator
)

# fmt: off
TABLE = [
    # method  URL                          anon  sd   wh   whh  a_c  a_v  m1   dist none admin
    ("GET",  "/",                          302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/",                          302, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("GET",  "/login/",                    200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/logout/",                   302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET",  "/logout/",                   405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("GET",  "/admin/",                    302, 302, 302, 302, 302, 302, 302, 302, 302, 200),
    ("GET",  "/institutions/H-WH-A/",      302, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    ("GET",  "/institutions/H-JN-B/",      302, 200, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/institutions/H-FL-C/",      302, 404, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/institutions/NOPE/",        302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET",  "/awards/{sd1}/",             302, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    ("GET",  "/awards/{sd2}/",             302, 200, 200, 200, 200, 200, 404, 200, 404, 200),
    ("GET",  "/awards/{cq2}/",             302, 404, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/awards/0/",                 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET",  "/invoices/INV-A/",           302, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    ("GET",  "/invoices/INV-B/",           302, 200, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/invoices/INV-C/",           302, 404, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/invoices/NOPE/",            302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/invoices/INV-A/",           302, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("GET",  "/orders/ORD-A/",             302, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    ("GET",  "/orders/ORD-B/",             302, 200, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/orders/ORD-C/",             302, 404, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET",  "/orders/NOPE/",              302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
]
# fmt: on

CASES = [(role, method, url, status) for method, url, *row in TABLE for role, status in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize(("role", "method", "url", "status"), CASES, ids=[f"{r}-{m}-{u}-{s}" for r, m, u, s in CASES])
def test_permissions(client_for, world, role, method, url, status):
    url = url.format(**world.keys)
    client = client_for(role)
    response = client.generic(method, url, secure=False)
    assert response.status_code == status, f"{role} {method} {url}"
    if status == 302:
        location = response["Location"]
        if role == "anonymous" and url.startswith("/admin/"):
            assert location.startswith("/admin/login/?next=")
        elif role == "anonymous" and url != "/logout/":
            assert location.startswith(f"/login/?next={url}")
        elif url == "/logout/":
            assert location == "/login/"
        else:  # a signed-in user without staff rights is sent to the admin's own login
            assert url.startswith("/admin/") and location.startswith("/admin/login/?next=")
