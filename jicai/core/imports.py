"""File imports of SPEC §8: one framework, one importer per kind (in each app's `imports.py`).

An import is all-or-nothing per file. Every row is parsed and checked and every problem is collected as a
`RowError(line, column, message)`; when there is none, the rows are written in one transaction through
`jicai.core.bulk`, keyed by the platform's ids or the models' natural keys, so that importing the same file twice
changes nothing. A changed row leaves an AuditEvent with the old and new values.

Rows stream through in chunks: an importer may look up the codes of a big table (orders, deliveries, invoices)
for one chunk at a time, with one query per chunk, and each checked chunk goes straight into the staging table
with its line numbers, where the database finds keys that the file repeats. Memory stays flat however long the
file is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import Any, ClassVar

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import translation
from django.utils.module_loading import import_string

from jicai.core import bulk, tabular
from jicai.core.models import AuditEvent

# Rows checked, looked up and staged together. With 5,000 rows a chunk the import was no faster and SQLite's cache
# of prepared statements held tens of MB (each chunk's lookup had one placeholder per code before `in_list`).
CHUNK_SIZE = 1000
PROGRESS_EVERY = CHUNK_SIZE

# Kinds in dependency order: a file of a later kind refers to the records of earlier ones.
KINDS: dict[str, str] = {
    "regions": "jicai.orgs.imports.RegionImporter",
    "institutions": "jicai.orgs.imports.InstitutionImporter",
    "companies": "jicai.orgs.imports.CompanyImporter",
    "products": "jicai.catalog.imports.ProductImporter",
    "batches": "jicai.catalog.imports.BatchImporter",
    "awards": "jicai.catalog.imports.AwardImporter",
    "award_distributors": "jicai.catalog.imports.AwardDistributorImporter",
    "baselines": "jicai.volumes.imports.BaselineImporter",
    "agreed_volumes": "jicai.volumes.imports.AgreedVolumeImporter",
    "orders": "jicai.purchasing.imports.OrderImporter",
    "deliveries": "jicai.purchasing.imports.DeliveryImporter",
    "invoices": "jicai.purchasing.imports.InvoiceImporter",
    "invoice_lines": "jicai.purchasing.imports.InvoiceLineImporter",
    "payments": "jicai.purchasing.imports.PaymentImporter",
    "usage": "jicai.purchasing.imports.UsageImporter",
}

# Messages (Chinese: users read them; tests assert them).
UNKNOWN_KIND = "未知的导入类型“{kind}”，应为：{kinds}"
UNREADABLE = "无法读取文件：{reason}"
MISSING_COLUMN = "缺少必填列 {name}（{alias}）"
UNKNOWN_COLUMN = "未知的列“{header}”"
SAME_COLUMN = "与列“{other}”是同一列"
REQUIRED = "必填项为空"
TOO_LONG = "超过 {max_length} 个字符"
NOT_INTEGER = "不是整数：“{value}”"
NOT_NUMBER = "不是数字：“{value}”"
TOO_MANY_PLACES = "小数位数不能超过 {places} 位：“{value}”"
TOO_LARGE = "数值过大：“{value}”"
BELOW = "不能小于 {minimum}"
ABOVE = "不能大于 {maximum}"
NEGATIVE = "不能为负数"
NOT_POSITIVE = "必须大于 0"
ZERO = "不能为 0"
NOT_DATE = "日期格式应为 YYYY-MM-DD：“{value}”"
NO_SUCH_DATE = "不存在的日期：“{value}”"
NOT_MONTH = "月份格式应为 YYYY-MM：“{value}”"
NOT_BOOLEAN = "应为 是/否、true/false 或 1/0：“{value}”"
NOT_CHOICE = "未知的取值“{value}”，应为 {choices}"
DUPLICATE_KEY = "与第 {line} 行重复"
DUPLICATE_COMPOSITE_KEY = "与第 {line} 行重复（{columns} 相同）"
BEFORE = "不能早于{other}（{value}）"

AUDIT_ACTION = "import.update"

# Sent inside the import's transaction once its rows are written (kind=, importer=, outcome=): summaries kept on
# import (an invoice's due date, purchases per month) subscribe here, so they land or roll back with the file.
imported = Signal()


@dataclass(frozen=True)
class RowError:
    line: int  # as Excel shows it: the header is line 1; 0 is the file as a whole
    column: str  # the header as written in the file (the canonical name when the column is missing)
    message: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def landed(self) -> bool:
        """The rows are in the database: no error, and not a dry run."""
        return not self.errors and not self.dry_run

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "landed": self.landed,
            "dry_run": self.dry_run,
            "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in self.errors],
        }


# Parsers: raw cell (str, or a typed value from XLSX or from Python callers) → typed value, or Invalid.


class Invalid(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    name: str  # canonical English name (SPEC §8)
    alias: str  # the Chinese header accepted instead
    parse: Parser
    required: bool = True
    default: Any = None  # the value of an empty optional cell


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps numeric codes as floats: 500102.0 is "500102"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = value.strip() if value.__class__ is str else _as_text(value)
        if len(result) > max_length:
            raise Invalid(TOO_LONG.format(max_length=max_length))
        return result

    return parse


def text_of(model: type[models.Model], field_name: str) -> Parser:
    """Text as long as `model.field_name` holds."""
    return text(model._meta.get_field(field_name).max_length)


_INTEGER = re.compile(r"[+-]?\d+")
BIGINT_MAX = 2**63 - 1
SMALLINT_MAX = 32767


def _check_range(value, minimum, maximum, *, nonzero: bool = False, positive: bool = False) -> None:
    if nonzero and value == 0:
        raise Invalid(ZERO)
    if positive and value <= 0:
        raise Invalid(NOT_POSITIVE)
    if minimum is not None and value < minimum:
        raise Invalid({0: NEGATIVE, 1: NOT_POSITIVE}.get(minimum, BELOW.format(minimum=minimum)))
    if maximum is not None and value > maximum:
        raise Invalid(ABOVE.format(maximum=maximum))


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(NOT_INTEGER.format(value=value))
    if value.__class__ is str:
        raw = value.strip()
        if raw.isdigit() and raw.isascii():  # the usual cell, without the pattern
            return int(raw)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            raise Invalid(NOT_INTEGER.format(value=value))
        return int(value)  # Excel stores every number as a float; 12.0 is the integer 12
    raw = str(value).strip()
    if not _INTEGER.fullmatch(raw):
        raise Invalid(NOT_INTEGER.format(value=raw))
    return int(raw)


def integer(minimum: int | None = None, maximum: int | None = BIGINT_MAX, *, nonzero: bool = False) -> Parser:
    def parse(value: Any) -> int:
        result = _to_int(value)
        if abs(result) > BIGINT_MAX:
            raise Invalid(TOO_LARGE.format(value=value))
        _check_range(result, minimum, maximum, nonzero=nonzero)
        return result

    return parse


_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise Invalid(NOT_NUMBER.format(value=value))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # Excel keeps 15 significant digits; reading a float at that precision gives back what the user typed
        # (0.1 + 0.2 is 0.3, not 0.30000000000000004).
        result = Decimal(format(value, ".15g"))
    else:
        raw = str(value).strip()
        if not _DECIMAL.fullmatch(raw):
            raise Invalid(NOT_NUMBER.format(value=raw))
        result = Decimal(raw)
    if not result.is_finite():
        raise Invalid(NOT_NUMBER.format(value=value))
    return result


def decimal(
    places: int, max_digits: int, minimum: int | None = None, *, positive: bool = False, nonzero: bool = False
) -> Parser:
    """A Decimal with at most `places` decimals (more is an error, never silently rounded)."""
    quantum = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        result = _to_decimal(value)
        if result and result.adjusted() + 1 > max_digits - places:
            raise Invalid(TOO_LARGE.format(value=_as_text(value)))
        try:
            rounded = result.quantize(quantum)
        except InvalidOperation as exc:
            raise Invalid(TOO_LARGE.format(value=_as_text(value))) from exc
        if rounded != result:
            raise Invalid(TOO_MANY_PLACES.format(places=places, value=_as_text(value)))
        _check_range(rounded, minimum, None, nonzero=nonzero, positive=positive)
        return rounded

    return parse


def money(**rules) -> Parser:
    """An amount in yuan: 2 decimals (SPEC §3)."""
    return decimal(2, 16, **rules)


def unit_price(**rules) -> Parser:
    """A price per smallest unit: 4 decimals (winning prices such as 0.0595 元/片)."""
    return decimal(4, 14, **rules)


_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?")
_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})")


_DATES: dict[str, date] = {}  # text → date already read: a big file has a few hundred distinct days


def parse_date(value: Any) -> date:
    """YYYY-MM-DD, an Excel date cell, or YYYY/M/D as Chinese Excel writes dates into CSV."""
    if value.__class__ is str:
        found = _DATES.get(value)
        if found is None:
            found = _parse_date(value)
            if len(_DATES) > 100_000:
                _DATES.clear()
            _DATES[value] = found
        return found
    return _parse_date(value)


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    if len(raw) == 10 and raw[4] == raw[7] == "-" and raw[:4].isdigit():
        try:
            return date.fromisoformat(raw)  # the usual YYYY-MM-DD, in C
        except ValueError:
            pass  # the pattern below tells a bad format from a day that does not exist
    match = _DATE.fullmatch(raw)
    if not match:
        raise Invalid(NOT_DATE.format(value=raw))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise Invalid(NO_SUCH_DATE.format(value=raw)) from exc


def parse_month(value: Any) -> date:
    """YYYY-MM → the month's first day (Excel turns a typed "2020-09" into the date 2020-09-01)."""
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if day.day != 1:
            raise Invalid(NOT_MONTH.format(value=day.isoformat()))
        return day
    raw = str(value).strip()
    match = _MONTH.fullmatch(raw)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Invalid(NOT_MONTH.format(value=raw))
    return date(int(match.group(1)), int(match.group(2)), 1)


