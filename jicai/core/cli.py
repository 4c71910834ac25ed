"""Output of the reporting commands: a Chinese table by default, or CSV, or one JSON document on stdout.

Integrators script these commands (SPEC §6): with --format json stdout holds only the JSON document; messages
go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.management.base import CommandError
from django.utils.functional import Promise
from rich.console import Console
from rich.table import Table

from jicai.core.tabular import write_rows

FORMATS = ("table", "json", "csv")


def add_format_argument(parser, formats: Sequence[str] = FORMATS) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0], help="输出格式")


def plain(value):
    """JSON-ready: Decimals and dates as strings, so amounts keep their exact digits."""
    if isinstance(value, Decimal | date | Promise):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def emit(
    fmt: str, *, columns: Sequence[tuple[str, str]], rows: list[dict], document: dict, title: str = "", footer: str = ""
) -> None:
    """columns: (field, Chinese header). `document` is the JSON answer; `rows` are what the table and CSV show."""
    if fmt == "json":
        sys.stdout.write(json.dumps(plain(document), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        write_rows(
            [f for f, _ in columns], ([plain(r.get(f)) for f, _ in columns] for r in rows), "csv", sys.stdout.buffer
        )
        sys.stdout.flush()
    else:
        table = Table(title=title or None, caption=footer or None)
        for _, header in columns:
            table.add_column(str(header))
        for r in rows:
            table.add_row(*("" if r.get(f) is None else str(plain(r.get(f))) for f, _ in columns))
        Console(width=200).print(table)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”应为 YYYY-MM-DD") from None


def get_or_fail(queryset, what: str, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise CommandError(f"找不到{what}：{' '.join(str(v) for v in lookup.values())}")
    return obj


def add_user_argument(parser) -> None:
    parser.add_argument("--user", help="以该用户的数据范围运行（默认：系统管理员，全部数据）")


def acting_user(username: str | None):
    """The user whose scope a command reads through; the console operator is the system administrator."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if username is None:
        return User(username="system", is_superuser=True, is_active=True)
    user = User.objects.filter(username=username, is_active=True).select_related("membership").first()
    if user is None:
        raise CommandError(f"找不到用户：{username}")
    return user
