"""The one bulk write path: rows into a staging table, then one set-based upsert into the real table.

Every importer writes through `upsert`. Rows go into a TEMP table in chunks (PostgreSQL `COPY`, SQLite
`executemany`), the outcome is counted with a few set-based queries, and one `INSERT … SELECT … ON CONFLICT`
writes only the rows that are new or differ, so a second import of the same file touches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

CHUNK_SIZE = 5000

# Fields whose get_db_prep_save returns an already-typed value unchanged (str, int, bool): skipping the call
# saves a third of the time of a million-row import. Decimals, dates and JSON always go through Django.
_PLAIN_FIELDS = (
    models.CharField,
    models.IntegerField,  # and its Big/Small/Positive/Auto subclasses
    models.BooleanField,
)


@dataclass(frozen=True)
class Change:
    """A row that existed and differs: its primary key, key values, and the compared fields before and after."""

    pk: int
    key: tuple
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    created_rows: list[tuple] = field(default_factory=list)  # key + fields of new rows, when asked for


def upsert(
    model: type[models.Model],
    key_fields: Sequence[str],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    update_fields: Sequence[str] | None = None,
    collect_created: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> UpsertResult:
    """Insert or update `rows` (tuples of Python values: `key_fields` then `fields`, foreign keys as ids).

    Rows are matched on `key_fields`, which must be a unique constraint of `model` and unique within `rows`.
    An existing row is compared and updated on `update_fields` (default: all `fields`); the others are written
    on insert only. Model fields that are neither keys nor `fields` get their default on insert.
    Runs in the caller's transaction (a savepoint when there is one); an exception raised while `rows` is
    iterated rolls everything back, the staging table included.
    """
    connection = connections[DEFAULT_DB_ALIAS]  # the real connection: the module-level proxy is slow per value
    plan = _Plan(connection, model, key_fields, fields, fields if update_fields is None else update_fields)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(plan.create_stage_sql())
        total = 0
        for chunk in _chunks(rows, chunk_size):
            _fill(connection, cursor, plan, [plan.prep(row) for row in chunk])
            total += len(chunk)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {plan.stage}")  # temp tables are never auto-analysed; the joins need sizes
        result = UpsertResult()
        if collect_created:
            cursor.execute(plan.created_rows_sql())
            result.created_rows = [plan.to_python(plan.all_fields, row) for row in cursor.fetchall()]
            result.created = len(result.created_rows)
        else:
            cursor.execute(plan.created_count_sql())
            result.created = cursor.fetchone()[0]
        if plan.update_fields:
            cursor.execute(plan.changed_rows_sql())
            result.changes = [plan.change(row) for row in cursor.fetchall()]
        result.updated = len(result.changes)
        result.unchanged = total - result.created - result.updated
        cursor.execute(plan.upsert_sql())
        cursor.execute(f"DROP TABLE {plan.stage}")
    return result


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _fill(connection, cursor, plan: _Plan, chunk: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        # The raw psycopg cursor: Django's wrapper has no COPY.
        with cursor.cursor.copy(f"COPY {plan.stage} ({plan.column_list}) FROM STDIN") as copy:
            for row in chunk:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(plan.columns))
        cursor.executemany(f"INSERT INTO {plan.stage} ({plan.column_list}) VALUES ({placeholders})", chunk)


class _Plan:
    """The SQL of one upsert: names, quoting and the dialect differences in one place."""

    def __init__(
        self,
        connection,
        model: type[models.Model],
        key_fields: Sequence[str],
        fields: Sequence[str],
        update_fields: Sequence[str],
    ):
        meta = model._meta
        self.key_fields = [meta.get_field(name) for name in key_fields]
        self.fields = [meta.get_field(name) for name in fields]
        self.update_fields = [meta.get_field(name) for name in update_fields]
        self.all_fields = self.key_fields + self.fields
        named = {f.name for f in self.all_fields}
        # Columns the file does not carry still need a value on insert (NOT NULL without a database default).
        self.defaults = [f for f in meta.concrete_fields if not f.primary_key and f.name not in named]
        self.default_values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.defaults)
        self.preparers = [_preparer(f, connection) for f in self.all_fields]
        self.pk = meta.pk
        quote = connection.ops.quote_name
        self.quote = quote
        self.table = quote(meta.db_table)
        self.stage = quote(f"stage_{meta.db_table}")
        self.columns = [quote(f.column) for f in self.all_fields + self.defaults]
        self.column_list = ", ".join(self.columns)
        self.distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"

    def prep(self, row: Sequence[Any]) -> tuple:
        """Python values → what this backend's driver expects (Decimal and date handling differ)."""
        values = tuple(v if p is None else p(v) for p, v in zip(self.preparers, row, strict=True))
        return values + self.default_values

    def to_python(self, model_fields: Sequence[models.Field], values: Sequence[Any]) -> tuple:
        return tuple(_python(f, v) for f, v in zip(model_fields, values, strict=True))

    def change(self, row: Sequence[Any]) -> Change:
        nk, nf = len(self.key_fields), len(self.update_fields)
        names = [f.name for f in self.update_fields]
        return Change(
            pk=row[0],
            key=self.to_python(self.key_fields, row[1 : 1 + nk]),
            old=dict(zip(names, self.to_python(self.update_fields, row[1 + nk : 1 + nk + nf]), strict=True)),
            new=dict(zip(names, self.to_python(self.update_fields, row[1 + nk + nf :]), strict=True)),
        )

    def _cols(self, alias: str, model_fields: Sequence[models.Field]) -> str:
        return ", ".join(f"{alias}.{self.quote(f.column)}" for f in model_fields)

    def _match(self) -> str:
        return " AND ".join(f"t.{self.quote(f.column)} = s.{self.quote(f.column)}" for f in self.key_fields)

    def _differs(self, new_alias: str) -> str:
        return " OR ".join(
            f"{self.table}.{self.quote(f.column)} {self.distinct} {new_alias}.{self.quote(f.column)}"
            for f in self.update_fields
        )

    def create_stage_sql(self) -> str:
        # Same column types as the target (no constraints): values compare exactly as they will be stored.
        return f"CREATE TEMP TABLE {self.stage} AS SELECT {self.column_list} FROM {self.table} WHERE 1 = 0"

    def _new_rows(self) -> str:
        return f"FROM {self.stage} s WHERE NOT EXISTS (SELECT 1 FROM {self.table} t WHERE {self._match()})"

    def created_count_sql(self) -> str:
        return f"SELECT count(*) {self._new_rows()}"

    def created_rows_sql(self) -> str:
        return f"SELECT {self._cols('s', self.all_fields)} {self._new_rows()}"

    def changed_rows_sql(self) -> str:
        differs = " OR ".join(
            f"t.{self.quote(f.column)} {self.distinct} s.{self.quote(f.column)}" for f in self.update_fields
        )
        return (
            f"SELECT t.{self.quote(self.pk.column)}, {self._cols('s', self.key_fields)}, "
            f"{self._cols('t', self.update_fields)}, {self._cols('s', self.update_fields)} "
            f"FROM {self.stage} s JOIN {self.table} t ON {self._match()} WHERE {differs}"
        )

    def upsert_sql(self) -> str:
        keys = ", ".join(self.quote(f.column) for f in self.key_fields)
        if self.update_fields:
            assignments = ", ".join(
                f"{self.quote(f.column)} = excluded.{self.quote(f.column)}" for f in self.update_fields
            )
            action = f"DO UPDATE SET {assignments} WHERE {self._differs('excluded')}"
        else:
            action = "DO NOTHING"
        # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
        return (
            f"INSERT INTO {self.table} ({self.column_list}) SELECT {self.column_list} FROM {self.stage} "
            f"WHERE true ON CONFLICT ({keys}) {action}"
        )


def _preparer(model_field: models.Field, connection):
    """None when the value goes to the driver as it is, else the function that prepares it."""
    target = model_field.target_field if isinstance(model_field, models.ForeignKey) else model_field
    if isinstance(target, _PLAIN_FIELDS):
        return None
    return lambda value: model_field.get_db_prep_save(value, connection)


def _python(model_field: models.Field, value: Any) -> Any:
    """A value as the database returned it → the Python value the ORM would give (SQLite hands back floats
    for decimals and strings for dates)."""
    if value is None:
        return None
    if isinstance(model_field, models.ForeignKey):
        return model_field.target_field.to_python(value)
    value = model_field.to_python(value)
    if isinstance(model_field, models.DecimalField):
        return value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
    return value
