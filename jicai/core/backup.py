"""`jicai backup` and `jicai restore`: a portable archive of the whole database.

The archive is gzip-compressed JSON Lines, independent of the database engine, so a SQLite backup restores into
PostgreSQL and back:

    line 1      {"format": "jicai-backup", "version": 1, "created": ..., "migrations": {app: last migration}}
    lines 2…n   one row each, as Django serializes it: {"model": "orgs.region", "pk": 1, "fields": {...}}
    last line   {"manifest": {model: rows}, "sha256": digest of lines 2…n}

Writing streams row by row in one consistent snapshot. Restoring first reads the whole archive to check it
(complete, checksum, same migrations as the database), then replaces every table's rows in one transaction,
and compares each table's row count with the manifest before committing: a bad archive changes nothing.
For a large PostgreSQL installation, `pg_dump` is faster; see docs/deploy.md.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from itertools import islice
from pathlib import Path
from typing import IO

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.sql import InsertQuery

FORMAT = "jicai-backup"
VERSION = 1
CHUNK = 2000
Progress = Callable[[int, int], None]  # (rows done, rows in all)
# Besides our own apps: users, groups and API tokens. Content types and permissions are rebuilt by the
# migrations (and referred to by natural key), sessions are throwaway, the admin's log is covered by the audit trail.
EXTRA_MODELS = ("auth.group", "auth.user", "authtoken.token")
NATURAL_KEYS = {"auth.group", "auth.user"}  # their many-to-many to permissions, by codename rather than id

NOT_AN_ARCHIVE = "不是 jicai 备份文件：{reason}"
TRUNCATED = "备份文件不完整（可能在复制或写入时被截断）：{reason}"
CHECKSUM = "备份文件校验失败：内容与校验和不符，文件已损坏"
COUNT_MISMATCH = "备份文件内容与清单不符：{model} 清单 {expected} 行，文件中 {found} 行"
MIGRATIONS_DIFFER = (
    "数据库结构与备份不一致（{app}：备份 {archived}，数据库 {current}），请先用同一版本的 jicai 执行 migrate"
)
NOT_EMPTY = "目标数据库已有数据（{rows} 行），恢复会替换全部数据；确认请加 --yes"
UNKNOWN_MODEL = "备份文件中有未知的数据表：{model}"
LOAD_FAILED = "恢复失败，数据库未作任何改动：{reason}"
VERIFY_FAILED = "恢复后的行数与备份清单不符，已撤销恢复"


class BackupError(Exception):
    """The archive cannot be restored; the message says why, in words for the operator."""


def backup_models() -> list[type[models.Model]]:
    """Every table an installation's data lives in, in dependency order (referenced tables first)."""
    chosen = [apps.get_model(label) for label in EXTRA_MODELS]
    for config in apps.get_app_configs():
        if config.name.startswith("jicai."):
            chosen += [m for m in config.get_models() if m._meta.managed and not m._meta.proxy]
    # What the database's triggers derive from other tables (jicai.purchasing.models.DeliveryMonth) is derived again
    # as the restore writes those tables.
    derived = {m for model in chosen for m in getattr(model, "triggers_write", ())}
    chosen = [m for m in chosen if m not in derived]
    ordered = serializers.sort_dependencies([(None, chosen)], allow_cycles=True)
    return ordered


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# Writing


def write_backup(out: IO[bytes], *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None) -> dict[str, int]:
    """Stream the whole database into `out` (a binary file); returns rows per model. `progress(done, total)` is
    called after each batch of rows (the total is counted first, in the same snapshot)."""
    connection = connections[using]
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    outermost = not connection.in_atomic_block
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as archive, transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for every table: an import running meanwhile is either wholly in or wholly out.
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created": datetime.now(UTC).isoformat(),
            "engine": connection.vendor,
            "migrations": _applied_migrations(using),
        }
        archive.write(_line(header))
        total = sum(database_rows(using).values()) if progress else 0
        done = 0
        for model in backup_models():
            label = model._meta.label_lower
            counts[label] = 0
            rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK)
            while batch := list(islice(rows, CHUNK)):
                for obj in serializers.serialize("python", batch, use_natural_foreign_keys=label in NATURAL_KEYS):
                    line = _line(obj)
                    digest.update(line)
                    archive.write(line)
                counts[label] += len(batch)
                done += len(batch)
                if progress:
                    progress(done, total)
        archive.write(_line({"manifest": counts, "sha256": digest.hexdigest()}))
    return counts


