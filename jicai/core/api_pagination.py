"""Pagination of every API list (its own module: DRF reads it from the settings while loading its views)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

BAD_PAGE = _("页码应为正整数")


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (50 by default, at most 500); the answer has count, next, previous and results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request, paginator):
        # A malformed page number is the caller's mistake (400), not a missing page (404).
        number = request.query_params.get(self.page_query_param) or 1
        if number != "last" and not str(number).isdigit():
            raise ValidationError({"page": [str(BAD_PAGE)]})
        return number