_TRUE = {"是", "true", "1"}
_FALSE = {"否", "false", "0"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = _as_text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise Invalid(NOT_BOOLEAN.format(value=raw))


def choice(choices: type[models.TextChoices]) -> Parser:
    """An enumeration by its English value or its Chinese label (the label's source text, whatever the
    active language)."""
    words: dict[str, str] = {}

    def parse(value: Any) -> str:
        if not words:
            with translation.override(None):
                for member in choices:
                    words[member.value.lower()] = member.value
                    words[str(member.label).lower()] = member.value
        raw = _as_text(value)
        if raw.lower() not in words:
            with translation.override(None):
                options = "、".join(f"{m.value}/{m.label}" for m in choices)
            raise Invalid(NOT_CHOICE.format(value=raw, choices=options))
        return words[raw.lower()]

    return parse


# Rows


class Row(dict):
    """One data row while it is checked: parsed values by canonical column name (the row is that dict, so that
    `get` costs no Python call), and its errors."""

    __slots__ = ("line", "errors", "_headers")

    def __init__(self, line: int, headers: Mapping[str, str]):
        self.line = line
        self.errors: list[RowError] = []
        self._headers = headers

    # get(column): the parsed value; None when empty or unreadable (the error is already recorded).

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, self._headers.get(column, column), message))

    def not_before(self, column: str, other: str, other_label: str) -> None:
        """`column` must not be earlier than `other` (both dates, either may be empty)."""
        value, earlier = self.get(column), self.get(other)
        if value is not None and earlier is not None and value < earlier:
            self.error(column, BEFORE.format(other=other_label, value=earlier.isoformat()))


