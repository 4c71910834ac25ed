"""The accepted quantity per institution, product and month, in all and day by day (DeliveryMonth), filled from the
deliveries already there (a province's 10 million lines: one grouped pass) and kept from then on by triggers on the
delivery table.

SQLite fires its triggers row by row (an upsert each); PostgreSQL's fire once per statement and add the statement's
rows grouped, from its transition tables. An update subtracts the old row and adds the new one. A delivery not yet
accepted counts nowhere. Django rebuilds a SQLite table to alter it, which drops its triggers:
`jicai/purchasing/tests/test_delivery_month.py` fails when a later migration does that to the delivery table.
"""

import django.db.models.deletion
from django.db import migrations, models

DAYS = [f"day{d}" for d in range(1, 32)]
COLUMNS = ", ".join(["institution_id", "product_id", "month", "quantity", *DAYS])
# Django makes every table with a row id; on SQLite this one is stored in key order instead (WITHOUT ROWID), so that
# the months of one institution and product are read from one place.
TABLE = """
    CREATE TABLE purchasing_deliverymonth (
        institution_id bigint NOT NULL,
        product_id bigint NOT NULL,
        month date NOT NULL,
        quantity bigint NOT NULL,
        {},
        PRIMARY KEY (institution_id, product_id, month)
    )
""".format(", ".join(f"{day} bigint NOT NULL DEFAULT 0" for day in DAYS))


class SQLite:
    """A date column's month (its first day) and day of the month; dates are ISO text."""

    month = "substr({0}.accepted_on, 1, 8) || '01'"
    day = "substr({0}.accepted_on, 9, 2)"
    days = [f"'{d:02d}'" for d in range(1, 32)]


class PostgreSQL:
    month = "date_trunc('month', {0}.accepted_on)::date"
    day = "extract(day FROM {0}.accepted_on)"
    days = [str(d) for d in range(1, 32)]


def by_day(sql, row: str, quantity: str, *, summed: bool = True) -> str:
    """The day columns' values: the quantity in its day's column, 0 in the others."""
    cases = [f"CASE WHEN {sql.day.format(row)} = {d} THEN {quantity} ELSE 0 END" for d in sql.days]
    return ", ".join(f"SUM({case})" if summed else case for case in cases)


def fill(sql) -> str:
    return f"""
        INSERT INTO purchasing_deliverymonth ({COLUMNS})
        SELECT d.institution_id, d.product_id, {sql.month.format("d")}, SUM(d.quantity), {by_day(sql, "d", "d.quantity")}
        FROM purchasing_delivery d WHERE d.accepted_on IS NOT NULL GROUP BY 1, 2, 3
    """


def sqlite_upsert(row: str, sign: str) -> str:
    quantity = f"{sign}{row}.quantity"
    added = ", ".join(f"{c} = {c} + excluded.{c}" for c in ["quantity", *DAYS])
    return f"""
        INSERT INTO purchasing_deliverymonth ({COLUMNS})
        SELECT {row}.institution_id, {row}.product_id, {SQLite.month.format(row)}, {quantity},
               {by_day(SQLite, row, quantity, summed=False)}
        WHERE {row}.accepted_on IS NOT NULL
        ON CONFLICT (institution_id, product_id, month) DO UPDATE SET {added};
    """


CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("institution_id", "product_id", "accepted_on", "quantity"))
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER delivery_month_insert AFTER INSERT ON purchasing_delivery BEGIN {sqlite_upsert('NEW', '')} END",
    f"CREATE TRIGGER delivery_month_delete AFTER DELETE ON purchasing_delivery BEGIN {sqlite_upsert('OLD', '-')} END",
    f"CREATE TRIGGER delivery_month_update AFTER UPDATE ON purchasing_delivery WHEN {CHANGED} "
    f"BEGIN {sqlite_upsert('OLD', '-')} {sqlite_upsert('NEW', '')} END",
]


