"""One page of any list under /api/v1/: ``?page=`` and ``?page_size=`` (at most 500), one query a page.

Out-of-range values get 422 with the bound, never a server error or a silent guess."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # past any real list; keeps OFFSET arithmetic far from the integer limits


class Page(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="1 for the first page")
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"rows a page, 1 to {MAX_PAGE_SIZE}")

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any) -> Any:
        # Callers choose the page size, within reason: a page is one query, never the whole table.
        self.page_size = pagination.page_size
        return super().paginate_queryset(queryset, pagination, request, **params)
