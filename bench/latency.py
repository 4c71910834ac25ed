"""Page latency under load (issue 9): the bureau's dashboard and an institution's home page, 20 clients at once,
served by gunicorn on a PostgreSQL database that holds the generated province.

    python bench/latency.py postgres://…/jicai_bench   (bench/run.py calls it after importing the data)

Adds two users if they are missing (a bureau viewer of the generated province and a clerk of its institution with
the most agreed volumes), starts gunicorn on a free loopback port with production settings (DEBUG off), signs
both in, warms up, then lets `--clients` threads request the two pages in turn for `--seconds` seconds, one new
connection per request (gunicorn's sync workers close it anyway). Prints one JSON document: p50, p95 and max per
page, requests per second, and the peak memory of the gunicorn processes. Only the standard library's
http.client: the client must not be what is measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PROVINCE = "900000"  # jicai.core.generate.PROVINCE
BUREAU, HOSPITAL = "bench_bureau", "bench_hospital"
PASSWORD = "pw-Jicai-2020"  # jicai.core.testing.make_user's
PAGES = (("dashboard", BUREAU, "/dashboard/"), ("institution_home", HOSPITAL, "/"))


def ensure_users(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from jicai.core.testing import make_user
    from jicai.orgs.models import Institution, Region

    users = get_user_model().objects
    if not users.filter(username=BUREAU).exists():
        make_user(Region.objects.get(code=PROVINCE), role="viewer", username=BUREAU)
    if not users.filter(username=HOSPITAL).exists():
        busiest = (
            Institution.objects.filter(region__path__startswith=Region.objects.get(code=PROVINCE).path)
            .annotate(n=Count("agreed_volumes"))
            .order_by("-n", "code")
            .first()
        )
        make_user(busiest, role="clerk", username=HOSPITAL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, cookies: dict, body: dict | None = None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Host": "127.0.0.1"}
    data = None
    if body is not None:
        data = urlencode(body)
        headers |= {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/"}
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    content = response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    connection.close()
    return response.status, content, cookies


def sign_in(port: int, username: str) -> dict:
    status, page, cookies = request(port, "GET", "/login/", {})
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        sys.exit(f"登录页返回 {status}：{page[:300].decode(errors='replace')}")
    token = match.group(1).decode()
    status, _, cookies = request(
        port, "POST", "/login/", cookies, {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"{username} 登录失败（{status}）")
    return cookies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def peak_memory_mb(pid: int) -> float:
    """Sum of the peak resident sizes (VmHWM) of gunicorn's master and workers."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


def run(url: str, *, clients: int, seconds: float, workers: int, pages: tuple[str, ...] = ()) -> dict:
    """`pages` (names from PAGES) limits the load to those pages; by default every page, in turn."""
    selected = tuple(p for p in PAGES if not pages or p[0] in pages)
    ensure_users(url)
    port = free_port()
    log = os.environ.get("BENCH_SERVER_LOG", os.devnull)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "server_settings",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--pythonpath", str(ROOT / "bench")]
        + ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--timeout", "600", "--graceful-timeout", "5"]
        + ["--error-logfile", log],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped with its workers, whatever they are doing
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        sessions = {user: sign_in(port, user) for user in (BUREAU, HOSPITAL)}
        # The pages are cached per data version: as if the data had just changed, the first request of each page
        # computes it (timed alone: what the first reader after an import waits), then the load reads the cache.
        from jicai.core import data_version

        data_version.changed()
        cold = {}
        for name, user, path in selected:  # also checks that the page answers
            for attempt in range(2):
                started = time.perf_counter()
                status, _, _ = request(port, "GET", path, dict(sessions[user]))
                if status != 200:
                    sys.exit(f"{path} 返回 {status}")
                if attempt == 0:
                    cold[name] = (time.perf_counter() - started) * 1000
        timings: dict[str, list[float]] = {name: [] for name, _, _ in selected}
        failures = []
        lock = threading.Lock()
        stop = time.perf_counter() + seconds

        def client(i: int) -> None:
            n = i
            while time.perf_counter() < stop:
                name, user, path = selected[n % len(selected)]
                n += 1
                started = time.perf_counter()
                status, _, _ = request(port, "GET", path, dict(sessions[user]))
                elapsed = time.perf_counter() - started
                with lock:
                    (timings[name] if status == 200 else failures).append(elapsed)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        memory = peak_memory_mb(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a worker still busy with a slow page
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return dict(
        clients=clients,
        workers=workers,
        seconds=wall,
        failures=len(failures),
        memory=memory,
        pages={
            name: dict(
                requests=len(t),
                cold=cold[name],
                p50=percentile(t, 0.50) * 1000,
                p95=percentile(t, 0.95) * 1000,
                max=max(t) * 1000,
                per_second=len(t) / wall,
            )
            for name, t in timings.items()
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description="页面延迟：20 个并发客户端访问驾驶舱和医疗机构首页（gunicorn + PostgreSQL）"
    )
    parser.add_argument("url", help="PostgreSQL 数据库 URL（已导入生成的数据）")
    parser.add_argument("--clients", type=int, default=20, help="并发客户端数")
    parser.add_argument("--seconds", type=float, default=30, help="测量时长（秒）")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn 工作进程数")
    parser.add_argument("--page", action="append", choices=[p[0] for p in PAGES], help="只测这个页面（可重复）")
    args = parser.parse_args()
    result = run(
        args.url, clients=args.clients, seconds=args.seconds, workers=args.workers, pages=tuple(args.page or ())
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
