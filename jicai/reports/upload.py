"""Reading a filled monthly-report form (.xlsx) and checking it against the template and the records (SPEC §4.7).

An institution that keeps its figures in Excel uploads the form: jicai's own download, or one typed by hand from
the paper template (blank or extra rows, a header split over lines). The file is checked against the template
(the nine headers), every cell is checked (numbers with at most 4 decimals, 是/否, a known drug), and every row is
compared with the report the records give; the institution sees each difference before it confirms. Confirming
submits the report as the records give it, with the reasons and signatures taken from the file.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jicai.reports.exports import COLUMNS

NOT_A_WORKBOOK = gettext_noop("文件不是有效的 .xlsx 工作簿（请用 Excel 另存为“Excel 工作簿 (*.xlsx)”后再上传）")
NO_FORM = gettext_noop("工作簿中找不到月报表：没有一个工作表含有“序号、药品通用名、剂型、规格、生产企业……”这一行表头")
BAD_HEADER = gettext_noop("第%(line)d行第%(column)s列的表头应为“%(expected)s”，实为“%(found)s”")
NOT_A_NUMBER = gettext_noop("第%(line)d行“%(column)s”应为数字，实为“%(value)s”")
TOO_MANY_DECIMALS = gettext_noop("第%(line)d行“%(column)s”最多保留4位小数，实为“%(value)s”")
NOT_YES_NO = gettext_noop("第%(line)d行“是否全额回款”应为“是”或“否”，实为“%(value)s”")
UNKNOWN_DRUG = gettext_noop("第%(line)d行的药品“%(drug)s”不是本机构本月有约定采购量的中选药品")
DUPLICATE_DRUG = gettext_noop("第%(line)d行的药品“%(drug)s”重复出现（第%(first)d行已有）")
NO_ROWS = gettext_noop("表中没有数据行")

LABELS = {"分管领导": "leader", "填表人": "preparer", "填表时间": "prepared_on", "联系电话": "phone"}
_LABEL_RE = re.compile(r"(分管领导|填表人|填表时间|联系电话)\s*[:：]")
_SPACE_RE = re.compile(r"\s+")
HEADERS = [str(h) for _f, h, _w in COLUMNS]


class UploadError(ValueError):
    """The file cannot be read as the form at all; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class UploadedRow:
    line: int
    generic_name: str
    dosage_form: str
    spec: str
    manufacturer: str
    agreed_wan: str | None
    purchased_wan: str | None
    fully_paid_text: str
    remarks: str
    product: str = ""  # the matched row's product code


@dataclass
class UploadedForm:
    sheet: str
    unit: str  # 填报单位 as written
    rows: list[UploadedRow] = field(default_factory=list)
    leader: str = ""
    preparer: str = ""
    prepared_on: date | None = None
    phone: str = ""


@dataclass
class Difference:
    line: int | None  # the file's line, None for a row the file lacks
    drug: str
    field: str
    uploaded: str
    computed: str


