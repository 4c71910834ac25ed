"""Each invoice's stored payment deadline (SPEC §4.6): a cache of what `invoice_rows` computes, kept set-based.

`Invoice.earliest_accepted_on` (the earliest acceptance of its deliveries) and `Invoice.due_on` (its due date under its
region's rule; null while none is accepted) let aging and late amounts be SQL aggregates. The cache is never
trusted blindly: a new invoice starts stale (`due_stale`, the field's default, also on bulk inserts), and every
write that can move a deadline marks the invoices it touches stale again —

- imports (`jicai.core.imports.imported`, inside the import's transaction): invoices, their lines, deliveries whose
  acceptance changed, regions and institutions (profile or place changed); the stale rows are then recomputed;
- single rows saved through the ORM (post_save/post_delete): invoices, invoice lines, deliveries, institutions,
  regions, policy profiles, holiday days;
- `jicai calendar load|init`, which bulk-inserts days: `mark_all_stale`.

Readers call `refresh` on their scope before aggregating, so a stale row is recomputed, never read.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jicai.core import data_version
from jicai.core.bulk import ANALYZE_AFTER, analyze, chunks
from jicai.core.imports import imported
from jicai.orgs.models import Institution, Region
from jicai.policy.calendar import work_calendar
from jicai.policy.models import HolidayCalendar, PolicyProfile, payment_rule
from jicai.policy.rules.days import MissingCalendarYear
from jicai.policy.rules.payment import payment_due
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine

CHUNK = 2000  # invoices per INSERT into the staging table (three parameters each)
BATCH = 20_000  # invoices recomputed at a time
STAGE = "jicai_due_stage"


def mark_stale(invoices) -> int:
    """Mark `invoices` (a queryset) stale: their deadline is recomputed before anyone reads it."""
    return Invoice.objects.filter(pk__in=invoices.values("pk")).update(due_stale=True)


def mark_all_stale() -> int:
    """After a change every deadline may depend on (the holiday calendar, a profile)."""
    return Invoice.objects.filter(due_stale=False).update(due_stale=True)


def refresh(invoices=None, *, strict: bool = False) -> int:
    """Recompute the deadline of the stale invoices among `invoices` (a queryset; None: all), set-based.

    In batches of BATCH invoices (memory stays flat however many an import touched), one grouped query reads their
    earliest acceptances; each distinct (rule, acceptance, confirmation) deadline is computed once, as
    `invoice_rows` does; one UPDATE joining a staging table writes both dates. Nothing stale: one query. An invoice
    whose deadline needs a calendar year the table lacks stays stale; with `strict` that is an error
    (`MissingCalendarYear`), as it is for `invoice_rows`. Returns how many invoices were recomputed."""
    stale = Invoice.objects.filter(due_stale=True)
    if invoices is not None:
        # Each stale invoice (the partial index) is looked for in the scope, not the scope read whole for stale
        # ones: SQLite did the latter with `pk IN (scope)`, 0.5 s for a province report's group of 1.4 million.
        stale = stale.filter(Exists(invoices.filter(pk=OuterRef("pk"))))
    if not stale.exists():
        return 0
    calendar = work_calendar()
    profile_of_region = Region.objects.profile_map()
    rules = {p.pk: payment_rule(p) for p in PolicyProfile.objects.all()}
    national = payment_rule(PolicyProfile(payment_rule="national"))
    dues: dict[tuple, date | MissingCalendarYear] = {}
    missing: MissingCalendarYear | None = None
    done, after = 0, 0
    with transaction.atomic():
        while True:
            # Locked until the end: a concurrent mark_stale waits, then marks them again.
            rows = list(
                stale.filter(pk__gt=after)
                .order_by("pk")
                .select_for_update(of=("self",))
                .values_list("pk", "institution__region_id", "confirmed_on")[:BATCH]
            )
            if not rows:
                break
            first, after = rows[0][0], rows[-1][0]
            earliest = dict(
                InvoiceLine.objects.filter(invoice__in=stale.filter(pk__gte=first, pk__lte=after))
                .values("invoice_id")
                .annotate(day=Min("delivery__accepted_on"))
                .values_list("invoice_id", "day")
            )
            computed: list[tuple[int, date | None, date | None]] = []
            for pk, region_id, confirmed_on in rows:
                accepted_on = earliest.get(pk)
                if accepted_on is None:
                    computed.append((pk, None, None))
                    continue
                key = (rules.get(profile_of_region.get(region_id), national), accepted_on, confirmed_on)
                if key not in dues:
                    try:
                        dues[key] = payment_due(*key, calendar).due_on
                    except MissingCalendarYear as exc:
                        dues[key] = missing = exc
                if not isinstance(dues[key], MissingCalendarYear):
                    computed.append((pk, accepted_on, dues[key]))
            with data_version.derived():
                _write(computed)
            done += len(computed)
        if done >= ANALYZE_AFTER:  # an import's work, not a reader's few: aging filters and groups on these dates
            with connection.cursor() as cursor:
                analyze(cursor, connection.ops.quote_name(Invoice._meta.db_table), done)
    if strict and missing is not None:
        raise missing
    return done


def _write(computed: list[tuple[int, date | None, date | None]]) -> None:
    """Each invoice's earliest acceptance and due date, no longer stale: the values into a temporary table
    (PostgreSQL `COPY`; SQLite one multi-row INSERT per CHUNK invoices), then one UPDATE … FROM joining it."""
    if not computed:
        return
    day = connection.ops.adapt_datefield_value
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} (id bigint PRIMARY KEY, accepted date, due date)")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {STAGE} (id, accepted, due) FROM STDIN") as copy:  # psycopg's own cursor
                for row in computed:
                    copy.write_row(row)
        else:
            for chunk in chunks(computed, CHUNK):
                cursor.execute(
                    f"INSERT INTO {STAGE} (id, accepted, due) VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}",
                    [value for pk, accepted, due_on in chunk for value in (pk, day(accepted), day(due_on))],
                )
        invoice = quote(Invoice._meta.db_table)
        cursor.execute(
            f"UPDATE {invoice} SET earliest_accepted_on = s.accepted, due_on = s.due, due_stale = %s "
            f"FROM {STAGE} s WHERE {invoice}.id = s.id",
            [False],
        )
        cursor.execute(f"DROP TABLE {STAGE}")


# Imports: mark what the file changed, then recompute inside the same transaction.


@receiver(imported)
def _after_import(sender, *, kind, importer, outcome, **kwargs):
    if kind == "invoices":
        # New invoices are stale by default; a changed one (confirmation, institution) may move its deadline.
        mark_ids([c.pk for c in outcome.changes])
    elif kind == "deliveries":
        # A new delivery has no invoice line yet: only a changed acceptance moves a deadline.
        moved = _changed(outcome, "accepted_on")
        if not moved:
            return
        for part in chunks(moved, CHUNK):
            mark_stale(Invoice.objects.filter(lines__delivery_id__in=part))
    elif kind == "invoice_lines":
        pass  # the importer marked every invoice its file names (mark_ids), chunk by chunk
    elif (kind == "regions" and _changed(outcome, "profile", "path")) or (
        kind == "institutions" and _changed(outcome, "region")
    ):
        mark_all_stale()  # the rule in force changed for a subtree or an institution: rare, not worth narrowing
    else:
        return
    refresh()


def _changed(outcome, *fields: str) -> list[int]:
    """The ids of the existing rows the import changed in one of `fields`."""
    return [c.pk for c in outcome.changes if any(c.old.get(f) != c.new.get(f) for f in fields)]


def mark_ids(pks: list[int]) -> None:
    """Mark the invoices `pks` stale; a deadline is derived data, so this alone does not change the data version."""
    with data_version.derived():
        for part in chunks(pks, CHUNK):
            Invoice.objects.filter(pk__in=part).update(due_stale=True)


# Single rows saved through the ORM (forms, the admin, tests): mark only; the next reader recomputes.


@receiver(post_save, sender=Invoice)
def _invoice_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        Invoice.objects.filter(pk=instance.pk).update(due_stale=True)


@receiver(post_save, sender=InvoiceLine)
@receiver(post_delete, sender=InvoiceLine)
def _line_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        Invoice.objects.filter(pk=instance.invoice_id).update(due_stale=True)


@receiver(post_save, sender=Delivery)
def _delivery_saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:  # a new delivery is on no invoice yet
        mark_stale(Invoice.objects.filter(lines__delivery_id=instance.pk))


@receiver(post_save, sender=Institution)
def _institution_saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:  # it may have moved to a region under another rule
        Invoice.objects.filter(institution_id=instance.pk).update(due_stale=True)


@receiver(post_save, sender=Region)
@receiver(post_save, sender=PolicyProfile)
@receiver(post_save, sender=HolidayCalendar)
@receiver(post_delete, sender=HolidayCalendar)
def _rule_changed(sender, created=False, raw=False, **kwargs):
    # Rare writes whose reach (a subtree's profile, a day every count may cross) is not worth narrowing. A new
    # region or profile governs no invoice yet; a new calendar day may.
    if not raw and (sender is HolidayCalendar or not created):
        mark_all_stale()
