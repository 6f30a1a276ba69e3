"""Bulk work pauses Python's cycle collector for its batches and leaves it as it found it."""

from __future__ import annotations

import gc

from advocacy.core.collector import collector_between_batches


def test_the_collector_is_paused_inside_and_restored_after_even_when_the_work_fails():
    try:
        with collector_between_batches():
            assert not gc.isenabled() and gc.get_freeze_count() > 0
            raise ValueError("a bad batch")
    except ValueError:
        pass
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_cycle_made_by_a_batch_is_collected_when_the_batch_ends():
    class Node:
        pass

    with collector_between_batches() as collect:
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        gc.collect(0)  # a young collection moves it on; the batch's own collection still finds it
        del node
        assert any(type(o) is Node for o in gc.get_objects())
        collect()
        assert not any(type(o) is Node for o in gc.get_objects())


def test_a_collector_someone_else_disabled_stays_disabled_after_nested_uses():
    gc.disable()
    try:
        with collector_between_batches(), collector_between_batches():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
