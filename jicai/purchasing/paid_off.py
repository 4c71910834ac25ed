"""Each invoice's paid-off day (`Invoice.paid_off_on`): the first day its payments add up to its amount, null while
they do not. Payments are positive, so an invoice is unpaid on a day exactly when it was not paid off by then: the
monthly report reads the payments of those invoices only, not of the four fifths of a province's invoices that are
settled (`jicai.purchasing.payments.unpaid_invoices`), and the payment summaries those and the ones paid off after
their deadline (`payment_summary`).

It is recomputed set-based, inside the transaction of every write that can move it:

- a payments file: every invoice the file names (kept chunk by chunk in a temporary table while the rows are
  checked) and the invoices its changed payments left;
- an invoices file: the invoices whose amount changed (a new invoice has no payment yet);
- single payments and invoices saved or deleted through the ORM.

Readers still check each invoice's payments: a paid-off day that is late or missing only costs them time.
"""

from __future__ import annotations

from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from jicai.core import bulk, data_version
from jicai.core.bulk import chunks
from jicai.core.imports import imported
from jicai.purchasing.models import Invoice, Payment

TOUCHED = "jicai_paid_stage"  # ignored by the data version, like the other staging tables
CHUNK = 2000

# The day a running total of an invoice's payments (all of one day count together) first reaches its amount, null
# when it never does, for the invoices of `{where}`; amounts within half a cent count as equal (SQLite sums them as
# floats). Only the invoices whose day differs are written: a written row is a new row version and new index entries.
_SETTLE = """
    UPDATE {invoice} SET paid_off_on = s.day FROM (
        SELECT t.id, d.day FROM (SELECT id FROM {invoice} WHERE {where}) t LEFT JOIN (
            SELECT r.invoice_id, MIN(r.paid_on) AS day FROM (
                SELECT p.invoice_id, p.paid_on,
                       SUM(p.amount) OVER (PARTITION BY p.invoice_id ORDER BY p.paid_on) AS total
                FROM {payment} p WHERE p.invoice_id IN (SELECT id FROM {invoice} WHERE {where})
            ) r JOIN {invoice} i ON i.id = r.invoice_id
            WHERE r.total >= i.amount - 0.005
            GROUP BY r.invoice_id
        ) d ON d.invoice_id = t.id
    ) s
    WHERE {invoice}.id = s.id
      AND ({invoice}.paid_off_on <> s.day OR ({invoice}.paid_off_on IS NULL) <> (s.day IS NULL))
"""


def settle(where: str, params: list) -> None:
    """Recompute the paid-off day of the invoices that SQL condition `where` (on the invoice table) selects."""
    quote = connection.ops.quote_name
    sql = _SETTLE.format(invoice=quote(Invoice._meta.db_table), payment=quote(Payment._meta.db_table), where=where)
    with data_version.derived(), connection.cursor() as cursor:
        cursor.execute(sql, params * 2)
        # A payments file settles millions of a province's invoices: without fresh statistics PostgreSQL still takes
        # every day for empty and reads all invoices and payments for each group of the monthly report.
        if cursor.rowcount >= bulk.ANALYZE_AFTER:
            bulk.analyze(cursor, quote(Invoice._meta.db_table), cursor.rowcount)


def settle_ids(pks) -> None:
    pks = {pk for pk in pks if pk is not None}
    for part in chunks(sorted(pks), CHUNK):
        settle(f"id IN ({', '.join(['%s'] * len(part))})", part)


# Imports: the payments importer touches the invoices of each chunk; they are settled once the file is written.


def touch(pks) -> None:
    """Remember invoices whose payments the running import may change (inside its transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TOUCHED} (id bigint PRIMARY KEY)")
        for part in chunks(sorted({pk for pk in pks if pk is not None}), CHUNK):
            cursor.execute(
                f"INSERT INTO {TOUCHED} (id) VALUES {', '.join(['(%s)'] * len(part))} ON CONFLICT DO NOTHING", part
            )


@receiver(imported)
def _after_import(sender, *, kind, importer, outcome, **kwargs):
    if kind == "payments":
        touch(c.old["invoice"] for c in outcome.changes)  # the invoices that changed payments left
        settle(f"id IN (SELECT id FROM {TOUCHED})", [])
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TOUCHED}")
    elif kind == "invoices":
        settle_ids(c.pk for c in outcome.changes if c.old.get("amount") != c.new.get("amount"))


# Single rows saved through the ORM (forms, tests). A payment moved to another invoice settles both.


@receiver(pre_save, sender=Payment)
def _payment_saving(sender, instance, raw=False, **kwargs):
    instance._invoice_before = (
        Payment.objects.filter(pk=instance.pk).values_list("invoice_id", flat=True).first() if instance.pk else None
    )


@receiver(post_save, sender=Payment)
@receiver(post_delete, sender=Payment)
def _payment_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        settle_ids([instance.invoice_id, getattr(instance, "_invoice_before", None)])


@receiver(post_save, sender=Invoice)
def _invoice_saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:  # a new invoice has no payment
        settle_ids([instance.pk])