class _Encoder(DjangoJSONEncoder):
    """Django's encoder keeps milliseconds only; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def _line(document) -> bytes:
    # Sorted keys: the same data gives the same bytes whichever database wrote it (PostgreSQL reorders JSON keys).
    text = json.dumps(document, cls=_Encoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.encode() + b"\n"


# Reading


@dataclass
class Archive:
    path: Path
    header: dict
    manifest: dict[str, int]
    found: dict[str, int] = field(default_factory=dict)


def _lines(path: Path) -> Iterator[bytes]:
    try:
        with gzip.open(path, "rb") as archive:
            yield from archive
    except (EOFError, zlib.error) as exc:
        raise BackupError(TRUNCATED.format(reason=exc)) from None
    except gzip.BadGzipFile as exc:
        raise BackupError(NOT_AN_ARCHIVE.format(reason=exc)) from None
    except OSError as exc:  # CRC errors on a corrupted member
        raise BackupError(TRUNCATED.format(reason=exc)) from None


def _parse(line: bytes) -> dict:
    try:
        document = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(NOT_AN_ARCHIVE.format(reason=exc)) from None
    if not isinstance(document, dict):
        raise BackupError(NOT_AN_ARCHIVE.format(reason=line[:80]))
    return document


def inspect(path: Path) -> Archive:
    """Read the whole archive once: header, every row counted, checksum and manifest compared."""
    lines = _lines(Path(path))
    first = next(lines, None)
    header = _parse(first) if first else {}
    if header.get("format") != FORMAT:
        raise BackupError(NOT_AN_ARCHIVE.format(reason="缺少文件头"))
    digest = hashlib.sha256()
    found: dict[str, int] = {}
    trailer = None
    for line in lines:
        if trailer is not None:
            raise BackupError(NOT_AN_ARCHIVE.format(reason="清单之后还有内容"))
        if line.startswith(b'{"manifest":'):
            trailer = _parse(line)
            continue
        digest.update(line)
        model = _parse(line).get("model", "")
        found[model] = found.get(model, 0) + 1
    if trailer is None:
        raise BackupError(TRUNCATED.format(reason="缺少清单"))
    if trailer.get("sha256") != digest.hexdigest():
        raise BackupError(CHECKSUM)
    manifest = trailer["manifest"]
    for model in set(manifest) | set(found):
        if manifest.get(model, 0) != found.get(model, 0):
            raise BackupError(
                COUNT_MISMATCH.format(model=model, expected=manifest.get(model, 0), found=found.get(model, 0))
            )
    return Archive(path=Path(path), header=header, manifest=manifest, found=found)


# Restoring


def database_rows(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.using(using).count() for m in backup_models()}


def user_rows(using: str = DEFAULT_DB_ALIAS) -> int:
    """Rows people put in: everything but what the migrations load (holiday calendar, policy profiles)."""
    from jicai.orgs.models import Company, Institution, Region

    return sum(
        m._base_manager.using(using).count() for m in (apps.get_model("auth.user"), Region, Institution, Company)
    )


def restore(
    path: Path, *, replace: bool = False, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None
) -> dict[str, tuple[int, int]]:
    """Replace the database's rows with the archive's, in one transaction. Returns {model: (archived, restored)}.
    `progress(done, total)` is called after each batch of rows loaded (the total is the manifest's).
    Raises BackupError (nothing changed) when the archive is bad, the database is not empty and `replace` is
    false, or the restored counts differ from the manifest."""
    archive = inspect(path)
    current = _applied_migrations(using)
    archived = archive.header.get("migrations", {})
    for app in sorted(set(archived) | set(current)):
        if archived.get(app) != current.get(app):
            raise BackupError(
                MIGRATIONS_DIFFER.format(app=app, archived=_last(archived.get(app)), current=_last(current.get(app)))
            )
    by_label = {m._meta.label_lower: m for m in backup_models()}
    unknown = set(archive.manifest) - set(by_label)
    if unknown:
        raise BackupError(UNKNOWN_MODEL.format(model=", ".join(sorted(unknown))))
    if not replace and (rows := user_rows(using)):
        raise BackupError(NOT_EMPTY.format(rows=rows))
    connection = connections[using]
    try:
        with transaction.atomic(using=using):
            # Foreign keys are checked at commit (Django declares them deferrable on both engines), so the
            # tables can be emptied and filled in any order.
            for model in reversed(list(by_label.values())):
                model._base_manager.using(using).all()._raw_delete(using)
            _load(archive.path, by_label, using, progress, sum(archive.manifest.values()))
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(by_label.values())):
                    cursor.execute(sql)
            restored = database_rows(using)
            result = {label: (archive.manifest.get(label, 0), restored[label]) for label in by_label}
            if any(a != r for a, r in result.values()):
                raise _Mismatch(result)
            connection.check_constraints()
    except _Mismatch as exc:
        raise BackupError(VERIFY_FAILED, exc.result) from None
    except (IntegrityError, DatabaseError, DeserializationError, ValueError, TypeError, KeyError) as exc:
        raise BackupError(LOAD_FAILED.format(reason=exc)) from None
    return result


def _last(names: list[str] | None) -> str:
    return names[-1] if names else "—"


class _Mismatch(Exception):
    def __init__(self, result):
        self.result = result


def _load(path: Path, by_label: dict[str, type[models.Model]], using: str, progress, total: int) -> None:
    """Insert the rows model by model in batches, as they were (raw: no auto_now, no signals)."""
    pending: list = []
    pending_model = None
    done = 0

    def flush():
        nonlocal done
        if pending:
            _insert(pending_model, [d.object for d in pending], using)
            for d in pending:
                for name, values in (d.m2m_data or {}).items():
                    getattr(d.object, name).set(values)
            done += len(pending)
            if progress:
                progress(done, total)
            pending.clear()

    lines = _lines(path)
    next(lines)  # the header
    for line in lines:
        if line.startswith(b'{"manifest":'):
            break
        document = json.loads(line)
        model = by_label[document["model"]]
        for deserialized in serializers.deserialize("python", [document], using=using, ignorenonexistent=True):
            if model is not pending_model or len(pending) >= CHUNK:
                flush()
                pending_model = model
            pending.append(deserialized)
    flush()


def _insert(model: type[models.Model], objs: list[models.Model], using: str) -> None:
    connection = connections[using]
    fields = list(model._meta.concrete_fields)
    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), size):
        query = InsertQuery(model)
        query.insert_values(fields, objs[start : start + size], raw=True)
        query.get_compiler(using=using).execute_sql(returning_fields=None)
