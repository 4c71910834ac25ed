"""jicai backup / jicai restore: a round trip of the demo loses nothing; a bad archive changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jicai.core import backup
from jicai.core.backup import BackupError, database_rows, inspect, restore, write_backup
from jicai.purchasing.tests import test_delivery_month as delivery_months

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def archive(demo_db, django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("backup") / "demo.jsonl.gz"
    with django_db_blocker.unblock(), path.open("wb") as out:
        write_backup(out)
    return path


def _lines(path) -> list[bytes]:
    with gzip.open(path, "rb") as archive:
        return archive.read().splitlines(keepends=True)


def _rows(path):
    return _lines(path)[1:]  # all but the header (it holds the time)


def test_round_trip_loses_nothing(archive, tmp_path):
    before = database_rows()
    assert before["purchasing.delivery"] > 1000 and before["auth.user"] > 10
    months = delivery_months.stored()
    assert months == delivery_months.reference()
    result = restore(archive, replace=True)
    # The monthly totals are not in the archive: the triggers derive them again from the restored deliveries.
    assert "purchasing.deliverymonth" not in result and delivery_months.stored() == months
    assert all(archived == restored for archived, restored in result.values())
    assert {label: restored for label, (_, restored) in result.items()} == before
    again = tmp_path / "again.jsonl.gz"
    with again.open("wb") as out:
        write_backup(out)
    assert _rows(again) == _rows(archive)  # every row, every field, to the microsecond


def test_restore_refuses_a_database_with_data(archive):
    with pytest.raises(BackupError, match="已有数据"):
        restore(archive)
    with pytest.raises(CommandError) as excinfo:
        call_command("restore", str(archive))
    assert excinfo.value.returncode == 1


def _rewrite(src, dst, edit):
    lines = _lines(src)
    with gzip.open(dst, "wb") as out:
        out.writelines(edit(lines))
    return dst


def _unchanged(path, message):
    before = database_rows()
    with pytest.raises(BackupError, match=message):
        restore(path, replace=True)
    assert database_rows() == before


def test_a_truncated_archive_changes_nothing(archive, tmp_path):
    data = archive.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    _unchanged(cut, "不完整")
    no_manifest = _rewrite(archive, tmp_path / "short.jsonl.gz", lambda lines: lines[:-1])
    _unchanged(no_manifest, "缺少清单")


def test_a_corrupted_archive_changes_nothing(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped = tmp_path / "flipped.jsonl.gz"
    flipped.write_bytes(bytes(data))
    _unchanged(flipped, "不完整|不是 jicai 备份文件|校验")

    def tamper(lines):
        row = json.loads(lines[5])
        row["pk"] = 999_999
        return [*lines[:5], json.dumps(row).encode() + b"\n", *lines[6:]]

    _unchanged(_rewrite(archive, tmp_path / "tampered.jsonl.gz", tamper), "校验失败")
    not_gzip = tmp_path / "deliveries.csv"
    not_gzip.write_text("发货单号,数量\nS1,10\n", encoding="utf-8")
    _unchanged(not_gzip, "不是 jicai 备份文件")


def test_an_archive_of_another_schema_is_refused(archive, tmp_path):
    def older(lines):
        header = json.loads(lines[0])
        header["migrations"]["core"] = header["migrations"]["core"][:1]
        return [json.dumps(header).encode() + b"\n", *lines[1:]]

    _unchanged(_rewrite(archive, tmp_path / "older.jsonl.gz", older), "数据库结构与备份不一致")


def test_a_row_that_breaks_a_foreign_key_rolls_everything_back(archive, tmp_path, monkeypatch):
    """A consistent archive whose rows do not fit together (here: a delivery of an order that is not in it)."""

    def orphan(lines):
        body = [
            line
            for line in lines[1:-1]
            if not line.startswith(b'{"fields"') or b'"model":"purchasing.order"' not in line
        ]
        counts = {}
        for line in body:
            model = json.loads(line)["model"]
            counts[model] = counts.get(model, 0) + 1
        trailer = {"manifest": counts, "sha256": hashlib.sha256(b"".join(body)).hexdigest()}
        return [lines[0], *body, json.dumps(trailer).encode() + b"\n"]

    path = _rewrite(archive, tmp_path / "orphan.jsonl.gz", orphan)
    assert "purchasing.order" not in inspect(path).manifest
    _unchanged(path, "恢复失败")


def test_backup_command_writes_a_file_and_never_overwrites(tmp_path, demo_db):
    out = tmp_path / "b.jsonl.gz"
    call_command("backup", "-o", str(out))
    assert inspect(out).manifest == database_rows()
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", "-o", str(out))
    assert not list(tmp_path.glob("*.partial"))
    assert json.loads(_lines(out)[0])["format"] == backup.FORMAT


def test_backup_and_restore_report_their_progress_up_to_every_row(archive, tmp_path):
    backed_up, restored = [], []
    with (tmp_path / "progress.jsonl.gz").open("wb") as out:
        counts = write_backup(out, progress=lambda done, total: backed_up.append((done, total)))
    result = restore(archive, replace=True, progress=lambda done, total: restored.append((done, total)))
    rows = sum(counts.values())
    assert len(backed_up) > 1 and backed_up[-1] == (rows, rows)
    assert [d for d, _ in backed_up] == sorted({d for d, _ in backed_up})  # rising, batch by batch
    assert restored[-1] == (sum(a for a, _ in result.values()),) * 2
    assert [d for d, _ in restored] == sorted({d for d, _ in restored})


@pytest.mark.parametrize("terminal", [False, True])
def test_the_backup_command_counts_the_tables_only_for_a_bar(terminal, tmp_path, demo_db, monkeypatch):
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")  # rich then takes standard error for a terminal
    else:
        monkeypatch.delenv("FORCE_COLOR", raising=False)
    with CaptureQueriesContext(connection) as queries:
        call_command("backup", "-o", str(tmp_path / "b.jsonl.gz"))
    assert any("COUNT(*)" in q["sql"] for q in queries) == terminal
