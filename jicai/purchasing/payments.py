"""Payment deadlines and status of many invoices at once (SPEC §4.6), set-based: two queries in all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, Min, OuterRef, Q, Subquery, Sum

from jicai.core.bulk import as_date
from jicai.orgs.models import Company, Institution, Region
from jicai.policy.calendar import work_calendar
from jicai.policy.models import PolicyProfile, payment_rule
from jicai.policy.rules.days import WorkCalendar
from jicai.policy.rules.payment import NOT_DUE, OVERDUE_UNPAID, Due, InvoicePayment, invoice_payment, payment_due
from jicai.purchasing.due import refresh
from jicai.purchasing.models import Delivery, InvoiceLine, Payment

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def paid_sum(as_of: date | None = None) -> Subquery:
    """What the outer invoice's payments (those dated on or before `as_of`, when given) add up to: a subquery, so
    that a page of invoices sums only its own payments (null when there are none)."""
    payments = Payment.objects.filter(invoice=OuterRef("pk"))
    if as_of is not None:
        payments = payments.filter(paid_on__lte=as_of)
    return Subquery(payments.order_by().values("invoice").annotate(s=Sum("amount")).values("s"), output_field=MONEY)


@dataclass(frozen=True)
class InvoiceRow:
    invoice_id: int
    invoice_no: str
    institution_id: int
    institution: str
    institution_name: str
    supplier: str
    supplier_name: str
    amount: Decimal
    issued_on: date
    confirmed_on: date | None
    accepted_on: date | None  # earliest acceptance of its deliveries: starts the clock
    rule: str
    due: Due | None  # None while none of its deliveries is accepted
    payment: InvoicePayment


def invoice_rows(invoices, *, as_of: date, calendar: WorkCalendar | None = None) -> list[InvoiceRow]:
    """Due date and payment status on `as_of` of every invoice in `invoices` (already scoped) issued by then."""
    invoices = (
        invoices.filter(issued_on__lte=as_of)
        .annotate(earliest_acceptance=Min("lines__delivery__accepted_on"))  # live, not the stored cache
        .order_by("institution__code", "issued_on", "invoice_no")
    )
    paid: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for invoice_id, paid_on, amount in Payment.objects.filter(
        invoice__in=invoices.values("pk"), paid_on__lte=as_of
    ).values_list("invoice_id", "paid_on", "amount"):
        paid[invoice_id].append((paid_on, amount))
    calendar = calendar or work_calendar()
    profile_of_region = Region.objects.profile_map()
    rules = {p.pk: (p.payment_rule, payment_rule(p)) for p in PolicyProfile.objects.all()}
    national = ("national", payment_rule(PolicyProfile(payment_rule="national")))
    # Plain tuples rather than model instances, and each distinct deadline computed once: a city's invoices share
    # a few hundred (rule, acceptance, confirmation) combinations.
    dues: dict[tuple, Due] = {}
    rows = []
    for (
        pk,
        invoice_no,
        institution_id,
        institution_code,
        institution_name,
        region_id,
        supplier_code,
        supplier_name,
        amount,
        issued_on,
        confirmed_on,
        accepted_on,
    ) in invoices.values_list(
        "pk",
        "invoice_no",
        "institution_id",
        "institution__code",
        "institution__name",
        "institution__region_id",
        "supplier__code",
        "supplier__name",
        "amount",
        "issued_on",
        "confirmed_on",
        "earliest_acceptance",
    ):
        name, rule = rules.get(profile_of_region.get(region_id), national)
        due = None
        if accepted_on:
            key = (rule, accepted_on, confirmed_on)
            if key not in dues:
                dues[key] = payment_due(rule, accepted_on, confirmed_on, calendar)
            due = dues[key]
        state = (
            invoice_payment(amount, due.due_on, paid[pk], as_of)
            if due
            else InvoicePayment(amount, sum((a for _, a in paid[pk]), Decimal(0)), Decimal(0), Decimal(0), NOT_DUE, 0)
        )
        rows.append(
            InvoiceRow(
                invoice_id=pk,
                invoice_no=invoice_no,
                institution_id=institution_id,
                institution=institution_code,
                institution_name=institution_name,
                supplier=supplier_code,
                supplier_name=supplier_name,
                amount=amount,
                issued_on=issued_on,
                confirmed_on=confirmed_on,
                accepted_on=accepted_on,
                rule=name,
                due=due,
                payment=state,
            )
        )
    return rows


# The same answers as SQL aggregates over the stored deadlines (jicai.purchasing.due) and the payments: a bounded
# number of queries whatever the number of invoices. An invoice's status on `as_of` (SPEC §4.6), restated for sums:
# what is outstanding (amount − paid by as_of) is not yet due while it has no deadline or as_of ≤ its deadline, else
# overdue and unpaid, late by as_of − deadline days; the late amount of a deadline passed is amount − paid by it.
# Amounts are cents: SQLite sums them as floats, so a comparison with zero allows half a cent.


@dataclass(frozen=True)
class Owed:
    """What one institution owes on the as-of day over the invoices given."""

    institution_id: int
    institution: str
    institution_name: str
    region_id: int
    invoices: int  # not fully paid
    outstanding: Decimal
    not_due: Decimal
    overdue: Decimal
    bands: tuple[Decimal, ...]  # overdue amounts per age band, in the order given
    since: date | None  # the earliest acceptance or confirmation of those invoices: since when it owes
    days_late: int  # of its longest overdue invoice


@dataclass(frozen=True)
class Unpaid:
    invoice_id: int
    invoice_no: str
    institution_id: int
    institution: str
    institution_name: str
    supplier_name: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    since: date | None
    confirmed_on: date | None
    due_on: date | None
    days_late: int
    status: str
    product_id: int | None = None  # with `by_product`: one of the products its lines deliver


@dataclass(frozen=True)
class Summary:
    owed: list[Owed]  # per institution that owes
    late: list[tuple[date, int, Decimal]]  # (due date, invoices, late amount) per due date passed unpaid


def payment_summary(invoices, *, as_of: date, bands: tuple[tuple[int, int | None], ...]) -> Summary:
    """Over the invoices of `invoices` (scoped) issued by `as_of`, one query (after refreshing stale deadlines):

    - per institution, its invoices not fully paid on `as_of`, the amount not yet due and overdue, overdue amounts
      per age band (days late, inclusive; None: no upper bound), since when it owes and how late;
    - per due date passed, the invoices not paid by it and their late amount.
    """
    day = connection.ops.adapt_datefield_value
    band_sql, band_params = [], []
    for low, high in bands:
        if high is None:
            band_sql.append("SUM(CASE WHEN s.due_on <= %s THEN s.amount - s.paid ELSE 0 END)")
            band_params.append(day(as_of - timedelta(days=low)))
        else:
            band_sql.append("SUM(CASE WHEN s.due_on BETWEEN %s AND %s THEN s.amount - s.paid ELSE 0 END)")
            band_params += [day(as_of - timedelta(days=high)), day(as_of - timedelta(days=low))]
    institution = connection.ops.quote_name(Institution._meta.db_table)
    state, params = _state(invoices, as_of, only=_owing_or_paid_late(as_of))
    # Both groupings read the same state (computed once) through UNION ALL; the late rows leave the institution's
    # columns empty and carry their due date in the last column, their count and late amount in the owed's places.
    sql = f"""
        {state}
        SELECT 'owed', s.institution_id, inst.code, inst.name, inst.region_id, COUNT(*), SUM(s.amount - s.paid),
               SUM(CASE WHEN s.due_on IS NULL OR s.due_on >= %s THEN s.amount - s.paid ELSE 0 END),
               SUM(CASE WHEN s.due_on < %s THEN s.amount - s.paid ELSE 0 END),
               {"".join(f"{b}, " for b in band_sql)}
               MIN(s.earliest_accepted_on), MIN(s.confirmed_on), MIN(CASE WHEN s.due_on < %s THEN s.due_on END)
        FROM state s JOIN {institution} inst ON inst.id = s.institution_id
        WHERE s.amount - s.paid > 0.005
        GROUP BY s.institution_id, inst.code, inst.name, inst.region_id
        UNION ALL
        SELECT 'late', NULL, NULL, NULL, NULL, COUNT(*), SUM(s.amount - s.by_due), NULL, NULL,
               {"NULL, " * len(bands)}NULL, NULL, s.due_on
        FROM state s
        WHERE s.due_on < %s AND s.amount - s.by_due > 0.005
        GROUP BY s.due_on
    """
    params += [day(as_of), day(as_of), *band_params, day(as_of), day(as_of)]
    owed, late = [], []
    for row in _fetch(sql, params):
        kind, pk, code, name, region_id, count, outstanding, not_due, overdue, *rest = row
        band_sums, (accepted, confirmed, due_on) = rest[: len(bands)], rest[len(bands) :]
        if kind == "late":
            late.append((as_date(due_on), count, _money(outstanding)))
            continue
        starts = [d for d in (as_date(accepted), as_date(confirmed)) if d is not None]
        earliest_due = as_date(due_on)
        owed.append(
            Owed(
                institution_id=pk,
                institution=code,
                institution_name=name,
                region_id=region_id,
                invoices=count,
                outstanding=_money(outstanding),
                not_due=_money(not_due),
                overdue=_money(overdue),
                bands=tuple(_money(b) for b in band_sums),
                since=min(starts) if starts else None,
                days_late=(as_of - earliest_due).days if earliest_due else 0,
            )
        )
    late.sort()
    return Summary(owed, late)


def _not_paid_off(as_of: date) -> Q:
    """The invoices whose payments did not reach their amount by `as_of` (jicai.purchasing.paid_off)."""
    return Q(paid_off_on=None) | Q(paid_off_on__gt=as_of)


def _owing_or_paid_late(as_of: date) -> Q:
    """The invoices that can count in a payment summary on `as_of`: not paid off by then, or past their deadline and
    paid off after it. The others, settled on time, add to no sum, and leaving them out before their payments are
    read spares most of a province's payments (two thirds of the generated city's)."""
    return _not_paid_off(as_of) | Q(due_on__lt=as_of, paid_off_on__gt=F("due_on"))


def unpaid_invoices(invoices, *, as_of: date, by_product: bool = False) -> list[Unpaid]:
    """Every invoice of `invoices` (scoped) issued by `as_of` and not fully paid then: one query per call (after
    refreshing stale deadlines), one row per unpaid invoice; with `by_product`, one per product its lines deliver
    (the monthly report's rows are products)."""
    quote = connection.ops.quote_name
    # Invoices paid off by as_of (jicai.purchasing.paid_off) are left out before their payments are read: four
    # fifths of a province's. In the scope's own query, so that it is one index range per institution.
    state, params = _state(invoices, as_of, only=_not_paid_off(as_of))
    products = ""
    if by_product:
        products = f"""JOIN (
            SELECT DISTINCT l.invoice_id, d.product_id
            FROM {quote(InvoiceLine._meta.db_table)} l JOIN {quote(Delivery._meta.db_table)} d ON d.id = l.delivery_id
            WHERE l.invoice_id IN (SELECT id FROM inv)
        ) ip ON ip.invoice_id = s.id"""
    sql = f"""
        {state}
        SELECT s.id, s.invoice_no, s.institution_id, inst.code, inst.name, supplier.name, s.amount, s.paid,
               {_day("s.earliest_accepted_on")}, {_day("s.confirmed_on")}, {_day("s.due_on")},
               {"ip.product_id" if by_product else "NULL"}
        FROM state s JOIN {quote(Institution._meta.db_table)} inst ON inst.id = s.institution_id
        JOIN {quote(Company._meta.db_table)} supplier ON supplier.id = s.supplier_id
        {products}
        WHERE s.amount - s.paid > 0.005
    """
    result = []
    for pk, invoice_no, inst_id, code, name, supplier, amount, paid, accepted, confirmed, due_on, product in _fetch(
        sql, params
    ):
        amount, paid, confirmed, due_on = _money(amount), _money(paid), as_date(confirmed), as_date(due_on)
        starts = [d for d in (as_date(accepted), confirmed) if d is not None]
        late = due_on is not None and due_on < as_of
        result.append(
            Unpaid(
                invoice_id=pk,
                invoice_no=invoice_no,
                institution_id=inst_id,
                institution=code,
                institution_name=name,
                supplier_name=supplier,
                amount=amount,
                paid=paid,
                outstanding=amount - paid,
                since=min(starts) if starts else None,
                confirmed_on=confirmed,
                due_on=due_on,
                days_late=(as_of - due_on).days if late else 0,
                status=OVERDUE_UNPAID if late else NOT_DUE,
                product_id=product,
            )
        )
    return result


# The invoice columns the queries below read from `inv`: field names of the scope's query and the CTE's names alike.
_INV_COLUMNS = (
    "id",
    "institution_id",
    "amount",
    "earliest_accepted_on",
    "confirmed_on",
    "due_on",
    "invoice_no",
    "supplier_id",
)

# Each invoice in scope issued by as_of with its deadline and what was paid by as_of and by its deadline. The
# payments are summed in one grouped join rather than a subquery per invoice.
_STATE = """
    WITH inv ({columns}) AS (
        {scope}
    ), paid AS (
        SELECT p.invoice_id, SUM(p.amount) AS paid,
               SUM(CASE WHEN p.paid_on <= inv.due_on THEN p.amount ELSE 0 END) AS by_due
        FROM inv CROSS JOIN {payment} p
        WHERE p.invoice_id = inv.id AND p.paid_on <= %s
        GROUP BY p.invoice_id
    ), state AS (
        SELECT inv.*, COALESCE(paid.paid, 0) AS paid, COALESCE(paid.by_due, 0) AS by_due
        FROM inv LEFT JOIN paid ON paid.invoice_id = inv.id
    )
"""


def _state(invoices, as_of: date, *, only: Q) -> tuple[str, list]:
    """The WITH clause of every query above, and its parameters, over the invoices of `invoices` that `only` keeps;
    stale deadlines of the whole scope are refreshed first (`only` may read them)."""
    refresh(invoices, strict=True)
    invoices = invoices.filter(only)
    quote, day = connection.ops.quote_name, connection.ops.adapt_datefield_value
    # The scope's own query reads the columns, so that the invoice table is read once (as `id IN (scope)` it was
    # read twice, and PostgreSQL scanned the whole province's invoices to join the two).
    scope, scope_params = (
        invoices.filter(issued_on__lte=as_of).order_by().values_list(*_INV_COLUMNS).query.sql_with_params()
    )
    sql = _STATE.format(columns=", ".join(_INV_COLUMNS), payment=quote(Payment._meta.db_table), scope=scope)
    return sql, [*scope_params, day(as_of)]


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _money(value) -> Decimal:
    """A sum as the database returns it (SQLite: a float or an int) → cents."""
    if value.__class__ is float:
        return Decimal(f"{value:.2f}")  # what str() then quantize give, in one step (a sum of cents is never x.xx5)
    return Decimal(value or 0).quantize(CENT)


def _day(column: str) -> str:
    """A date column as the query returns it. On SQLite its ISO text, which `as_date` reads, rather than the driver's
    conversion of declared date columns: that cost seconds over a province's million unpaid invoices."""
    return f"CAST({column} AS TEXT)" if connection.vendor == "sqlite" else column