# One function for the three statements, a branch each: an insert trigger has no old rows, a delete trigger no new
# ones. Keys come sorted, so that concurrent imports lock them in the same order.
def pg_upsert(rows: str) -> str:
    added = ", ".join(f"{c} = purchasing_deliverymonth.{c} + EXCLUDED.{c}" for c in ["quantity", *DAYS])
    return f"""
        INSERT INTO purchasing_deliverymonth ({COLUMNS})
        SELECT r.institution_id, r.product_id, {PostgreSQL.month.format("r")}, SUM(r.quantity),
               {by_day(PostgreSQL, "r", "r.quantity")}
        FROM ({rows}) r WHERE r.accepted_on IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (institution_id, product_id, month) DO UPDATE SET {added};
    """


PG_NEW = "SELECT institution_id, product_id, accepted_on, quantity FROM new_rows"
PG_OLD = "SELECT institution_id, product_id, accepted_on, -quantity AS quantity FROM old_rows"
PG_TRIGGERS = [
    f"""CREATE FUNCTION purchasing_delivery_month() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {pg_upsert(PG_NEW)}
        ELSIF TG_OP = 'DELETE' THEN {pg_upsert(PG_OLD)}
        ELSE {pg_upsert(f"{PG_NEW} UNION ALL {PG_OLD}")}
        END IF;
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER delivery_month_{event.lower()} AFTER {event} ON purchasing_delivery "
        f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION purchasing_delivery_month()"
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        )
    ),
]
TRIGGERS = ("delivery_month_insert", "delivery_month_delete", "delivery_month_update")


def install(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(TABLE + ("" if postgres else " WITHOUT ROWID"))
    schema_editor.execute(fill(PostgreSQL if postgres else SQLite))
    for statement in PG_TRIGGERS if postgres else SQLITE_TRIGGERS:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    on = " ON purchasing_delivery" if schema_editor.connection.vendor == "postgresql" else ""
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER {name}{on}")
    if on:
        schema_editor.execute("DROP FUNCTION purchasing_delivery_month()")
    schema_editor.execute("DROP TABLE purchasing_deliverymonth")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("orgs", "0001_initial"),
        ("purchasing", "0005_invoice_paid_off"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeliveryMonth",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "institution",
                                "product",
                                "month",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("month", models.DateField(verbose_name="月份")),
                        ("quantity", models.BigIntegerField(verbose_name="数量")),
                        ("day1", models.BigIntegerField(default=0)),
                        ("day2", models.BigIntegerField(default=0)),
                        ("day3", models.BigIntegerField(default=0)),
                        ("day4", models.BigIntegerField(default=0)),
                        ("day5", models.BigIntegerField(default=0)),
                        ("day6", models.BigIntegerField(default=0)),
                        ("day7", models.BigIntegerField(default=0)),
                        ("day8", models.BigIntegerField(default=0)),
                        ("day9", models.BigIntegerField(default=0)),
                        ("day10", models.BigIntegerField(default=0)),
                        ("day11", models.BigIntegerField(default=0)),
                        ("day12", models.BigIntegerField(default=0)),
                        ("day13", models.BigIntegerField(default=0)),
                        ("day14", models.BigIntegerField(default=0)),
                        ("day15", models.BigIntegerField(default=0)),
                        ("day16", models.BigIntegerField(default=0)),
                        ("day17", models.BigIntegerField(default=0)),
                        ("day18", models.BigIntegerField(default=0)),
                        ("day19", models.BigIntegerField(default=0)),
                        ("day20", models.BigIntegerField(default=0)),
                        ("day21", models.BigIntegerField(default=0)),
                        ("day22", models.BigIntegerField(default=0)),
                        ("day23", models.BigIntegerField(default=0)),
                        ("day24", models.BigIntegerField(default=0)),
                        ("day25", models.BigIntegerField(default=0)),
                        ("day26", models.BigIntegerField(default=0)),
                        ("day27", models.BigIntegerField(default=0)),
                        ("day28", models.BigIntegerField(default=0)),
                        ("day29", models.BigIntegerField(default=0)),
                        ("day30", models.BigIntegerField(default=0)),
                        ("day31", models.BigIntegerField(default=0)),
                        (
                            "institution",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="orgs.institution",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="catalog.product",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "每月验收量",
                        "verbose_name_plural": "每月验收量",
                    },
                ),
            ],
            database_operations=[migrations.RunPython(install, uninstall)],
        ),
    ]
