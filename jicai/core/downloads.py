"""Files handed to the browser: one response shape for every export (content type, a Chinese file name)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from urllib.parse import quote

from django.http import Http404, HttpResponse

from jicai.core.tabular import write_rows

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
TABLE_FORMATS = ("xlsx", "csv")


def attachment(write: Callable[[io.BytesIO], object], filename: str) -> HttpResponse:
    """A download of what `write(buffer)` writes, named `filename` (its extension gives the content type).
    The name is percent-encoded (RFC 6266 `filename*`), so Chinese names survive every browser."""
    buffer = io.BytesIO()
    write(buffer)
    content_type = CONTENT_TYPES[filename.rsplit(".", 1)[-1]]
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def table_download(header: list, rows: Iterable, fmt: str, name: str) -> HttpResponse:
    """Rows under a header as `name`.xlsx or `name`.csv; any other format is not a page (404)."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    return attachment(lambda buffer: write_rows(header, rows, fmt, buffer), f"{name}.{fmt}")
