"""Rows in and out of CSV, XLSX and JSON files: the one place that knows about encodings and spreadsheets.

Reading yields plain dicts keyed by the header as written in the file; what the columns mean is the importers'
business (`jicai.core.imports`). Line numbers are the ones a user sees in Excel: the header is line 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

FORMATS = ("csv", "xlsx", "json")
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_CHUNK = 1 << 20

UNREADABLE_XLSX = "无法读取 XLSX 文件：{reason}"
UNREADABLE_CSV = "不是 UTF-8 或 GB18030 编码的 CSV 文本（{reason}）"
UNKNOWN_FORMAT = "不支持的格式“{fmt}”，应为 csv、xlsx 或 json"
DUPLICATE_HEADER = "表头“{name}”出现了两次"


class TabularError(ValueError):
    """The file cannot be read: not a spreadsheet, a corrupt archive (line 0), or a bad header (its line)."""

    def __init__(self, message: str, *, line: int = 0, column: str = ""):
        super().__init__(message)
        self.line = line
        self.column = column


Source = str | os.PathLike | IO[bytes]


def read_rows(file: Source) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, {header: value}) for every non-empty data row of a CSV or XLSX file.

    `file` is a path or a binary file object. CSV values are strings (UTF-8 with or without BOM, or GB18030 as
    Chinese Excel saves it); XLSX values are what the cell holds (str, int, float, datetime, bool) or None.
    The first non-empty row is the header; columns with a blank header are ignored.
    """
    header: list[tuple[int, str]] = []
    for line, cells in read_cells(file, header):
        n = len(cells)
        yield line, {name: (cells[i] if i < n else None) for i, name in header}


def read_cells(file: Source, header: list[tuple[int, str]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """Like `read_rows`, without a dict per row: (line number, cells) for every non-empty data row.

    `header` is filled with (cell index, header) as soon as the header line has been read, before the first
    data row is yielded; a short row simply has fewer cells than the header."""
    with _binary(file) as stream:
        head = stream.read(4)
        stream.seek(0)
        rows = _xlsx_rows(stream) if head == _ZIP_MAGIC else _csv_rows(stream)
        yield from _data_rows(rows, header)


def estimate_rows(file: Source) -> int | None:
    """About how many data rows `file` holds (for a progress bar), or None when that is not cheap to know."""
    if not isinstance(file, str | os.PathLike):
        return None
    with open(file, "rb") as stream:
        if stream.read(4) == _ZIP_MAGIC:
            return _xlsx_dimension_rows(stream)
        stream.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(_SNIFF_CHUNK), b""))
    return max(lines - 1, 0)


def write_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, file: Source) -> None:
    """Write `header` and `rows` as CSV (UTF-8 with BOM, so that Excel opens it right), XLSX or JSON
    (a list of objects keyed by the header) to a path or a binary file object."""
    writers = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}
    if fmt not in writers:
        raise ValueError(UNKNOWN_FORMAT.format(fmt=fmt))
    if isinstance(file, str | os.PathLike):
        with open(file, "wb") as stream:
            writers[fmt](header, rows, stream)
    else:
        writers[fmt](header, rows, file)


# Reading


class _binary:
    """A seekable binary stream for a path or a file object; a non-seekable one is spooled to disk first."""

    def __init__(self, file: Source):
        self.file = file
        self.owned: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if isinstance(self.file, str | os.PathLike):
            self.owned = open(self.file, "rb")
            return self.owned
        if self.file.seekable():
            return self.file
        self.owned = tempfile.SpooledTemporaryFile(max_size=_SNIFF_CHUNK * 16)
        shutil.copyfileobj(self.file, self.owned)
        self.owned.seek(0)
        return self.owned

    def __exit__(self, *exc) -> None:
        if self.owned is not None:
            self.owned.close()


def _csv_encoding(stream: IO[bytes]) -> str:
    """utf-8-sig when the whole file decodes as UTF-8, else gb18030 (what Chinese Excel writes as "CSV").

    The whole file is checked, streaming, because an ASCII header tells nothing about the rows below it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: stream.read(_SNIFF_CHUNK), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        stream.seek(0)


def _csv_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    text = io.TextIOWrapper(stream, encoding=_csv_encoding(stream), newline="")
    try:
        yield from csv.reader(text)
    except (UnicodeDecodeError, csv.Error) as exc:  # neither UTF-8 nor GB18030, or not CSV at all
        raise TabularError(UNREADABLE_CSV.format(reason=exc)) from None
    finally:
        if not stream.closed:
            text.detach()  # leave the caller's stream open


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TabularError(UNREADABLE_XLSX.format(reason=exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        # Some writers store a wrong <dimension>; without it openpyxl reads to the real last row.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _xlsx_dimension_rows(stream: IO[bytes]) -> int | None:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    try:
        rows = workbook.worksheets[0].max_row
        return rows - 1 if rows else None
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _data_rows(rows: Iterable[Sequence[Any]], header: list[tuple[int, str]]) -> Iterator[tuple[int, Sequence[Any]]]:
    rows = iter(rows)
    for header_line, cells in enumerate(rows, start=1):
        if not all(_is_blank(cell) for cell in cells):
            header.extend(_header(header_line, cells))
            break
    else:
        return
    for line, cells in enumerate(rows, start=header_line + 1):
        # A CSV row is non-empty when one of its cells has a visible character: the usual row has one in its
        # first cell, so the whole check is rarely needed.
        if (cells and not _is_blank(cells[0])) or not all(_is_blank(cell) for cell in cells):
            yield line, cells


def _header(line: int, cells: Sequence[Any]) -> list[tuple[int, str]]:
    header = [(i, str(cell).strip().lstrip("\ufeff").strip()) for i, cell in enumerate(cells) if not _is_blank(cell)]
    seen = set()
    for _, name in header:
        if name in seen:
            raise TabularError(DUPLICATE_HEADER.format(name=name), line=line, column=name)
        seen.add(name)
    return header


# Writing


def _plain(value: Any) -> Any:
    """A value as JSON holds it: Decimals keep their exact digits as strings, dates are ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], stream: IO[bytes]) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    text.flush()
    text.detach()


def _write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], stream: IO[bytes]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))  # openpyxl writes a Decimal's exact digits into the sheet XML
    workbook.save(stream)


def _write_json(header: Sequence[str], rows: Iterable[Sequence[Any]], stream: IO[bytes]) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8")
    text.write("[")
    for n, row in enumerate(rows):
        text.write(",\n" if n else "\n")
        json.dump(dict(zip(header, (_plain(v) for v in row), strict=True)), text, ensure_ascii=False)
    text.write("\n]\n")
    text.flush()
    text.detach()