def _norm(value) -> str:
    """A header or name as compared: no whitespace, full-width brackets and colon."""
    text = "" if value is None else str(value)
    text = _SPACE_RE.sub("", text).replace("(", "（").replace(")", "）").replace(":", "：")
    return text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value, line: int, column: str, problems: list[str]) -> str | None:
    """A quantity cell as a string with exactly 4 decimals, or None (blank) — problems noted, never guessed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(_(NOT_A_NUMBER) % {"line": line, "column": column, "value": value})
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        problems.append(_(NOT_A_NUMBER) % {"line": line, "column": column, "value": value})
        return None
    if not number.is_finite() or number.adjusted() > 20:  # quantize() raises past 10²⁰; no quantity is that big
        problems.append(_(NOT_A_NUMBER) % {"line": line, "column": column, "value": value})
        return None
    if number != number.quantize(Decimal("0.0001")):
        problems.append(_(TOO_MANY_DECIMALS) % {"line": line, "column": column, "value": value})
        return None
    return str(number.quantize(Decimal("0.0001")))


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _signatures(cells: list, form: UploadedForm) -> bool:
    """Read 分管领导/填表人/填表时间/联系电话 from one footer row, in one cell or several; True when found."""
    parts = [c for c in cells if c is not None and _text(c)]
    text = "  ".join(_text(c) if not isinstance(c, date | datetime) else _date(c).isoformat() for c in parts)
    found = list(_LABEL_RE.finditer(text))
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = text[match.end() : end].strip()
        name = LABELS[match.group(1)]
        if name == "prepared_on":
            form.prepared_on = _date(value)
        else:
            setattr(form, name, value)
    return bool(found)


def _header_row(rows: list[tuple]) -> int | None:
    """Index of the row that starts with 序号 and 药品通用名 (the header), among the first 20."""
    for i, cells in enumerate(rows[:20]):
        names = [_norm(c) for c in cells]
        if len(names) >= 2 and names[0] == "序号" and names[1] == "药品通用名":
            return i
    return None


def read_form(file: IO[bytes]) -> UploadedForm:
    """Parse the uploaded workbook; UploadError lists everything that makes it unreadable."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise UploadError([_(NOT_A_WORKBOOK)]) from None
    try:
        for sheet in workbook.worksheets:
            rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
            header = _header_row(rows)
            if header is not None:
                return _parse_sheet(sheet.title, rows, header)
    finally:
        workbook.close()
    raise UploadError([_(NO_FORM)])


def _parse_sheet(title: str, rows: list[tuple], header: int) -> UploadedForm:
    problems: list[str] = []
    cells = list(rows[header]) + [None] * len(HEADERS)
    for col, expected in enumerate(HEADERS):
        if _norm(cells[col]) != _norm(expected):
            problems.append(
                _(BAD_HEADER)
                % {"line": header + 1, "column": chr(ord("A") + col), "expected": expected, "found": _text(cells[col])}
            )
    if problems:
        raise UploadError(problems)
    unit = ""
    for cells in rows[:header]:
        for c in cells:
            text = _text(c)
            if _norm(text).startswith("填报单位"):
                unit = re.sub(r"^填报单位\s*[:：]?\s*", "", text)
    form = UploadedForm(sheet=title, unit=unit)
    for index in range(header + 1, len(rows)):
        line = index + 1
        cells = list(rows[index]) + [None] * len(HEADERS)
        first = _norm(cells[0])
        if first.startswith("填写说明"):
            break
        if _signatures(cells, form):
            continue
        values = cells[: len(HEADERS)]
        if all(_text(v) == "" for v in values[1:]):
            continue  # a blank line of the template (a 序号 alone is blank too)
        row = UploadedRow(
            line=line,
            generic_name=_text(values[1]),
            dosage_form=_text(values[2]),
            spec=_text(values[3]),
            manufacturer=_text(values[4]),
            agreed_wan=_number(values[5], line, HEADERS[5], problems),
            purchased_wan=_number(values[6], line, HEADERS[6], problems),
            fully_paid_text=_text(values[7]),
            remarks=_text(values[8]),
        )
        if row.fully_paid_text not in ("是", "否", ""):
            problems.append(_(NOT_YES_NO) % {"line": line, "value": row.fully_paid_text})
        form.rows.append(row)
    if problems:
        raise UploadError(problems)
    return form


def _drug(row) -> str:
    name = row["generic_name"] if isinstance(row, dict) else row.generic_name
    spec = row["spec"] if isinstance(row, dict) else row.spec
    return f"{name} {spec}".strip()


def match_rows(form: UploadedForm, document: dict) -> list[str]:
    """Tie every uploaded row to a row of the report by generic name and specification (and manufacturer when
    that is ambiguous); returns the problems (unknown or repeated drugs)."""
    problems = []
    by_key: dict[tuple[str, str], list[dict]] = {}
    for row in document["rows"]:
        by_key.setdefault((_norm(row["generic_name"]), _norm(row["spec"])), []).append(row)
    seen: dict[str, int] = {}
    for up in form.rows:
        candidates = by_key.get((_norm(up.generic_name), _norm(up.spec)), [])
        if len(candidates) > 1:
            candidates = [c for c in candidates if _norm(c["manufacturer"]) == _norm(up.manufacturer)]
        if len(candidates) != 1:
            problems.append(_(UNKNOWN_DRUG) % {"line": up.line, "drug": _drug(up)})
            continue
        code = candidates[0]["product"]
        if code in seen:
            problems.append(_(DUPLICATE_DRUG) % {"line": up.line, "drug": _drug(up), "first": seen[code]})
            continue
        seen[code] = up.line
        up.product = code
    return problems


