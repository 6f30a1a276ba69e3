"""A one-click answer does the least that keeps the guarantee: the token's signature is checked without a
query, the answer is written by one statement, and the worker's follow-up run is woken with it (queued
unless a run is queued already). Two racing clicks are one answer, and a follow-up that runs twice opens
a detractor's case once."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advocacy.casework.models import Case
from advocacy.core.jobs.services import wake_up_lock
from advocacy.core.models import LimitCount, WakeUp
from advocacy.customers.models import Customer
from advocacy.feedback import links as feedback_links
from advocacy.feedback.answers.tasks import follow_up_answers, follow_ups_name, settle_answers
from advocacy.feedback.models import Invitation, Response
from advocacy.feedback.surveys import services as feedback
from tests.casework.helpers import berlin_office
from tests.feedback.helpers import consenting_customer, nps_survey, run_answer_follow_ups

pytestmark = pytest.mark.django_db(transaction=True)


def score_link(customer) -> str:  # type: ignore[no-untyped-def]
    opened = feedback.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave, customer=customer))
    return f"/survey/a/{token}/"


def at_once(*actions: Callable[[], object]) -> None:
    """Run the actions in threads of their own, each on its own database connection, released together.

    On SQLite they run one after the other: every write takes the database's write lock first (IMMEDIATE
    transactions), so that is the only order they can have there, and the in-memory test database
    refuses a second writer instead of making it wait."""
    if connection.vendor == "sqlite":
        for action in actions:
            action()
        return
    barrier = threading.Barrier(len(actions))
    failures: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            action()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


def queued_follow_ups() -> int:
    return DBTaskResult.objects.ready().filter(task_path=follow_up_answers.module_path).count()


# The click's read of its wake-up: on PostgreSQL a function that takes the wake-up's lock, then reads.
READ_WAKE_UP = "SELECT core_wakeup_queued" if connection.vendor == "postgresql" else "SELECT core_wakeup"
# On PostgreSQL a click first tries the one statement that stores it while its follow-up run is queued.
WHILE_QUEUED = "WITH woken AS MATERIALIZED"
TRIES_WHILE_QUEUED = [WHILE_QUEUED] if connection.vendor == "postgresql" else []


def statements(captured: CaptureQueriesContext) -> list[str]:
    """What each query did, by the table it wrote or read ("INSERT INTO x", "SELECT x"); the transaction's
    BEGIN and COMMIT (which SQLite's log shows and PostgreSQL's does not) left out."""
    shapes = []
    for query in captured.captured_queries:
        sql = query["sql"].replace('"', "")
        if sql.startswith("SELECT"):
            shapes.append("SELECT " + re.findall(r"\b(?:core|feedback|django)_\w+", sql)[0])
        elif sql.strip() not in {"BEGIN IMMEDIATE", "BEGIN", "COMMIT"}:
            shapes.append(sql.split("(")[0].strip())
    return shapes


def test_two_racing_clicks_and_a_follow_up_that_runs_twice_open_the_detractors_case_once(staff):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    statuses: list[int] = []

    at_once(
        lambda: statuses.append(Client().post(f"{link}2/").status_code),
        lambda: statuses.append(Client().post(f"{link}4/").status_code),
    )
    assert statuses == [302, 302], "both clicks are accepted"
    response = Response.objects.get()
    assert response.score in (2, 4)
    assert not Case.objects.exists(), "the clicks store the answer; the worker opens the case"
    assert queued_follow_ups() == 1, "the first click queued the follow-up run; the second found it queued"

    # The worker runs the follow-up twice at once (a retry, a second worker, the settle sweep) and
    # then whatever was queued.
    at_once(follow_up_answers.call, follow_up_answers.call)
    run_answer_follow_ups()

    case = Case.objects.get()
    assert (case.customer, case.origin, case.owner.username) == (customer, f"response:{response.pk}", "carol")
    response.refresh_from_db()
    assert (response.acted_score, response.settles_at) == (response.score, None), "settled: nothing left to do"


def test_a_click_is_one_statement_and_wakes_the_follow_up_run_once(staff, settings):
    settings.ANSWER_FOLLOW_UP_SHARES = 1  # one run for every answer (shares: the next test)
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    other = consenting_customer(email="other@example.com", primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    other_link = f"/survey/a/{feedback_links.invitation_token(Invitation.objects.get(customer=other))}/"
    counted = "INSERT INTO core_limitcount"  # every click counts against the per-address limit first

    with CaptureQueriesContext(connection) as first:
        assert Client().post(f"{link}3/").status_code == 302
    assert statements(first) == [
        counted,
        *TRIES_WHILE_QUEUED,  # no run queued: stores nothing, and the click takes the longer way
        "INSERT INTO feedback_response",
        READ_WAKE_UP,  # no run queued:
        "INSERT INTO core_wakeup",  # mark one queued
        "INSERT INTO django_tasks_database_dbtaskresult",  # and queue it
    ]

    with CaptureQueriesContext(connection) as second:  # another customer's click, before the run starts
        assert Client().post(f"{other_link}2/").status_code == 302
    if connection.vendor == "postgresql":  # a run is queued: the answer and the read are one statement
        assert statements(second) == [counted, WHILE_QUEUED]
    else:
        assert statements(second) == [counted, "INSERT INTO feedback_response", READ_WAKE_UP]
    assert queued_follow_ups() == 1

    assert run_answer_follow_ups() == 1
    assert sorted(Case.objects.values_list("customer__email", flat=True)) == [customer.email, "other@example.com"]
    with CaptureQueriesContext(connection) as change:  # a change waits for the settle window: no task
        assert Client().post(f"{link}9/").status_code == 302
    # The upsert, here an update (after the run, none is queued: on PostgreSQL the one statement stored nothing).
    assert statements(change) == [counted, *TRIES_WHILE_QUEUED, "INSERT INTO feedback_response"]

    with CaptureQueriesContext(connection) as forged:  # a bad signature is counted, then refused unread
        assert Client().post(f"{link[:-4]}abc/9/").status_code == 400
    assert statements(forged) == [counted]
    assert LimitCount.objects.get().count == 4, "every click was counted, the forged one too"


def test_a_click_that_stores_nothing_says_why(staff):
    customer = consenting_customer()
    link = score_link(customer)
    token = link.split("/")[3]

    off_scale = Client().post(f"{link}11/")
    Invitation.objects.filter(customer=customer).update(sent_at=None, created_at="2020-01-01T00:00:00Z")
    expired = Client().post(f"{link}9/")
    Invitation.objects.all().delete()
    gone = Client().post(f"/survey/a/{token}/9/")

    assert [r.status_code for r in (expired, off_scale, gone)] == [400, 400, 400]
    assert "the score must be between 0 and 10" in off_scale.text
    assert "This survey has closed" in expired.text
    assert "This survey is no longer available" in gone.text
    assert not Response.objects.exists() and queued_follow_ups() == 0


def test_a_lost_follow_up_is_redone_by_the_settle_sweep(staff):
    from datetime import timedelta

    from django.utils import timezone

    from advocacy.feedback.answers.services import answers_settle

    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    assert Client().post(f"{score_link(customer)}1/").status_code == 302
    DBTaskResult.objects.filter(task_path=follow_up_answers.module_path).delete()  # the worker died with it

    assert answers_settle(now=timezone.now() + timedelta(minutes=5)) == 1

    assert Case.objects.get().customer == customer
    assert answers_settle(now=timezone.now() + timedelta(minutes=10)) == 0, "settled: not redone again"


def test_answers_are_shared_out_between_runs_that_workers_can_take_side_by_side(staff, settings):
    settings.ANSWER_FOLLOW_UP_SHARES = 2
    berlin_office()
    customers = [consenting_customer(primary_advocate=staff["customer_advocate"]) for _ in range(4)]
    for invitation in invitations(*customers).values():
        token = feedback_links.invitation_token(invitation)
        assert Client().post(f"/survey/a/{token}/1/").status_code == 302
    ids = sorted(Response.objects.values_list("pk", flat=True))
    queued = DBTaskResult.objects.ready().filter(task_path=follow_up_answers.module_path)
    assert sorted(tuple(row.args_kwargs["args"]) for row in queued) == [(0, 2), (1, 2)], "a run a share"

    follow_up_answers.call(1, 2)  # one worker takes the odd answers

    opened = sorted(int(origin.split(":")[1]) for origin in Case.objects.values_list("origin", flat=True))
    assert opened == [pk for pk in ids if Response.objects.get(pk=pk).invitation_id % 2 == 1]
    assert 0 < len(opened) < 4, "one share, not every answer"
    follow_up_answers.call(0, 2)  # another the even ones
    assert Case.objects.count() == 4


def test_a_lost_follow_up_run_holds_back_no_later_click(staff):
    berlin_office()
    first, second = (consenting_customer(primary_advocate=staff["customer_advocate"]) for _ in range(2))
    links = {c: f"/survey/a/{feedback_links.invitation_token(i)}/" for c, i in invitations(first, second).items()}
    assert Client().post(f"{links[first]}1/").status_code == 302
    DBTaskResult.objects.filter(task_path=follow_up_answers.module_path).delete()  # lost with its worker
    assert WakeUp.objects.get().queued_at is not None, "the wake-up still says a run is queued"

    settle_answers.func()  # the minute's sweep follows the answer up and clears the wake-up

    assert Case.objects.get().customer == first
    assert Client().post(f"{links[second]}1/").status_code == 302
    assert queued_follow_ups() == 1, "the next click queues a run again"
    run_answer_follow_ups()
    assert Case.objects.filter(customer=second).exists()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite runs one writer at a time: no click is in flight")
def test_a_follow_up_run_waits_for_a_click_that_found_it_queued(staff, settings):
    """The run clears its wake-up and then reads the due answers; a click that read "queued" just before
    and commits just after must not fall between the two, or it would wait for the minute's sweep."""
    from advocacy.feedback.answers.services import answer_record

    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    token = feedback_links.invitation_token(invitations(customer)[customer])
    settings.ANSWER_FOLLOW_UP_SHARES = 1
    WakeUp.objects.create(name=follow_ups_name(0, 1), queued_at=timezone.now())  # queued, not yet started
    clicked, commit = threading.Event(), threading.Event()

    def click() -> None:
        with transaction.atomic():
            answer_record(token=token, score=0)  # finds the run queued: queues nothing
            clicked.set()
            commit.wait(timeout=10)

    def run() -> None:
        follow_up_answers.call()

    second_waits_for_first(click, clicked, run, commit)  # the run waits while the click is in flight

    assert Case.objects.get().customer == customer, "the run saw the click once it committed"
    assert queued_follow_ups() == 0


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite runs one writer at a time: no click is in flight")
def test_a_click_that_waited_for_a_runs_clear_queues_the_next_run(staff, settings):
    """The other order: the run clears its wake-up (holding the lock) while a click comes in. The click waits
    for the clear's commit; it must then find no run queued and queue one, since the run may already have
    read the due answers without it. (Read in the lock's own statement, the row came from before the
    clear: the click queued nothing and its answer waited for the minute's settle sweep.)"""
    from advocacy.feedback.answers.services import answer_record

    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    token = feedback_links.invitation_token(invitations(customer)[customer])
    settings.ANSWER_FOLLOW_UP_SHARES = 1
    name = follow_ups_name(0, 1)
    WakeUp.objects.create(name=name, queued_at=timezone.now())  # a run queued, about to start
    cleared, commit = threading.Event(), threading.Event()

    def run_clears() -> None:  # what wake_up_taken does, held open before its commit
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [wake_up_lock(name)])
            WakeUp.objects.filter(name=name).update(queued_at=None)
            cleared.set()
            commit.wait(timeout=10)

    def click() -> None:
        answer_record(token=token, score=0)

    second_waits_for_first(run_clears, cleared, click, commit)  # the click waits for the clear's commit

    assert WakeUp.objects.get(name=name).queued_at is not None, "the click queued the next run"
    assert queued_follow_ups() == 1
    run_answer_follow_ups()
    assert Case.objects.get().customer == customer


