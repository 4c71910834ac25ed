"""The benchmark still runs end to end (generate, import every kind, floors, progress against DuckDB, the monthly
report export) on a tiny province, on SQLite, and writes its section of the report without touching others."""

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
    assert "DuckDB 同一聚合（结果一致）" in text  # progress_rows and DuckDB agree on the same data
    assert "月报表 xlsx" in text
