"""PostgreSQL plans with fresh statistics after an import: a small table is analysed whenever an import changes a
tenth of it or more, a large one only after many rows (jicai.core.bulk.analyze)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jicai.core import bulk
from jicai.core.bulk import analyze
from jicai.core.imports import run_import
from jicai.core.tests.test_imports import SAMPLES, load_samples

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics are PostgreSQL's")


def analyzed(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]


def test_a_small_table_is_analysed_after_a_small_import(db):
    with CaptureQueriesContext(connection) as queries:
        assert run_import("regions", SAMPLES / "regions.csv").landed
    assert 'ANALYZE "orgs_region"' in analyzed(queries)


def test_a_few_rows_into_a_table_ten_times_larger_are_not(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE analyze_probe AS SELECT generate_series(1, 1000) AS n")
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        analyze(cursor, "analyze_probe", 5)  # never analysed: its size is unknown
        analyze(cursor, "analyze_probe", 99)  # 1,000 rows known now
        analyze(cursor, "analyze_probe", 100)
    assert analyzed(queries) == ["ANALYZE analyze_probe", "ANALYZE analyze_probe"]


def test_the_monthly_totals_that_triggers_write_are_analysed_with_the_deliveries(db, monkeypatch):
    load_samples(through="orders")
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 1)  # whatever statistics earlier tests left
    with CaptureQueriesContext(connection) as queries:
        assert run_import("deliveries", SAMPLES / "deliveries.csv").landed
    assert {'ANALYZE "purchasing_delivery"', 'ANALYZE "purchasing_deliverymonth"'} <= set(analyzed(queries))


def test_the_invoices_a_payments_file_settles_are_analysed(db, monkeypatch):
    """The monthly report finds unpaid invoices by their paid-off day: with the statistics of before the payments
    (every day empty) PostgreSQL read the whole province's invoices and payments for each group of institutions."""
    load_samples(through="invoice_lines")
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 1)
    with CaptureQueriesContext(connection) as queries:
        assert run_import("payments", SAMPLES / "payments.csv").landed
    assert 'ANALYZE "purchasing_invoice"' in analyzed(queries)
