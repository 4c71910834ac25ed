"""jicai backup [-o FILE]: the whole database as one portable, compressed archive (jicai.core.backup)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jicai.core.backup import write_backup
from jicai.core.progress_bar import drawn, progress_bar

WRITTEN = "已备份 {rows} 行（{tables} 张表）到 {file}"
EXISTS = "文件已存在：{file}（不会覆盖）"


class Command(BaseCommand):
    help = "把整个数据库备份为一个压缩文件（与数据库种类无关：SQLite 的备份可恢复到 PostgreSQL，反之亦然）"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="备份文件（默认 jicai-backup-日期时间.jsonl.gz）")

    def handle(self, *args, output, **options):
        path = Path(output or f"jicai-backup-{datetime.now():%Y%m%d-%H%M%S}.jsonl.gz")
        if path.exists():
            raise CommandError(EXISTS.format(file=path))
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as out, progress_bar("备份") as update:
                # Without a bar, no progress: its total counts every table first (seconds for a province).
                progress = (lambda done, total: update(done, total=total)) if drawn() else None
                counts = write_backup(out, progress=progress)
        except BaseException:
            partial.unlink(missing_ok=True)  # never leave a half-written file that looks like a backup
            raise
        partial.rename(path)
        self.stderr.write(WRITTEN.format(rows=sum(counts.values()), tables=len(counts), file=path))
