"""Benchmarks of issue 9, each against a floor measured in the same run on the same data; writes docs/performance.md.

    python bench/run.py --scale city

Generates the data (`jicai generate`), then for SQLite (a temporary file) and for PostgreSQL (database jicai_bench,
dropped and created again, on the server of DATABASE_URL or on a local server when one answers): migrates, imports
every kind (then, on PostgreSQL, VACUUM (ANALYZE) as autovacuum would), and measures
  - delivery import throughput against the raw floor (PostgreSQL COPY, SQLite executemany in one transaction,
    into a bare table without index or constraint) on the same file;
  - whole-province progress (jicai.volumes.progress.progress_rows) against DuckDB running the same aggregation over
    the same CSV data, loaded into its tables first;
  - the monthly report of every reporting institution of the province as one .xlsx (`jicai report monthly
    --region`), against its fixed target (10 s for 500 institutions);
  - on PostgreSQL, the latency of the dashboard and of an institution's home page with 20 clients at once on
    gunicorn (bench/latency.py), against its fixed target (p95 ≤ 200 ms);
  - peak memory (ru_maxrss) of every step, each step being its own child process.
Needs the `bench` extra (DuckDB) for the progress floor; without it that line is left out. The machine may be
shared: every time is an upper bound.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "jicai_bench"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
AS_OF = "2021-03-31"  # near the end of the first agreement year: every progress status occurs
FLOOR_TABLE = "bench_floor_deliveries"


# Child steps: each runs in its own process, so that its peak memory is its own.


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def step_import(url: str, kind: str, file: str) -> dict:
    _django(url)
    from jicai.core.imports import run_import

    started, cpu = time.perf_counter(), time.process_time()
    result = run_import(kind, file)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return dict(
        seconds=seconds,
        cpu=cpu,
        rows=result.rows,
        created=result.created,
        unchanged=result.unchanged,
        errors=len(result.errors),
        first_errors=[str(e) for e in result.errors[:3]],
    )


def step_floor(url: str, file: str, keyed: str = "") -> dict:
    """The raw floor: the same delivery file into a bare table, in one transaction. With `keyed`, the table has one
    unique key on the delivery id, the least that an idempotent import needs, and nothing else: how far the floor
    itself drops once a second import must be able to find the rows of the first."""
    _django(url)
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # the driver's own connection, with the settings' options applied
    key = " UNIQUE" if keyed else ""
    columns = (
        f"delivery_id varchar(40){key}, order_id varchar(40), quantity bigint, delivered_on date, accepted_on date"
    )
    started, cpu = time.perf_counter(), time.process_time()
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {FLOOR_TABLE} ({columns})")
            with (
                open(file, "rb") as source,
                cursor.copy(f"COPY {FLOOR_TABLE} FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
        raw.commit()
    else:
        import csv

        with open(file, encoding="utf-8-sig", newline="") as source:
            reader = csv.reader(source)
            next(reader)
            raw.execute("BEGIN")
            raw.execute(f"CREATE TABLE {FLOOR_TABLE} ({columns})")
            raw.executemany(f"INSERT INTO {FLOOR_TABLE} VALUES (?, ?, ?, ?, NULLIF(?, ''))", reader)
            raw.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE}")
        rows = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return dict(seconds=seconds, cpu=cpu, rows=rows)


def step_vacuum(url: str) -> dict:
    """On PostgreSQL, VACUUM (ANALYZE) after the imports, as autovacuum does on a production server some time after a
    bulk load: the imports rewrite every invoice several times (deadlines, paid-off days), and the dead rows and unset
    visibility maps would otherwise slow the measurements on a server without autovacuum (a CI one, say)."""
    _django(url)
    from django.db import connection

    if connection.vendor != "postgresql":
        return dict(seconds=0.0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return dict(seconds=time.perf_counter() - started)


def step_progress(url: str, as_of: str) -> dict:
    _django(url)
    from jicai.volumes.models import AgreedVolume
    from jicai.volumes.progress import progress_rows

    started = time.perf_counter()
    rows = progress_rows(AgreedVolume.objects.all(), as_of=date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row.progress.status] = statuses.get(row.progress.status, 0) + 1
    return dict(seconds=seconds, rows=len(rows), purchased=sum(r.progress.purchased for r in rows), statuses=statuses)


def step_duckdb(data: str, as_of: str) -> dict:
    """The same aggregation as progress_rows in DuckDB: per agreed volume of year 1, the accepted quantity of the
    institution × product inside the agreement year up to `as_of`, of it in the last 90 days and in the first 3
    months (the default profile's projection_days and rush_months). Deliveries carry their order's institution and
    product, as the import stores them; loading is timed apart from the query."""
    import duckdb

    kinds = ("orders", "deliveries", "awards", "agreed_volumes")
    files = {kind: f"read_csv('{Path(data) / kind}.csv', header = true)" for kind in kinds}
    db = duckdb.connect()
    started = time.perf_counter()
    db.execute(f"CREATE TABLE orders AS SELECT order_id, institution_code, product_code FROM {files['orders']}")
    db.execute(
        "CREATE TABLE deliveries AS SELECT o.institution_code, o.product_code, d.quantity, d.accepted_on "
        f"FROM {files['deliveries']} d JOIN orders o USING (order_id)"
    )
    db.execute(f"CREATE TABLE awards AS SELECT * FROM {files['awards']}")
    db.execute(f"CREATE TABLE agreed_volumes AS SELECT * FROM {files['agreed_volumes']}")
    loaded = time.perf_counter() - started
    day = date.fromisoformat(as_of)
    started = time.perf_counter()
    rows = db.execute(
        """
        SELECT v.institution_code, v.product_code, v.quantity,
               coalesce(sum(d.quantity), 0),
               coalesce(sum(d.quantity) FILTER (WHERE d.accepted_on >= $recent_from), 0),
               coalesce(sum(d.quantity) FILTER (WHERE d.accepted_on < a.start_date + INTERVAL 3 MONTH), 0)
        FROM agreed_volumes v
        JOIN awards a ON a.batch_code = v.batch_code AND a.product_code = v.product_code
        LEFT JOIN deliveries d
          ON d.institution_code = v.institution_code AND d.product_code = v.product_code
         AND d.accepted_on >= a.start_date
         AND d.accepted_on <= least(a.start_date + INTERVAL 1 YEAR - INTERVAL 1 DAY, $as_of)
        WHERE v.year_no = 1
        GROUP BY ALL
        """,
        {"as_of": day, "recent_from": day - timedelta(days=89)},
    ).fetchall()
    seconds = time.perf_counter() - started
    return dict(seconds=seconds, load_seconds=loaded, rows=len(rows), purchased=sum(r[3] for r in rows))


def step_report(url: str, month: str, file: str) -> dict:
    """`jicai report monthly --region <province> --format xlsx`, timed inside the process (without start-up)."""
    _django(url)
    from django.core.management import call_command
    from openpyxl import load_workbook

    from jicai.core.generate import PROVINCE

    started = time.perf_counter()
    quiet = io.StringIO()  # this process's standard output holds only its JSON answer
    call_command(
        "report", "monthly", region=PROVINCE, month=month, format="xlsx", output=file, stdout=quiet, stderr=quiet
    )
    seconds = time.perf_counter() - started
    return dict(seconds=seconds, institutions=len(load_workbook(file, read_only=True).sheetnames))


def step_latency(url: str, seconds: str) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    import latency

    return latency.run(url, clients=20, seconds=float(seconds), workers=2 * (os.cpu_count() or 1) + 1)


STEPS = {
    "import": step_import,
    "floor": step_floor,
    "vacuum": step_vacuum,
    "progress": step_progress,
    "duckdb": step_duckdb,
    "report": step_report,
    "latency": step_latency,
}


# The driver


def child(*args: str, env: dict | None = None) -> tuple[dict, float]:
    """Run a step in a child process: its JSON answer and its peak memory in MB (ru_maxrss of that child only)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT, stdout=subprocess.PIPE, env=env
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"步骤失败：{' '.join(args)}")
    return json.loads(output), usage.ru_maxrss / 1024