def compare(form: UploadedForm, document: dict) -> list[Difference]:
    """Every difference between the uploaded rows and the report the records give, row by row."""
    differences = []
    if form.unit and _norm(form.unit) != _norm(document["institution_name"]):
        differences.append(Difference(None, "", _("填报单位"), form.unit, document["institution_name"]))
    uploaded = {up.product: up for up in form.rows if up.product}
    fields = [("agreed_wan", HEADERS[5]), ("purchased_wan", HEADERS[6]), ("fully_paid_text", HEADERS[7])]
    for row in document["rows"]:
        up = uploaded.get(row["product"])
        if up is None:
            differences.append(Difference(None, _drug(row), _("整行"), _("（缺少）"), _("应有此行")))
            continue
        for name, label in fields:
            value = getattr(up, name) or ""
            if value != row[name]:
                differences.append(Difference(up.line, _drug(row), label, value or _("（空白）"), row[name]))
        for item in row["unpaid_invoices"]:
            if not item["computed"] and item["invoice_no"] not in up.remarks and not reasons_of(up, row):
                differences.append(
                    Difference(up.line, _drug(row), HEADERS[8], up.remarks or _("（空白）"), _remark_hint(item))
                )
    return differences


def _remark_hint(item: dict) -> str:
    return _("应说明发票%(no)s（确认时间%(on)s）的未回款原因") % {"no": item["invoice_no"], "on": item["confirmed_on"]}


def reasons_of(up: UploadedRow, row: dict) -> dict[str, str]:
    """The reasons the file gives for the row's overdue invoices: the part of 备注 that names the invoice (after
    原因： when written), or the whole 备注 when the row has a single overdue invoice."""
    overdue = [item for item in row["unpaid_invoices"] if not item["computed"]]
    if not overdue or not up.remarks:
        return {}
    segments = [s.strip() for s in re.split(r"[；;\n]", up.remarks) if s.strip()]
    reasons = {}
    for item in overdue:
        for segment in segments:
            if item["invoice_no"] in segment:
                reason = re.split(r"原因\s*[:：]", segment, maxsplit=1)
                reasons[item["invoice_no"]] = (reason[1] if len(reason) > 1 else segment).strip()
                break
    if not reasons and len(overdue) == 1:
        reasons[overdue[0]["invoice_no"]] = up.remarks.strip()
    return {k: v for k, v in reasons.items() if v}


def all_reasons(form: UploadedForm, document: dict) -> dict[str, str]:
    uploaded = {up.product: up for up in form.rows if up.product}
    reasons: dict[str, str] = {}
    for row in document["rows"]:
        if row["product"] in uploaded:
            reasons.update(reasons_of(uploaded[row["product"]], row))
    return reasons


@dataclass
class Check:
    """The outcome of an upload: problems stop it; differences are shown before the institution confirms."""

    problems: list[str]
    differences: list[Difference]
    form: UploadedForm | None

    def draft(self, document: dict) -> dict:
        """What confirming stores (JSON-ready, kept in the session between preview and confirmation)."""
        form = self.form
        return {
            "leader": form.leader,
            "preparer": form.preparer,
            "prepared_on": form.prepared_on.isoformat() if form.prepared_on else "",
            "phone": form.phone,
            "reasons": all_reasons(form, document),
        }


def check_upload(file: IO[bytes], document: dict) -> Check:
    try:
        form = read_form(file)
    except UploadError as exc:
        return Check(exc.problems, [], None)
    problems = match_rows(form, document)
    if not form.rows and document["rows"]:
        problems.append(_(NO_ROWS))
    if problems:
        return Check(problems, [], form)
    return Check([], compare(form, document), form)
