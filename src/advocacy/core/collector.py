"""Python's cycle collector, paused while a batch of bulk work runs.

Bulk work (an import's batches) makes a few dozen tracked objects a row (cells, cleaned values,
the rows it plans), so the collector runs every few rows, and every so often a full
collection walks all the objects the process holds (Django, the libraries, the warmed-up templates:
about a million), none of which the batch made. Measured on 500,000 imported customers, the collector
took 28 % of the import (docs/benchmarks.md, P1).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def collector_between_batches() -> Iterator[Callable[[], object]]:
    """Pause automatic collection; the caller collects the young generations after each batch.

    The objects that exist when the work starts are frozen (left out of collections until it ends),
    and collecting the young generations after each batch keeps memory bounded by a batch. Nested or
    concurrent uses (threads) are safe: one that found the collector enabled enables it again, so at
    worst another's batch is collected sooner than it would be.
    """
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield lambda: gc.collect(1)
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()
