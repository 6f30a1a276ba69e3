"""Bulk work pauses Python's cycle collector for its batches and leaves it as it found it.

The collector is the process's, and a test process may still hold threads of earlier tests (a live
server finishing a request), so each check runs in a process of its own, as an import's would.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

from advocacy.core.collector import collector_between_batches


def in_own_process(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"from tests.core.test_collector import {name}; {name}()"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def paused_inside_and_restored_after_even_when_the_work_fails() -> None:
    try:
        with collector_between_batches():
            assert not gc.isenabled() and gc.get_freeze_count() > 0
            raise ValueError("a bad batch")
    except ValueError:
        pass
    assert gc.isenabled() and gc.get_freeze_count() == 0


def a_cycle_made_by_a_batch_is_collected_when_the_batch_ends() -> None:
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


def a_collector_someone_else_disabled_stays_disabled_after_nested_uses() -> None:
    gc.disable()
    with collector_between_batches(), collector_between_batches():
        pass
    assert not gc.isenabled()


def two_threads_share_one_pause_that_ends_with_the_last() -> None:
    first_in, second_out = threading.Event(), threading.Event()

    def second() -> None:
        first_in.wait()
        with collector_between_batches():
            pass
        second_out.set()

    thread = threading.Thread(target=second)
    thread.start()
    with collector_between_batches():
        first_in.set()
        second_out.wait()
        assert not gc.isenabled() and gc.get_freeze_count() > 0  # the other's end left this one's pause
    thread.join()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_collector_is_paused_inside_and_restored_after_even_when_the_work_fails() -> None:
    in_own_process("paused_inside_and_restored_after_even_when_the_work_fails")


def test_a_cycle_made_by_a_batch_is_collected_when_the_batch_ends() -> None:
    in_own_process("a_cycle_made_by_a_batch_is_collected_when_the_batch_ends")


def test_a_collector_someone_else_disabled_stays_disabled_after_nested_uses() -> None:
    in_own_process("a_collector_someone_else_disabled_stays_disabled_after_nested_uses")


def test_two_threads_share_one_pause_that_ends_with_the_last() -> None:
    in_own_process("two_threads_share_one_pause_that_ends_with_the_last")
