"""The demo company's casework: a queue to work, one owner per case, and the loop's cases, each once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from advocacy import loop
from advocacy.casework.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    EventKind,
    HuddleTask,
    Prevention,
    Problem,
    Recommendation,
    Status,
    TaskStatus,
)
from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.demo.casework import latest_unhappy_answers
from advocacy.demo.generator import generate_company, wipe_company

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 30)
FAR = datetime.max.replace(tzinfo=None)


def generate(tmp_path: Path, seed: int = 7) -> None:
    generate_company(customers=300, seed=seed, today=TODAY, manifest_path=tmp_path / "manifest.json")


def owners_over_time(case: Case) -> list[int]:
    """The owner at opening, then each transfer's new owner, in order."""
    opened = case.events.get(kind=EventKind.CREATED)
    chain = [opened.data["owner"]]
    for transfer in case.transfers.order_by("at", "pk"):
        assert transfer.from_owner_id == chain[-1], f"case {case.pk} was handed on by someone who did not own it"
        chain.append(transfer.to_owner_id)
    return chain


def test_the_demo_advocates_queue_lists_their_open_cases_by_what_is_due_first(tmp_path: Path) -> None:
    generate(tmp_path)
    advocate = User.objects.get(username="advocate")
    client = Client()
    client.force_login(advocate)

    response = client.get(reverse("casework:queue"))

    assert response.status_code == 200
    shown = list(response.context["cases"])
    assert len(shown) >= 3
    assert {c.owner_id for c in shown} == {advocate.pk}
    assert all(c.status in OPEN_STATUSES for c in shown)
    due_order = [(c.next_due is None, c.next_due.replace(tzinfo=None) if c.next_due else FAR, c.pk) for c in shown]
    assert due_order == sorted(due_order)
    assert shown[0].subject in response.content.decode()


def test_every_demo_case_had_exactly_one_customer_advocate_as_owner_at_every_moment(tmp_path: Path) -> None:
    generate(tmp_path)
    advocates = set(User.objects.filter(role=Role.CUSTOMER_ADVOCATE).values_list("pk", flat=True))
    cases = list(Case.objects.prefetch_related("transfers"))
    assert len(cases) >= 30
    for case in cases:
        chain = owners_over_time(case)
        assert chain[-1] == case.owner_id
        assert set(chain) <= advocates
    assert any(len(owners_over_time(c)) > 1 for c in cases), "some cases changed hands"


def test_the_demo_casework_shows_every_step_of_the_work(tmp_path: Path) -> None:
    generate(tmp_path)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.RESOLVED, Status.CLOSED} <= statuses
    assert statuses & {Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_DEPARTMENT}
    assert CaseEvent.objects.filter(kind=EventKind.UPDATE, visible_to_customer=True).exists()
    assert CaseEvent.objects.filter(kind=EventKind.NOTE, visible_to_customer=False).exists()
    assert HuddleTask.objects.filter(status=TaskStatus.DONE).exists()
    assert Prevention.objects.filter(case__status__in=[Status.RESOLVED, Status.CLOSED]).exists()
    assert any(p.cases.count() > 1 for p in Problem.objects.all()), "a problem groups cases with one root cause"
    assert Recommendation.objects.filter(competitor=True).exists()
    assert Recommendation.objects.filter(cheaper_than_current=True, competitor=False).exists()
    heads = set(User.objects.filter(role=Role.DEPARTMENT_HEAD).values_list("username", flat=True))
    assert set(HuddleTask.objects.values_list("assignee__username", flat=True)) <= heads


def test_a_detractor_answer_in_the_demo_opens_an_owned_case_once(tmp_path: Path) -> None:
    generate(tmp_path)
    answers = latest_unhappy_answers()
    assert answers, "the latest survey wave has unhappy answers"
    for response_id, customer_id, _ in answers:
        opened = list(Case.objects.filter(origin=f"response:{response_id}"))
        joined = list(CaseEvent.objects.filter(kind=EventKind.NOTE, data__response=response_id))
        assert len(opened) + len(joined) == 1, f"answer {response_id} was followed up once"
        case = opened[0] if opened else joined[0].case
        assert case.customer_id == customer_id
        if opened:
            assert case.events.get(kind=EventKind.CREATED).data["owner"] == case.customer.primary_advocate_id
    assert Case.objects.filter(origin__startswith="response:", subject__startswith="Your feedback").exists(), (
        "a detractor's case"
    )

    cases, notes = Case.objects.count(), CaseEvent.objects.filter(kind=EventKind.NOTE).count()
    for response_id, _, _ in answers:
        loop.response_recorded(response_id)
    assert (Case.objects.count(), CaseEvent.objects.filter(kind=EventKind.NOTE).count()) == (cases, notes)


def test_the_same_seed_gives_the_same_cases(tmp_path: Path) -> None:
    def cases() -> list[tuple[object, ...]]:
        return list(
            Case.objects.order_by("created_at", "subject").values_list(
                "customer__external_id", "subject", "status", "priority", "created_at", "owner__username"
            )
        )

    generate(tmp_path)
    first = cases()
    wipe_company()
    generate(tmp_path)
    assert cases() == first
