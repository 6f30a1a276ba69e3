"""Settings read once per run of a batch job: kept for the run only, and only once their transaction committed."""

from __future__ import annotations

import pytest
from django.db import transaction

from advocacy.core.run_reads import forget_run_reads, read_once, reads_once_per_run

pytestmark = pytest.mark.django_db(transaction=True)


class Counter:
    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.reads


def test_within_a_run_a_read_is_made_once_and_the_next_run_reads_again():
    read = Counter()
    with reads_once_per_run():
        assert [read_once("rule", read) for _ in range(5)] == [1] * 5
    with reads_once_per_run():
        assert read_once("rule", read) == 2
    assert [read_once("rule", read) for _ in range(2)] == [3, 4], "outside a run every read is made"


def test_a_read_made_in_a_transaction_that_rolled_back_is_made_again():
    read = Counter()
    with reads_once_per_run():
        with pytest.raises(RuntimeError), transaction.atomic():
            assert read_once("policy", read) == 1
            assert read_once("policy", read) == 2, "not kept before its transaction commits"
            raise RuntimeError("rolled back")
        with transaction.atomic():
            assert read_once("policy", read) == 3
        assert read_once("policy", read) == 3, "kept once its transaction committed"


def test_after_a_failed_item_the_run_reads_everything_again():
    read = Counter()
    with reads_once_per_run():
        assert read_once("endpoints", read) == 1
        forget_run_reads()
        assert read_once("endpoints", read) == 2
