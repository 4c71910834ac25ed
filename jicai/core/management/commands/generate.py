"""jicai generate --scale {city,province} --seed N --out DIR: SPEC §8 files of a fictional province (issue 9)."""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from rich.console import Console

from jicai.core.generate import SCALES, generate
from jicai.core.imports import KINDS
from jicai.core.progress_bar import progress_bar

DONE = "已生成 {rows} 行（其中配送明细 {deliveries} 行），用时 {seconds:.1f} 秒：{out}"


class Command(BaseCommand):
    help = "生成一个虚构省份的演示数据（SPEC §8 格式，每类一个 CSV 文件），用于压力测试和性能基准"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="city",
            help="规模：city（约 500 家机构）或 province（3000 家机构、1000 万配送明细）",
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同种子生成完全相同的文件")
        parser.add_argument("--out", required=True, type=Path, help="输出目录")
        # Overrides of the scale's sizes, for tests and quick trials.
        for name in ("institutions", "awards", "deliveries"):
            parser.add_argument(f"--{name}", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, scale, seed, out, **options):
        size = SCALES[scale]
        size = dataclasses.replace(
            size, **{k: options[k] for k in ("institutions", "awards", "deliveries") if options[k]}
        )
        console = Console(stderr=True)
        started = time.monotonic()
        with progress_bar("生成配送明细", total=size.deliveries) as update:
            counts = generate(out, size=size, seed=seed, progress=lambda done, total: update(done))
        console.print(
            DONE.format(
                rows=sum(counts.values()), deliveries=counts["deliveries"], seconds=time.monotonic() - started, out=out
            )
        )
        for kind in KINDS:
            console.print(f"  {kind}: {counts[kind]}")
