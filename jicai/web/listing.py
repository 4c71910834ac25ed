"""Long tables on a page: sorted on the server, paginated, exported — one `Table` (jicai.web.dashboard) feeds all three.

Sorting happens before pagination, so page 2 of a table sorted by completion continues page 1; the sort parameter
stays in the page links and a new sort starts again at page 1. Exports get the same query string, so they honour
the filters and the sort shown.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpResponse

from jicai.core.downloads import table_download

PAGE_SIZE = 50


def page_of(request, items, param: str = "page", anchor: str = "", size: int = PAGE_SIZE) -> Page:
    """One page of `items` (a queryset or a list), with links to its neighbours that keep every other parameter
    (filters, sort, the other lists' page numbers)."""
    page = Paginator(items, size).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def _sort_key(value):
    # None and "" last whatever the direction would put first is not worth the complexity: they sort as lowest.
    return (value is not None and value != "", value if value is not None else "")


def sort_table(table, sort: str) -> str:
    """Sort `table.rows` in place by `sort` ("key" ascending, "-key" descending) when key is one of its columns;
    returns the sort applied ("" when none: the table keeps its own order)."""
    key = sort.removeprefix("-")
    if key not in {k for k, _label, _kind in table.columns}:
        return ""
    table.rows.sort(key=lambda row: _sort_key(row[key]), reverse=sort.startswith("-"))
    return sort


def headers(request, table, *, sort: str, param: str = "sort", page_param: str = "page", anchor: str = "") -> list:
    """Header cells (label, kind, url, aria-sort) whose links sort the whole table on the server: a first click
    sorts ascending (numbers descending, the more useful way round), a second reverses; the page goes back to 1."""
    cells = []
    for key, label, kind in table.columns:
        numeric = kind not in ("text", "date")
        first, second = (f"-{key}", key) if numeric else (key, f"-{key}")
        target = second if sort == first else first
        query = request.GET.copy()
        query[param] = target
        query.pop(page_param, None)
        aria = ""
        if sort.removeprefix("-") == key:
            aria = "descending" if sort.startswith("-") else "ascending"
        cells.append((label, kind, f"?{query.urlencode()}" + (f"#{anchor}" if anchor else ""), aria))
    return cells


def export_response(table, fmt: str, name: str) -> HttpResponse:
    """`table` as a download (CSV or XLSX) named `name`.fmt."""
    return table_download(table.header, table.values(), fmt, name)
