"""Bulk work in batches (an import's rows, a review export's reviews): each batch is written in one
transaction, so a batch's size is how much one commit holds (``IMPORT_BATCH_SIZE`` unless given)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")


def batched(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), read lazily: one batch in memory at a time."""
    size = max(1, size or settings.IMPORT_BATCH_SIZE)
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
