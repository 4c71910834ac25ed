"""Pages computed once per data version and then served from the cache (`jicai.core.data_version`): the region
dashboard and an institution's home page take from a fraction of a second to seconds at province scale, and are
opened many times between two imports.

What is cached is the page's content (the `content` block), never the frame around it: the frame holds the session's
CSRF token, the messages and the language switch. The key names the user (whose scope the content was computed in),
the language, the day (pages default to today) and the full query (filters, sort, page numbers).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from jicai.core import data_version


def cached_page(request, name: str, template: str, title, compute: Callable[[], dict]):
    """`template` (a content fragment) rendered with `compute()`, or its copy from the cache, in the site's frame."""
    key = data_version.key(
        name, request.user.pk, translation.get_language(), timezone.localdate(), request.get_full_path()
    )
    content = cache.get(key)
    if content is None:
        content = render_to_string(template, compute(), request)
        cache.set(key, content, data_version.TIMEOUT)
    return render(request, "web/page.html", {"title": title, "content": mark_safe(content)})
