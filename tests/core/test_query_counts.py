"""Hot pages read a fixed number of queries whatever the number of rows: a change that adds a query per
row (an N+1) makes one of these fail. Each page is read with a few rows, then with many more; the count
of queries must not grow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.ledger import points_add
from advocacy.casework.cases import services as cases
from advocacy.core.models import User
from tests.advocates.hub_data import advocate, challenge, reward
from tests.advocates.program_data import portal_client
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def assert_flat(client: Client, url: str, grow: Callable[[], None]) -> None:
    before = queries_for(client, url)
    grow()
    after = queries_for(client, url)
    assert after == before, f"{url}: {before} queries with few rows, {after} with more (a query per row?)"


def open_cases(owner: User, n: int) -> list[int]:
    opened = []
    for i in range(n):
        case = cases.case_open(
            customer=CustomerFactory(primary_advocate=owner), by=owner, subject=f"Case {i}", description="text"
        )
        cases.case_post_update(case=case, body=f"Update {i}", by=owner)
        opened.append(case.pk)
    return opened


def test_the_case_queue_reads_the_same_queries_for_3_or_15_cases(client_as, carol):
    open_cases(carol, 3)
    assert_flat(client_as("customer_advocate"), "/cases/?scope=all", lambda: open_cases(carol, 12))


def test_the_case_page_reads_the_same_queries_however_long_its_timeline(client_as, carol):
    (case_id,) = open_cases(carol, 1)
    case = cases.Case.objects.get(pk=case_id)

    def more_history() -> None:
        for i in range(10):
            cases.case_post_update(case=case, body=f"More {i}", by=carol)
            cases.case_add_note(case=case, body=f"Note {i}", by=carol)

    assert_flat(client_as("customer_advocate"), f"/cases/{case_id}/", more_history)


def test_the_hub_reads_the_same_queries_for_2_or_10_challenges_and_leaders(alice):
    member = advocate()
    challenge(alice)
    reward(alice)
    client = portal_client(member.customer)

    def more() -> None:
        for i in range(8):
            challenge(alice, title=f"Challenge {i}")
            reward(alice, name=f"Reward {i}")
            other = advocate()
            points_add(advocate=other, delta=10 + i, reason="test", ref=f"test:{i}")

    assert_flat(client, "/portal/hub/", more)


def test_the_program_page_reads_the_same_queries_for_few_or_many_members(client_as, alice):
    advocate()

    def more() -> None:
        for i in range(10):
            member = advocate()
            points_add(advocate=member, delta=5, reason="test", ref=f"program:{i}")
            hub.hub_invite(customer=CustomerFactory(), reason="top score")

    assert_flat(client_as("program_manager"), "/advocates/program/", more)


def test_a_paginated_api_list_reads_the_same_queries_for_a_page_of_5_or_50(api):
    client = api("analyst")
    for _ in range(5):
        OrderFactory(customer=CustomerFactory(), ordered_on=timezone.localdate() - dt.timedelta(days=3))

    def more() -> None:
        for _ in range(45):
            OrderFactory(customer=CustomerFactory())

    # The key is looked up and marked used on the first call; count from the second.
    client.get("/api/v1/customers?page_size=50")
    assert_flat(client, "/api/v1/customers?page_size=50", more)