class Importer:
    """One kind of SPEC §8 file. Subclasses say which columns it has and how a row becomes a model row."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]]  # model fields matched on (a unique constraint)
    fields: ClassVar[tuple[str, ...]] = ()  # model fields written from the file
    key_columns: ClassVar[tuple[str, ...]]  # the file columns that name the key
    audit_columns: ClassVar[dict[str, str]] = {}  # model field → file column, where the names differ
    # Optional column → the model field it alone fills. When a file leaves the column out, existing rows keep
    # their value (a deliveries file without accepted_on must not erase acceptances); new rows get the default.
    optional_fields: ClassVar[dict[str, str]] = {}
    collect_created: ClassVar[bool] = False  # after_write needs the new rows

    def __init__(self, *, user=None):
        self.user = user if getattr(user, "pk", None) else None

    def prepare(self) -> None:
        """Load the reference tables the rows point into (one query each)."""

    def prefetch(self, rows: list[Row]) -> None:
        """Load what this chunk of rows refers to in a big table (one query per table per chunk)."""

    def convert(self, row: Row) -> tuple:
        """The values of `key` + `fields` for a row; record problems with `row.error`."""
        raise NotImplementedError

    def after_write(self, outcome: bulk.UpsertResult) -> None:
        """Work that follows the write inside the same transaction (derived columns, history)."""

    def update_fields(self, headers: Mapping[str, str]) -> list[str]:
        """The fields an existing row is compared and updated on, given the columns the file has."""
        absent = {f for column, f in self.optional_fields.items() if column not in headers}
        return [f for f in self.fields if f not in absent]

    def resolve(self, row: Row, column: str, table: Mapping[str, Any], message: str) -> Any:
        """table[code of `column`], or None with an error naming the unknown code."""
        code = row.get(column)
        if code is None:
            return None
        found = table.get(code)
        if found is None:
            row.error(column, message.format(code=code))
        return found

    def audit_value(self, field_name: str, value: Any, names: Mapping[str, Mapping[Any, str]]) -> Any:
        """A value as the audit trail shows it: codes for foreign keys, ISO dates, exact decimals."""
        if field_name in names:
            return names[field_name].get(value, value)
        return _plain(value)


def lookup(queryset: models.QuerySet, code_field: str, *values: str) -> dict[str, Any]:
    """code → pk, or code → (pk, *values) when values are named: one query."""
    queryset = queryset.order_by()  # a dict needs no ORDER BY; the models' default ordering would sort the table
    rows = bulk.tuples(queryset.values_list(code_field, "pk", *values))
    if not values:
        return dict(rows)
    return {row[0]: row[1:] for row in rows}


def importer_for(kind: str, *, user=None) -> Importer:
    if kind not in KINDS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind, kinds="、".join(KINDS)))
    return import_string(KINDS[kind])(user=user)


# Running an import


class _Rejected(Exception):
    """Raised at the end of the rows when any row was bad: it rolls the transaction back."""


Progress = Callable[[str, int, int | None], None]


def run_import(
    kind: str, source, *, dry_run: bool = False, user=None, progress: Progress | None = None
) -> ImportResult:
    """Import one file of `kind` (a SPEC §8 name) all-or-nothing.

    `source` is a path, a binary file object (CSV or XLSX), or an iterable of dicts keyed by canonical column
    names whose values are strings or typed values (int, Decimal, date, bool). `dry_run` runs every check and
    the write, then rolls back. `progress(phase, done, total)` is called now and then: phase "read" while rows
    are checked (total may be None), then "write" once.
    """
    importer = importer_for(kind, user=user)
    result = ImportResult(kind=kind, dry_run=dry_run)
    header: list[tuple[int, str]] = []
    try:
        with transaction.atomic(), closing(_records(source, header)) as records:
            first = next(records, None)
            if first is None:
                return result  # a header without rows: nothing to do
            headers, plan = _match_header(importer, header, result)
            importer.prepare()
            with bulk.staged(
                importer.model,
                importer.key,
                importer.fields,
                update_fields=importer.update_fields(headers),
                lines=True,
                savepoint=False,  # the import is all-or-nothing: its own transaction is the only one
            ) as stage:
                total = _estimate(source) if progress else None
                for chunk in _checked_chunks(importer, chain([first], records), plan, headers, result):
                    stage.add(chunk)
                    if progress:
                        progress("read", result.rows, total)
                _duplicates(importer, headers, stage, result)
                if result.errors:
                    raise _Rejected
                if progress:
                    progress("write", result.rows, result.rows)
                outcome = stage.write(collect_created=importer.collect_created)
            importer.after_write(outcome)
            imported.send(type(importer), kind=kind, importer=importer, outcome=outcome)
            _audit(importer, outcome)
            result.created, result.updated, result.unchanged = outcome.created, outcome.updated, outcome.unchanged
            if dry_run:
                transaction.set_rollback(True)
    except _Rejected:
        pass
    except tabular.TabularError as exc:
        message = str(exc) if exc.line else UNREADABLE.format(reason=exc)
        result.errors.append(RowError(exc.line, exc.column, message))
    result.errors.sort(key=lambda e: e.line)  # stable: a row's errors stay in column order
    return result


def _records(source, header: list[tuple[int, str]]) -> Generator[tuple[int, Sequence[Any]]]:
    """(line, cells) from a file, or from dicts as if they had been a file with a header line (the first dict's
    keys); `header` receives (cell index, header) before the first row comes."""
    if isinstance(source, str) or hasattr(source, "__fspath__") or hasattr(source, "read"):
        yield from tabular.read_cells(source, header)
        return
    names: list = []
    for line, raw in enumerate(source, start=2):
        if not names:
            names = list(raw)
            header.extend(enumerate(names))
        yield line, [raw.get(name) for name in names]


def _estimate(source) -> int | None:
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return tabular.estimate_rows(source)
    if isinstance(source, Sequence):
        return len(source)
    return None


@dataclass(frozen=True)
class ColumnPlan:
    """How the cells of a file's rows are read: (canonical name, cell index, parser, required, value when empty)
    for the columns the file has, and the values of the optional columns it leaves out."""

    present: list[tuple[str, int, Parser, bool, Any]]
    absent: dict[str, Any]
    width: int  # cells a row needs for every present column to have one


def _checked_chunks(
    importer: Importer,
    records: Iterable[tuple[int, Sequence[Any]]],
    plan: ColumnPlan,
    headers: Mapping[str, str],
    result: ImportResult,
) -> Iterator[list[tuple]]:
    """Parse and check every row; yield, chunk by chunk, the converted values + line of every row whose key is
    complete (bad rows too: a later row may repeat their key). Problems are collected in `result`.

    Checking goes on after a bad row so that one pass reports every problem."""
    n_key = len(importer.key)
    for chunk in bulk.chunks(records, CHUNK_SIZE):
        rows = [_parse(plan, line, cells, headers) for line, cells in chunk]
        importer.prefetch(rows)
        staged = []
        for row in rows:
            values = importer.convert(row)
            if row.errors:
                result.errors.extend(row.errors)
            if None not in values[:n_key]:
                staged.append((*values, row.line))
        result.rows += len(rows)
        yield staged


def _duplicates(importer: Importer, headers: Mapping[str, str], stage: bulk.Stage, result: ImportResult) -> None:
    """A key that an earlier line of the file already has is an error of the later line (found in the staging
    table, so that no map of every key is held in memory)."""
    column = headers.get(importer.key_columns[0], importer.key_columns[0])
    for line, earlier in stage.duplicates():
        result.errors.append(RowError(line, column, _duplicate(importer, headers, earlier)))


def _duplicate(importer: Importer, headers: Mapping[str, str], earlier: int) -> str:
    if len(importer.key_columns) == 1:
        return DUPLICATE_KEY.format(line=earlier)
    columns = "、".join(headers.get(c, c) for c in importer.key_columns)
    return DUPLICATE_COMPOSITE_KEY.format(line=earlier, columns=columns)


def _normal(header: str) -> str:
    return header.strip().lower()


def _match_header(
    importer: Importer, file_headers: Iterable[tuple[int, Any]], result: ImportResult
) -> tuple[dict[str, str], ColumnPlan]:
    """Canonical column name → the file's header for it, and how each column is read. English names match
    case-insensitively, the Chinese name of SPEC §8 exactly. Unknown, doubled or missing required columns are
    errors: an ignored column would silently drop data (a misspelt accepted_on would leave every payment clock
    unstarted)."""
    by_word = {}
    for column in importer.columns:
        by_word[_normal(column.name)] = column.name
        by_word[_normal(column.alias)] = column.name
    headers: dict[str, str] = {}
    index: dict[str, int] = {}
    errors = []
    for i, header in file_headers:
        name = by_word.get(_normal(str(header)))
        if name is None:
            errors.append(RowError(1, str(header), UNKNOWN_COLUMN.format(header=header)))
        elif name in headers:
            errors.append(RowError(1, str(header), SAME_COLUMN.format(other=headers[name])))
        else:
            headers[name] = str(header)
            index[name] = i
    for column in importer.columns:
        if column.required and column.name not in headers:
            errors.append(RowError(1, column.name, MISSING_COLUMN.format(name=column.name, alias=column.alias)))
    if errors:
        result.errors.extend(errors)
        raise _Rejected
    present = [(c.name, index[c.name], c.parse, c.required, c.default) for c in importer.columns if c.name in index]
    absent = {c.name: c.default for c in importer.columns if c.name not in index}
    return headers, ColumnPlan(present, absent, max(index.values(), default=-1) + 1)


def _parse(plan: ColumnPlan, line: int, cells: Sequence[Any], headers: Mapping[str, str]) -> Row:
    row = Row(line, headers)
    if plan.absent:
        row.update(plan.absent)
    if len(cells) < plan.width:
        cells = [*cells, *[None] * (plan.width - len(cells))]  # a short row: its last cells are empty
    for name, index, parse, required, default in plan.present:
        value = cells[index]
        if value is None or (isinstance(value, str) and (not value or value.isspace())):
            if required:
                row.error(name, REQUIRED)
            row[name] = default
            continue
        try:
            row[name] = parse(value)
        except Invalid as exc:
            row.error(name, str(exc))
    return row


# The audit trail of changed rows


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def natural_key_paths(model: type[models.Model]) -> list[str]:
    """Lookups that name a row the way people do: its code or platform id, else its unique constraint's
    fields, following foreign keys to their own natural keys (an award is batch/product/province)."""
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key and isinstance(f, models.CharField):
            return [f.name]
    constraint = next(c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint))
    paths = []
    for name in constraint.fields:
        f = model._meta.get_field(name)
        if f.is_relation:
            paths += [f"{name}__{path}" for path in natural_key_paths(f.related_model)]
        else:
            paths.append(name)
    return paths


def natural_keys(model: type[models.Model], pks: Iterable[int]) -> dict[int, str]:
    """pk → "code" or "part/part/…", one query however many (`in_list` sends the ids as one parameter)."""
    rows = model._default_manager.filter(pk__in_list=set(pks)).order_by().values_list("pk", *natural_key_paths(model))
    return {pk: "/".join(str(_plain(p)) for p in parts) for pk, *parts in rows}


def _audit(importer: Importer, outcome: bulk.UpsertResult) -> None:
    """One AuditEvent per changed row: {column: [old, new]} for what differs, foreign keys shown as codes."""
    if not outcome.changes:
        return
    names = _foreign_names(importer, outcome.changes)
    keys = natural_keys(importer.model, (c.pk for c in outcome.changes))
    events = []
    for change in outcome.changes:
        diff = {
            importer.audit_columns.get(name, name): [
                importer.audit_value(name, old, names),
                importer.audit_value(name, change.new[name], names),
            ]
            for name, old in change.old.items()
            if old != change.new[name]
        }
        events.append(
            AuditEvent(user=importer.user, action=AUDIT_ACTION, model=importer.kind, key=keys[change.pk], changes=diff)
        )
    AuditEvent.objects.bulk_create(events, batch_size=2000)


def _foreign_names(importer: Importer, changes: list[bulk.Change]) -> dict[str, dict[Any, str]]:
    """For each foreign key that changed somewhere: id → natural key, one query each."""
    names = {}
    for name in changes[0].old:
        model_field = importer.model._meta.get_field(name)
        if not model_field.is_relation:
            continue
        ids = {v for c in changes if c.old[name] != c.new[name] for v in (c.old[name], c.new[name]) if v is not None}
        if ids:
            names[name] = natural_keys(model_field.related_model, ids)
    return names