def command(*args: str, env: dict | None = None) -> tuple[float, float]:
    """Run `jicai ARGS`: wall seconds and peak memory in MB."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"命令失败：jicai {' '.join(args)}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def postgres_server() -> str | None:
    """The URL of a PostgreSQL server to benchmark on: DATABASE_URL's, or a local one that answers."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    candidates = [url] if url.startswith(("postgres://", "postgresql://")) else [LOCAL_POSTGRES]
    for candidate in candidates:
        try:
            psycopg.connect(candidate, connect_timeout=3).close()
            return candidate
        except psycopg.OperationalError:
            continue
    return None


def fresh_postgres(server: str) -> tuple[str, str]:
    """Drop and create the benchmark database on `server`: its URL and the server's version."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(BENCH_DB)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
        version = connection.execute("SHOW server_version").fetchone()[0]
    base, _, _ = server.rpartition("/")
    return f"{base}/{BENCH_DB}", version


def run_database(label: str, url: str, data: Path, as_of: str, log, latency_seconds: float = 0) -> dict:
    from jicai.core.generate import COLUMNS as KINDS

    env = {**os.environ, "DATABASE_URL": url}
    seconds, memory = command("migrate", "--noinput", env=env)
    log(f"{label}：迁移 {seconds:.1f} 秒")
    imports = {}
    for kind in KINDS:
        result, memory = child("import", url, kind, str(data / f"{kind}.csv"), env=env)
        if result["errors"]:
            sys.exit(f"{label} 导入 {kind} 失败：{result['first_errors']}")
        imports[kind] = dict(result, memory=memory)
        log(f"{label}：导入 {kind} {result['rows']} 行，{result['seconds']:.1f} 秒，{memory:.0f} MB")
    again, again_memory = child("import", url, "deliveries", str(data / "deliveries.csv"), env=env)
    vacuum, _ = child("vacuum", url, env=env)
    if vacuum["seconds"]:
        log(f"{label}：VACUUM (ANALYZE) {vacuum['seconds']:.1f} 秒")
    floor, floor_memory = child("floor", url, str(data / "deliveries.csv"), env=env)
    keyed, keyed_memory = child("floor", url, str(data / "deliveries.csv"), "keyed", env=env)
    progress, progress_memory = child("progress", url, as_of, env=env)
    log(
        f"{label}：对照 {floor['seconds']:.1f} 秒（只加唯一键 {keyed['seconds']:.1f} 秒），"
        f"进度 {progress['seconds']:.2f} 秒"
    )
    report, report_memory = child("report", url, as_of[:7], str(data.parent / f"report-{label[:6]}.xlsx"), env=env)
    log(f"{label}：月报表 {report['institutions']} 份 {report['seconds']:.1f} 秒")
    latency = None
    if label.startswith("PostgreSQL") and latency_seconds:
        latency, _ = child("latency", url, str(latency_seconds), env=env)
        log(f"{label}：页面延迟 {json.dumps(latency['pages'], ensure_ascii=False)}")
    return dict(
        label=label,
        imports=imports,
        again=dict(again, memory=again_memory),
        vacuum=vacuum,
        floor=dict(floor, memory=floor_memory),
        keyed=dict(keyed, memory=keyed_memory),
        progress=dict(progress, memory=progress_memory),
        report=dict(report, memory=report_memory),
        latency=latency,
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in STEPS:  # a child step
        print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:]), ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(
        description="性能基准：生成数据，在 SQLite 和 PostgreSQL 上导入并测量（对照同一次运行的下限）"
    )
    parser.add_argument("--scale", choices=("city", "province"), default="city", help="数据规模")
    parser.add_argument("--seed", type=int, default=1, help="随机种子")
    parser.add_argument("--as-of", default=AS_OF, help="进度的截止日期")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md", help="结果写入的文件")
    parser.add_argument("--keep", action="store_true", help="保留生成的数据和 SQLite 文件")
    parser.add_argument("--no-postgres", action="store_true", help="只测 SQLite")
    parser.add_argument("--no-sqlite", action="store_true", help="只测 PostgreSQL")
    parser.add_argument("--latency-seconds", type=float, default=30, help="页面延迟测量时长（秒，0 为不测）")
    for name in ("institutions", "awards", "deliveries"):  # smaller trials
        parser.add_argument(f"--{name}", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from jicai.core.generate import COLUMNS  # the kinds in import order, without setting Django up

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    work = Path(tempfile.mkdtemp(prefix="jicai-bench-"))
    data = work / "data"
    overrides = [f"--{n}={getattr(args, n)}" for n in ("institutions", "awards", "deliveries") if getattr(args, n)]
    started = time.perf_counter()
    generation = command(
        "generate", f"--scale={args.scale}", f"--seed={args.seed}", f"--out={data}", *overrides, env=dict(os.environ)
    )
    log(f"生成数据 {generation[0]:.1f} 秒")
    counts = {kind: _data_rows(data / f"{kind}.csv") for kind in COLUMNS}
    duckdb_result = None
    try:
        import duckdb

        duckdb_result, duckdb_memory = child("duckdb", str(data), args.as_of)
        duckdb_result = dict(duckdb_result, memory=duckdb_memory, version=duckdb.__version__)
    except ImportError:
        log("未安装 DuckDB（pip install -e .[bench]），跳过进度的对照")
    results = (
        [] if args.no_sqlite else [run_database("SQLite", f"sqlite:///{work / 'bench.sqlite3'}", data, args.as_of, log)]
    )
    server = None if args.no_postgres else postgres_server()
    if server:
        url, version = fresh_postgres(server)
        label = f"PostgreSQL {version.split()[0]}"
        results.append(run_database(label, url, data, args.as_of, log, latency_seconds=args.latency_seconds))
    else:
        log("没有可用的 PostgreSQL，只测 SQLite")
    text = render(args, counts, generation, duckdb_result, results, time.perf_counter() - started)
    existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(merge(existing, args.scale, text), encoding="utf-8")
    log(f"结果已写入 {args.output}")
    if not args.keep:
        shutil.rmtree(work)
    if problems := disagreements(duckdb_result, results):
        sys.exit("；".join(problems))


def disagreements(duckdb_result, results) -> list[str]:
    """What makes the run wrong rather than slow: answers that differ between DuckDB and the databases, or failed
    page requests. CI runs the benchmark for these."""
    problems = []
    for r in results:
        progress = r["progress"]
        if duckdb_result and (progress["rows"], progress["purchased"]) != (
            duckdb_result["rows"],
            duckdb_result["purchased"],
        ):
            problems.append(f"{r['label']} 的全省进度与 DuckDB 不一致")
        if r["latency"] and r["latency"]["failures"]:
            problems.append(f"{r['label']} 的页面延迟测量有 {r['latency']['failures']} 个失败请求")
    if len({json.dumps(r["progress"]["statuses"], sort_keys=True) for r in results}) > 1:
        problems.append("各数据库的进度状态条数不一致")
    return problems


def _data_rows(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1


# The report


HEADER = """# 性能基准 (performance)

