"""Python's cycle collector, paused while a batch of bulk work runs.

Bulk work (an import's batches) makes a few dozen tracked objects a row (cells, cleaned values,
the rows it plans), so the collector runs every few rows, and every so often a full
collection walks all the objects the process holds (Django, the libraries, the warmed-up templates:
about a million), none of which the batch made. Measured on 500,000 imported customers, the collector
took 28 % of the import (docs/benchmarks.md, P1).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# The collector is the process's, and imports may run in several threads of one process (a web
# server's threads): the first use pauses it, the last one out restores it as the first found it.
_lock = threading.Lock()
_users = 0
_was_enabled = False


@contextmanager
def collector_between_batches() -> Iterator[Callable[[], object]]:
    """Pause automatic collection; the caller collects the young generations after each batch.

    The objects that exist when the work starts are frozen (left out of collections until it ends),
    and collecting the young generations after each batch keeps memory bounded by a batch. Nested or
    concurrent uses share one pause, which ends with the last of them.
    """
    global _users, _was_enabled
    with _lock:
        if _users == 0:
            _was_enabled = gc.isenabled()
            gc.freeze()
            gc.disable()
        _users += 1
    try:
        yield lambda: gc.collect(1)
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                gc.unfreeze()
                if _was_enabled:
                    gc.enable()
