"""One page of any list under /api/v1/: ``?page=`` and ``?page_size=`` (at most 500), one query a page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import PageNumberPagination


class Page(PageNumberPagination):
    class Input(Schema):
        page: int = 1
        page_size: int = 50

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any) -> Any:
        # Callers choose the page size, within reason: a page is one query, never the whole table.
        pagination.page_size = max(1, min(pagination.page_size, 500))
        self.page_size = pagination.page_size
        return super().paginate_queryset(queryset, pagination, request, **params)