def second_waits_for_first(
    first: Callable[[], None], holding: threading.Event, second: Callable[[], None], release: threading.Event
) -> None:
    """Start ``first``, each on a connection of its own, and once it holds on (``holding``) start ``second``;
    check that ``second`` waits for ``first``, then let ``first`` commit (``release``) and wait for both."""
    held = threading.Thread(target=in_own_connection(first))
    held.start()
    assert holding.wait(timeout=10)
    waiting = threading.Thread(target=in_own_connection(second))
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive(), "the second waits while the first holds on"
    release.set()
    held.join(timeout=10)
    waiting.join(timeout=10)
    assert not held.is_alive() and not waiting.is_alive(), "both finished once the first let go"


def invitations(*customers: Customer) -> dict[Customer, Invitation]:
    opened = feedback.wave_open(survey=nps_survey())
    return {i.customer: i for i in Invitation.objects.filter(wave=opened.wave, customer__in=customers)}


def in_own_connection(action: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            action()
        finally:
            connection.close()

    return run


def prepared_statements() -> list[str]:
    """The statements PostgreSQL holds parsed and planned for this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def three_clicks(staff) -> None:  # type: ignore[no-untyped-def]
    berlin_office()
    customers = [
        consenting_customer(email=f"c{n}@example.com", primary_advocate=staff["customer_advocate"]) for n in range(3)
    ]
    feedback.wave_open(survey=nps_survey())
    for customer in customers:
        token = feedback_links.invitation_token(Invitation.objects.get(customer=customer))
        assert Client().post(f"/survey/a/{token}/3/").status_code == 302


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's driver keeps compiled statements itself")
def test_postgresql_plans_a_clicks_statements_once_per_connection(staff):
    connection.close()  # a fresh connection: nothing prepared yet
    three_clicks(staff)

    held = prepared_statements()
    for statement in ("INSERT INTO core_limitcount", "INSERT INTO feedback_response", "core_wakeup_queued"):
        assert [s for s in held if statement in s], f"{statement} is planned at every click"
    assert Response.objects.filter(score=3).count() == 3


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's driver keeps compiled statements itself")
def test_prepared_statements_can_be_turned_off_for_a_pooler_that_cannot_hold_them(staff, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    connection.close()
    three_clicks(staff)

    assert prepared_statements() == []
    assert Response.objects.filter(score=3).count() == 3
