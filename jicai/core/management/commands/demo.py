"""jicai demo: load the fictional demo data set (SPEC §7) and print the demo logins."""

import time

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from jicai.core import demo
from jicai.orgs.models import Region


class Command(BaseCommand):
    help = "载入演示数据（虚构的机构、企业、价格和数量，标注“演示数据”），并列出演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过")
        parser.add_argument("--logins", action="store_true", help="只列出演示账号")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, if_empty, logins, seed, **options):
        console = Console(stderr=True)
        if logins:
            self.print_logins()
            return
        if Region.objects.exists():
            if if_empty:
                console.print("数据库已有数据，跳过演示数据。")
                return
            console.print("[red]数据库已有数据；演示数据只能载入空数据库（jicai flush 后重试）。")
            raise SystemExit(1)
        started = time.monotonic()
        counts = demo.load(seed=seed, progress=lambda kind, n: console.print(f"  {kind}: {n} 行"))
        console.print(f"演示数据已载入：{sum(counts.values())} 行，用时 {time.monotonic() - started:.1f} 秒。")

    def print_logins(self):
        table = Table(title=f"演示账号（密码均为 {demo.PASSWORD}）")
        table.add_column("用户名")
        table.add_column("身份")
        for username, *_, label in demo.USERS:
            table.add_row(username, label)
        Console().print(table)
