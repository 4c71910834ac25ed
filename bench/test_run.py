"""The benchmark still runs end to end (generate, import every kind, floors, progress against DuckDB, the monthly
report export) on a tiny province, on SQLite, and writes its section of the report without touching others."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_tiny_benchmark_writes_its_section(tmp_path):
    pytest.importorskip("duckdb")
    output = tmp_path / "performance.md"
    output.write_text("# kept\n\n<!-- scale: province -->\nprovince figures\n<!-- /scale: province -->\n")
    tiny = ["--institutions=12", "--awards=8", "--deliveries=1500"]
    subprocess.run(
        [sys.executable, "bench/run.py", "--scale=city", "--no-postgres", f"--output={output}", *tiny],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# kept") and "province figures" in text  # the other scale's section is kept
    assert "--deliveries 1500" in text  # a trial below the scale says so
    assert "| SQLite | 导入配送明细 | 1,500 |" in text
    assert "| SQLite | 同一下限，只加配送单号唯一键（幂等导入的最低要求） | 1,500 |" in text
    assert "DuckDB 同一聚合（结果一致）" in text  # progress_rows and DuckDB agree on the same data
    assert "月报表 xlsx" in text


def test_disagreements_fail_the_run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    disagreements = bench_run.disagreements

    def result(label, purchased=10, statuses=None, failures=0):
        return dict(
            label=label,
            progress=dict(rows=2, purchased=purchased, statuses=statuses or {"正常": 2}),
            latency=dict(failures=failures) if label == "PostgreSQL" else None,
        )

    duckdb = dict(rows=2, purchased=10)
    assert disagreements(duckdb, [result("SQLite"), result("PostgreSQL")]) == []
    assert disagreements(None, [result("SQLite", purchased=9)]) == []
    assert disagreements(duckdb, [result("SQLite", purchased=9), result("PostgreSQL", failures=3)]) == [
        "SQLite 的全省进度与 DuckDB 不一致",
        "PostgreSQL 的页面延迟测量有 3 个失败请求",
    ]
    assert disagreements(duckdb, [result("SQLite"), result("PostgreSQL", statuses={"滞后": 2})]) == [
        "各数据库的进度状态条数不一致"
    ]
