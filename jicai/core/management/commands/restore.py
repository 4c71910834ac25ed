"""jicai restore FILE [--yes]: replace the database's rows with a `jicai backup` archive, then compare counts.

Exit status 0 when every table holds as many rows as the archive's manifest, 1 otherwise (nothing changed)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from jicai.core.backup import BackupError, restore
from jicai.core.progress_bar import progress_bar

NO_FILE = "找不到文件：{file}"
RESTORED = "已恢复 {rows} 行，各表行数与备份清单一致"


class Command(BaseCommand):
    help = "从 jicai backup 的备份文件恢复整个数据库（一个事务；恢复后逐表核对行数）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument("--yes", action="store_true", help="目标数据库已有数据时也替换")

    def handle(self, *args, file, yes, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(NO_FILE.format(file=file))
        try:
            with progress_bar("恢复") as update:
                result = restore(path, replace=yes, progress=lambda done, total: update(done, total=total))
        except BackupError as exc:
            if len(exc.args) > 1:
                self._print(exc.args[1])
            raise CommandError(exc.args[0], returncode=1) from None
        self._print(result)
        self.stdout.write(RESTORED.format(rows=sum(r for _, r in result.values())))

    def _print(self, result: dict[str, tuple[int, int]]) -> None:
        table = Table("数据表", "备份", "恢复后", "核对")
        for label, (archived, restored) in result.items():
            table.add_row(label, str(archived), str(restored), "✓" if archived == restored else "✗")
        Console(file=self.stdout, width=120).print(table)
