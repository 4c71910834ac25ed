"""jicai import KIND FILE [--dry-run] [--format table|json] [--user NAME]: one SPEC §8 file, all-or-nothing.

Without --user the operator imports anything, unscoped, as the platform's own feeds do. With --user the file is
imported as that account would through the web page: only the kinds it may import, only its institution's rows,
and recorded among its uploads (the JSON answer then names the `record`).

Exit status 0 when the file landed (or a dry run found nothing wrong), 1 when any row was bad and nothing was
written. With --format json standard output holds only the JSON document; the progress bar goes to stderr.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from jicai.core.import_records import import_file
from jicai.core.import_rights import may_import
from jicai.core.imports import KINDS, ImportResult, run_import
from jicai.core.progress_bar import progress_bar

TABLE_ERRORS = 200  # the table shows this many errors; --format json gives them all
PHASES = {"read": "校验", "write": "写入数据库"}

NO_FILE = "找不到文件：{file}"
NO_USER = "没有启用的用户 {user}"
NOT_ALLOWED = "用户 {user} 无权导入 {kind}"
FAILED = "导入失败：{count} 处错误，未写入任何数据"
LANDED = "{kind}：共 {rows} 行，新增 {created}，更新 {updated}，未变 {unchanged}"
DRY_RUN = "（试运行，未写入）"
MORE_ERRORS = "……另有 {count} 处错误，用 --format json 查看全部"


class Command(BaseCommand):
    help = "导入一个 CSV 或 XLSX 文件（SPEC §8 的格式）：每一行都校验通过才写入，否则列出每个错误的行、列和原因"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="导入类型")
        parser.add_argument("file", help="CSV（UTF-8 或 GB18030）或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入")
        parser.add_argument("--format", choices=("table", "json"), default="table", help="输出格式")
        parser.add_argument("--user", help="以该用户的身份导入（限其权限和本机构的数据），并记入其上传记录")

    def handle(self, *args, kind, file, dry_run, format, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(NO_FILE.format(file=file))
        account = _account(user, kind) if user else None
        answer: dict = {}
        with _progress_bar() as progress:
            if account is None:
                result = run_import(kind, path, dry_run=dry_run, progress=progress)
            else:
                result, record = import_file(
                    kind, path, user=account, file_name=path.name, dry_run=dry_run, progress=progress
                )
                answer["record"] = record.pk
        if format == "json":
            self.stdout.write(json.dumps({**result.as_dict(), **answer}, ensure_ascii=False, indent=2))
        else:
            self._print(result)
        if result.errors:
            raise CommandError(FAILED.format(count=len(result.errors)), returncode=1)

    def _print(self, result: ImportResult) -> None:
        if result.errors:
            table = Table("行", "列", "原因", title=FAILED.format(count=len(result.errors)))
            for error in result.errors[:TABLE_ERRORS]:
                table.add_row(str(error.line), error.column, error.message)
            Console(file=self.stdout, width=160).print(table)
            if len(result.errors) > TABLE_ERRORS:
                self.stdout.write(MORE_ERRORS.format(count=len(result.errors) - TABLE_ERRORS))
            return
        summary = LANDED.format(
            kind=result.kind,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
        self.stdout.write(summary + (DRY_RUN if result.dry_run else ""))


def _account(username: str, kind: str):
    account = get_user_model().objects.filter(username=username, is_active=True).first()
    if account is None:
        raise CommandError(NO_USER.format(user=username))
    if not may_import(account, kind):
        raise CommandError(NOT_ALLOWED.format(user=username, kind=kind))
    return account


@contextmanager
def _progress_bar():
    """The import's progress callback: the phase and the rows checked so far (the total is an estimate)."""
    with progress_bar(PHASES["read"]) as update:

        def progress(phase: str, done: int, total: int | None) -> None:
            update(done, total=max(total or 0, done) or None, description=PHASES[phase])

        yield progress
