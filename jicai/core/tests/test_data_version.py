"""The data version under which slow pages are cached: every write to a data table changes it, whatever the path."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from jicai.core import data_version
from jicai.core.models import AuditEvent
from jicai.core.testing import make_region
from jicai.orgs.models import Region


def test_orm_bulk_and_raw_writes_to_data_tables_change_it(db):
    before = data_version.current()
    region = make_region("990000", name="测试省")
    after_save = data_version.current()
    assert after_save != before
    Region.objects.filter(pk=region.pk).update(name="测试省（改）")  # no signal
    after_update = data_version.current()
    assert after_update != after_save
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Region._meta.db_table)} WHERE id = %s", [region.pk])
    assert data_version.current() != after_update


def test_sign_ins_and_the_audit_trail_leave_it(db):
    before = data_version.current()
    user = get_user_model().objects.create_user("version_reader", password="pw-Jicai-2020")
    get_user_model().objects.filter(pk=user.pk).update(last_login="2020-10-01T08:00:00+08:00")
    AuditEvent.objects.create(user=user, action="view", model="region", key="x", changes={})
    assert data_version.current() == before


def test_a_transaction_changes_it_at_the_write_and_again_at_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        make_region("990000", name="测试省")
        make_region("990100", name="测试市")
        inside = data_version.current()
    assert len(callbacks) == 1  # one renewal per transaction, however many writes
    assert data_version.current() != inside


def test_derived_writes_leave_it(db):
    region = make_region("990000", name="测试省")
    before = data_version.current()
    with data_version.derived():
        Region.objects.filter(pk=region.pk).update(name="测试省（缓存）")
    assert data_version.current() == before


@pytest.mark.parametrize(
    ("sql", "counts"),
    [
        ('INSERT INTO "purchasing_delivery" ("delivery_id") VALUES (%s)', True),
        ('INSERT OR IGNORE INTO "supply_supplycheck" ("week") VALUES (%s)', True),  # SQLite, ignore_conflicts
        ('UPDATE "purchasing_invoice" SET "due_stale" = true', True),
        ('DELETE FROM "orgs_region" WHERE "id" = %s', True),
        ('TRUNCATE "auth_user", "orgs_region" RESTART IDENTITY', True),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False),
        ('UPDATE "auth_user" SET "last_login" = %s', False),
        ('INSERT INTO "core_auditevent" ("action") VALUES (%s)', False),
        ('INSERT INTO "stage_purchasing_delivery" ("delivery_id") VALUES (%s)', False),
        ('SELECT "id" FROM "orgs_region"', False),
    ],
)
def test_which_statements_count(sql, counts):
    assert data_version.is_data_write(sql) is counts
