"""Fuzzing the importers and the monthly-report upload checker with generated files.

Whatever arrives (random bytes, wrong or missing headers, bad dates, huge numbers, text in number columns,
another encoding, an XLSX of odd cell types), an import never raises: it lands whole, or it returns row errors
with a line, a column and a reason and leaves every table as it was. The upload checker answers with problems
or differences, never an exception.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jicai.core import tabular
from jicai.core.backup import database_rows
from jicai.core.imports import KINDS, importer_for, run_import
from jicai.orgs.models import Institution
from jicai.reports.exports import write_report
from jicai.reports.fill import fill
from jicai.reports.upload import check_upload

SAMPLES = settings.BASE_DIR / "samples"
FUZZED = ("regions", "institutions", "orders", "deliveries", "payments")
FUZZ = hsettings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible, never flaky
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def samples(django_db_setup, django_db_blocker):
    """The sample files imported once for the module (rolled back after it)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        for kind in KINDS:
            assert run_import(kind, SAMPLES / f"{kind}.csv").landed
        yield
        transaction.set_rollback(True)


def _sample_values(kind: str) -> dict[str, list[str]]:
    """Column (canonical name) → the sample file's values: the raw material of plausible rows."""
    importer = importer_for(kind)
    alias = {c.alias: c.name for c in importer.columns}
    values: dict[str, list[str]] = {c.name: [] for c in importer.columns}
    for _line, row in tabular.read_rows(SAMPLES / f"{kind}.csv"):
        for header, value in row.items():
            name = alias.get(header, header)
            if name in values and value not in (None, ""):
                values[name].append(str(value))
    return values


JUNK = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "2020-02-30",
            "2020-13-01",
            "20200915",
            "15/09/2020",
            "9" * 40,
            "-1",
            "0",
            "1e309",
            "NaN",
            "0.123456789",
            "=SUM(A1:A2)",
            '"',
            "\x00",
            "是",
            "否",
            "公立",
            "一二三",
            "１２３",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
)


@st.composite
def table(draw, kind: str):
    """(header, rows): each required column present, renamed to its Chinese alias, missing or misspelt; cells
    from the samples or junk; sometimes an extra column or a ragged row."""
    importer = importer_for(kind)
    values = _sample_values(kind)
    header = []
    for column in importer.columns:
        choice = draw(st.sampled_from(["name", "name", "alias", "missing", "junk"]))
        if choice == "name":
            header.append(column.name)
        elif choice == "alias":
            header.append(column.alias)
        elif choice == "junk":
            header.append(draw(st.text(min_size=1, max_size=8)))
    if draw(st.booleans()):
        header.append(draw(st.text(max_size=8)))
    names = {c.alias: c.name for c in importer.columns}
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        row = []
        for h in header:
            pool = values.get(names.get(h, h)) or [""]
            row.append(draw(st.one_of(st.sampled_from(pool), JUNK)))
        if row and draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # a ragged line
        rows.append(row)
    return header, rows


def _csv_bytes(header, rows, encoding: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding, errors="replace")


def _cell(value):
    """What a spreadsheet can hold: Excel has no control characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _xlsx_bytes(header, rows, typed) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([_cell(h) for h in header])
    for row, extra in zip(rows, typed, strict=False):
        ws.append([_cell(v) for v in ([*row[:-1], extra] if row else [extra])])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _import_and_check(kind: str, data: bytes) -> None:
    before = database_rows()
    result = run_import(kind, io.BytesIO(data))
    if result.errors:
        for error in result.errors:
            assert isinstance(error.line, int) and error.line >= 0
            assert isinstance(error.column, str)
            assert isinstance(error.message, str) and error.message.strip()
        assert database_rows() == before, "a failed import changed the database"
    else:
        assert result.created + result.updated + result.unchanged == result.rows


TYPED = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.booleans(),
    st.text(max_size=10).filter(lambda s: not s.startswith("=")),
)


@pytest.mark.parametrize("kind", FUZZED)
def test_generated_csv_files_land_whole_or_report_row_errors(kind, samples, db):
    @FUZZ
    @given(data=table(kind), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    def check(data, encoding):
        header, rows = data
        _import_and_check(kind, _csv_bytes(header, rows, encoding))

    check()


@pytest.mark.parametrize("kind", ("orders", "payments"))
def test_generated_xlsx_files_land_whole_or_report_row_errors(kind, samples, db):
    @FUZZ
    @given(data=table(kind), typed=st.lists(TYPED, max_size=6))
    def check(data, typed):
        header, rows = data
        _import_and_check(kind, _xlsx_bytes(header, rows, typed))

    check()


@FUZZ
@given(data=st.binary(max_size=2000), kind=st.sampled_from(FUZZED))
def test_random_bytes_are_refused_with_a_reason(samples, db, data, kind):
    _import_and_check(kind, data)


@pytest.fixture
def document(samples, db):
    inst = Institution.objects.get(code="H500102001")
    return fill(Institution.objects.filter(pk=inst.pk), date(2020, 9, 1))[inst.pk]


@pytest.fixture
def form_bytes(document):
    buffer = io.BytesIO()
    write_report(document, "xlsx", buffer)
    return buffer.getvalue()


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=10), TYPED | JUNK),
        max_size=12,
    ),
    delete_rows=st.lists(st.integers(min_value=1, max_value=12), max_size=3),
)
def test_the_upload_checker_answers_any_edited_form(document, form_bytes, edits, delete_rows):
    wb = load_workbook(io.BytesIO(form_bytes))
    ws = wb.active
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))
    for row, column, value in edits:
        ws.cell(row=row, column=column).value = _cell(value)
    for row in sorted(set(delete_rows), reverse=True):
        ws.delete_rows(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    before = database_rows()
    check = check_upload(out, document)
    assert all(isinstance(p, str) and p for p in check.problems)
    assert not (check.problems and check.differences)
    if not check.problems:
        check.draft(document)  # what confirming would store is computable too
    assert database_rows() == before


@FUZZ
@given(data=st.binary(max_size=3000))
def test_the_upload_checker_refuses_random_bytes(document, data):
    check = check_upload(io.BytesIO(data), document)
    assert check.problems and check.form is None


@pytest.mark.parametrize("value", ["1e30", 10**25, "9" * 40])
def test_a_huge_quantity_in_the_form_is_a_problem_not_a_crash(value):
    """Found by the fuzzing above: Decimal.quantize raised InvalidOperation past 28 digits."""
    from jicai.reports.upload import _number

    problems: list[str] = []
    assert _number(value, 4, "已采购量", problems) is None
    assert len(problems) == 1 and "应为数字" in problems[0]