Written by `bench/run.py`, one section per scale (a run replaces its own scale's section). Every figure is measured
against a floor measured in the same run on the same data (issue 9), or against a fixed target where there is
no floor. Targets: delivery import ≥ 50 % of the raw floor with validation and idempotency; whole-province
progress ≤ 2× DuckDB; the monthly report of 500 institutions as .xlsx ≤ 10 s; dashboard and institution home
page p95 ≤ 200 ms with 20 clients at once. Each step runs in its own process; memory is its peak resident size.
The benchmark machine is shared with other work: every time is an upper bound.
"""


def merge(existing: str, scale: str, section: str) -> str:
    """The report with `section` in place of the earlier run of the same scale (or added at the end)."""
    begin, end = f"<!-- scale: {scale} -->", f"<!-- /scale: {scale} -->"
    block = f"{begin}\n{section}{end}\n"
    if begin in existing and end in existing:
        head, _, rest = existing.partition(begin)
        tail = rest.partition(end)[2].lstrip("\n")
        return head + block + ("\n" + tail if tail else "")
    return (existing or HEADER).rstrip("\n") + "\n\n" + block


def _cpu_note(results) -> list[str]:
    """On SQLite the database works inside the measured process, so its CPU time compares the import with the floor
    whatever else the machine is doing (wall times on a shared machine are upper bounds)."""
    for r in results:
        deliveries, floor = r["imports"]["deliveries"], r["floor"]
        if r["label"] == "SQLite" and "cpu" in deliveries and "cpu" in floor:
            return [
                "",
                f"SQLite, process CPU time: the delivery import {deliveries['cpu']:.2f} s, the floor "
                f"{floor['cpu']:.2f} s ({floor['cpu'] / deliveries['cpu']:.0%} of the floor's throughput by CPU).",
            ]
    return []


def render(args, counts, generation, duckdb_result, results, total_seconds) -> str:
    command_line = f"python bench/run.py --scale {args.scale}"
    if args.seed != 1:
        command_line += f" --seed {args.seed}"
    for name in ("institutions", "awards", "deliveries"):  # a trial below the scale says so
        if getattr(args, name):
            command_line += f" --{name} {getattr(args, name)}"
    for flag in ("no_postgres", "no_sqlite"):
        if getattr(args, flag):
            command_line += f" --{flag.replace('_', '-')}"
    if args.latency_seconds != 30:
        command_line += f" --latency-seconds {args.latency_seconds:g}"
    lines = [
        f"## {args.scale} 规模",
        "",
        f"- 日期：{date.today().isoformat()}",
        f"- 规模：{args.scale}（种子 {args.seed}），进度截止日 {args.as_of}",
        f"- 命令：`{command_line}`，总用时 {total_seconds:.0f} 秒",
        f"- 机器：{os.cpu_count()} 核，{platform.machine()}，Python {platform.python_version()}"
        + (f"，DuckDB {duckdb_result['version']}" if duckdb_result else ""),
        f"- 生成数据：{generation[0]:.1f} 秒，峰值内存 {generation[1]:.0f} MB",
        "",
        "### 数据量",
        "",
        "| 类型 | 行数 |",
        "| --- | ---: |",
        *(f"| {kind} | {n:,} |" for kind, n in counts.items()),
        "",
        "### 对照下限",
        "",
        "| 数据库 | 测量 | 行数 | 用时（秒） | 行/秒 | 对照（下限） | 对照用时（秒） | 比值 | 目标 | 峰值内存（MB） |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: |",
    ]
    for r in results:
        deliveries, floor = r["imports"]["deliveries"], r["floor"]
        rate, floor_rate = deliveries["rows"] / deliveries["seconds"], floor["rows"] / floor["seconds"]
        floor_name = "COPY 到无索引的表" if r["label"].startswith("PostgreSQL") else "单事务 executemany 到无索引的表"
        lines.append(
            f"| {r['label']} | 导入配送明细 | {deliveries['rows']:,} | {deliveries['seconds']:.2f} | {rate:,.0f} "
            f"| {floor_name} | {floor['seconds']:.2f} | {rate / floor_rate:.0%} 的下限吞吐 | ≥ 50 % "
            f"| {deliveries['memory']:.0f}（对照 {floor['memory']:.0f}） |"
        )
        for name, measured in (
            ("同一下限，只加配送单号唯一键（幂等导入的最低要求）", r["keyed"]),
            ("再次导入配送明细（全部未变）", r["again"]),
        ):
            measured_rate = measured["rows"] / measured["seconds"]
            lines.append(
                f"| {r['label']} | {name} | {measured['rows']:,} | {measured['seconds']:.2f} | {measured_rate:,.0f} "
                f"| 同上 | {floor['seconds']:.2f} | {measured_rate / floor_rate:.0%} 的下限吞吐 | "
                f"| {measured['memory']:.0f} |"
            )
        progress = r["progress"]
        if duckdb_result:
            same = (
                "结果一致"
                if (progress["rows"], progress["purchased"])
                == (
                    duckdb_result["rows"],
                    duckdb_result["purchased"],
                )
                else "结果不一致！"
            )
            lines.append(
                f"| {r['label']} | 全省进度 progress_rows | {progress['rows']:,} | {progress['seconds']:.2f} | "
                f"| DuckDB 同一聚合（{same}） | {duckdb_result['seconds']:.2f} "
                f"| {progress['seconds'] / duckdb_result['seconds']:.1f}× DuckDB | ≤ 2× "
                f"| {progress['memory']:.0f}（DuckDB {duckdb_result['memory']:.0f}） |"
            )
    for r in results:
        report = r["report"]
        per_500 = report["seconds"] / max(report["institutions"], 1) * 500
        lines.append(
            f"| {r['label']} | 月报表 xlsx（全省须报送机构） | {report['institutions']:,} 份 "
            f"| {report['seconds']:.2f} | "
            f"| 固定目标：500 份 ≤ 10 秒 | 10.00 | 折合 500 份 {per_500:.1f} 秒 | ≤ 10 s | {report['memory']:.0f} |"
        )
    lines += [
        "",
        "DuckDB loads the CSV files into its own tables first (deliveries joined to their orders, as the import stores",
        "them); only the aggregation is timed"
        + (f" (loading took {duckdb_result['load_seconds']:.2f} s)." if duckdb_result else "."),
        *_cpu_note(results),
        *(
            f"On {r['label']} the measurements follow a `VACUUM (ANALYZE)` of the imported data "
            f"({r['vacuum']['seconds']:.1f} s), as autovacuum would have done on a production server."
            for r in results
            if r["vacuum"]["seconds"]
        ),
        "",
        "### 各类导入",
        "",
        "| 数据库 | 类型 | 行数 | 用时（秒） | 行/秒 | 峰值内存（MB） |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for kind, i in r["imports"].items():
            lines.append(
                f"| {r['label']} | {kind} | {i['rows']:,} | {i['seconds']:.2f} | {i['rows'] / i['seconds']:,.0f} "
                f"| {i['memory']:.0f} |"
            )
    for r in results:
        latency = r.get("latency")
        if not latency:
            continue
        lines += [
            "",
            f"### 页面延迟（{r['label']}，gunicorn {latency['workers']} 个进程，{latency['clients']} 个并发客户端，"
            f"{latency['seconds']:.0f} 秒）",
            "",
            "| 页面 | 数据变动后首次（毫秒） | 请求数 | 每秒 | p50（毫秒） | p95（毫秒） | 最长（毫秒） | 目标 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        names = {"dashboard": "驾驶舱 /dashboard/（省医保局）", "institution_home": "医疗机构首页 /"}
        for name, page in latency["pages"].items():
            lines.append(
                f"| {names.get(name, name)} | {page['cold']:.0f} | {page['requests']:,} | {page['per_second']:.1f} "
                f"| {page['p50']:.0f} "
                f"| {page['p95']:.0f} | {page['max']:.0f} | p95 ≤ 200 ms |"
            )
        lines += [
            "",
            f"失败请求 {latency['failures']}；gunicorn 峰值内存合计 {latency['memory']:.0f} MB。页面按数据版本缓存"
            "（jicai.core.data_version）：“首次”是数据变动后第一个请求，单独计时；其余请求读缓存。",
        ]
    lines += ["", "### 进度状态（截止日各状态的约定采购量条数）", ""]
    for r in results:
        statuses = "，".join(f"{k} {v:,}" for k, v in sorted(r["progress"]["statuses"].items()))
        lines.append(f"- {r['label']}：{statuses}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
