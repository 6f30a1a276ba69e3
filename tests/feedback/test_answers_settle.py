"""Answers come only from people: a visit to a score link records nothing, and a changed answer updates or
withdraws the follow-up its earlier score caused, once it has stood unchanged for the settle window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from advocacy.advocates.models import HubInvitation
from advocacy.casework.models import Case
from advocacy.core.models import AuditEvent
from advocacy.feedback import links as feedback_links
from advocacy.feedback.answers.services import answers_settle
from advocacy.feedback.models import Invitation, Response
from advocacy.feedback.surveys import services as feedback
from advocacy.outreach.models import ContactAsk, FatiguePolicy, OutboundMail
from advocacy.schedule import PERIODIC_TASKS
from tests.casework.helpers import berlin_office
from tests.feedback.helpers import consenting_customer, nps_survey, run_answer_follow_ups

pytestmark = pytest.mark.django_db(transaction=True)


def score_link(customer) -> str:  # type: ignore[no-untyped-def]
    opened = feedback.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave, customer=customer))
    return f"/survey/a/{token}/"


def after_the_window(settings) -> object:  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(seconds=settings.ANSWER_SETTLE_SECONDS + 1)


def notes(case: Case) -> list[str]:
    return list(case.events.filter(kind="note").order_by("at", "id").values_list("body", flat=True))


def test_opening_a_score_link_shows_one_button_and_records_nothing(staff):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)

    for score in range(11):
        page = Client().get(f"{link}{score}/")
        assert page.status_code == 200
        assert f"Your score: {score}" in page.text
        assert page.text.count('type="submit"') == 1 and "Record my score" in page.text
        assert ".submit()" not in page.text and "<script>" not in page.text, "the page never submits itself"
    assert Client().head(f"{link}3/").status_code == 405

    assert (Response.objects.count(), Case.objects.count(), HubInvitation.objects.count()) == (0, 0, 0)


def test_a_detractor_who_changes_to_a_promoter_has_the_case_withdrawn_and_is_invited_after_the_window(staff, settings):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)

    Client().post(f"{link}3/")  # confirmed: settled at once, the worker opens the case
    assert not Case.objects.exists(), "the click only stores the answer and queues its follow-up"
    assert run_answer_follow_ups() == 1
    case = Case.objects.get()
    assert case.subject == "Following up on your feedback"  # no comment yet: a title the customer can read

    Client().post(f"{link}9/")  # a change waits for the window
    response = Response.objects.get()
    assert (response.score, response.acted_score) == (9, 3)
    assert answers_settle() == 0
    assert notes(case) == [] and not HubInvitation.objects.exists()

    assert answers_settle(now=after_the_window(settings)) == 1
    assert notes(case) == [
        "The customer changed their survey answer from NPS 3 → 9: the follow-up this case was opened for is "
        "withdrawn. Check with the customer if a word is owed, then close the case."
    ]
    assert HubInvitation.objects.get(customer=customer).reason == "promoter answer: NPS 9"
    response.refresh_from_db()
    assert (response.acted_score, response.settles_at) == (9, None)

    # Run again (or by a second worker): nothing more happens.
    assert answers_settle(now=after_the_window(settings)) == 0
    from advocacy import loop

    loop.response_recorded(response.pk)
    assert len(notes(case)) == 1 and HubInvitation.objects.count() == 1
    assert AuditEvent.objects.filter(verb="case.feedback_withdrawn").count() == 1


def test_quick_changes_within_the_window_act_once_on_the_last_score(staff, settings):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    Client().post(f"{link}8/")
    for score in (2, 10, 4, 7):
        Client().post(f"{link}{score}/")

    answers_settle(now=after_the_window(settings))
    assert (Case.objects.count(), HubInvitation.objects.count()) == (0, 0)
    assert Response.objects.get().acted_score == 7

    # Changing back to the score the loop acted on leaves nothing waiting.
    Client().post(f"{link}3/")
    Client().post(f"{link}7/")
    assert Response.objects.get().settles_at is None


def test_a_held_invitation_of_a_promoter_who_changes_to_a_detractor_is_withdrawn(staff, settings):
    berlin_office()
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    Client().post(f"{link}10/")
    run_answer_follow_ups()
    assert HubInvitation.objects.get().status == "held"

    Client().post(f"{link}2/")
    answers_settle(now=after_the_window(settings))

    assert not HubInvitation.objects.exists()
    assert AuditEvent.objects.get(verb="hub.invitation_withdrawn").data["was"] == "held"
    assert Case.objects.get().subject == "Following up on your feedback"


def test_an_invitation_whose_mail_has_not_left_is_cancelled_with_its_mail_and_its_ask(staff, settings):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    Client().post(f"{link}10/")
    run_answer_follow_ups()
    invitation = HubInvitation.objects.get()
    assert OutboundMail.objects.filter(key=f"hub-invitation:{invitation.pk}", status="queued").exists()

    Client().post(f"{link}2/")
    answers_settle(now=after_the_window(settings))

    assert not HubInvitation.objects.exists()
    assert not OutboundMail.objects.filter(key=f"hub-invitation:{invitation.pk}").exists()
    assert list(ContactAsk.objects.filter(customer=customer).values_list("kind", flat=True)) == ["survey"]
    assert Case.objects.count() == 1


def test_an_invitation_already_mailed_stays_and_the_audit_log_says_so(staff, settings, smtp):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    Client().post(f"{link}10/")
    call_command("worker", "--batch")  # the follow-up invites; the invitation mail leaves
    assert any("advocate hub" in m["Subject"] for m in smtp.wait_for(2))

    Client().post(f"{link}2/")
    answers_settle(now=after_the_window(settings))

    assert HubInvitation.objects.get().status == "sent"
    kept = AuditEvent.objects.get(verb="hub.invitation_kept")
    assert kept.data["why"] == "the customer changed their answer from NPS 10 to 2"
    assert Case.objects.count() == 1


def test_a_withdrawn_case_follow_up_stands_again_when_the_answer_changes_back(staff, settings):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    link = score_link(customer)
    Client().post(f"{link}1/")
    run_answer_follow_ups()
    Client().post(f"{link}8/")
    answers_settle(now=after_the_window(settings))
    Client().post(f"{link}1/")
    answers_settle(now=after_the_window(settings) + timedelta(seconds=settings.ANSWER_SETTLE_SECONDS))

    case = Case.objects.get()
    assert [n.split(":")[0].split(";")[0] for n in notes(case)] == [
        "The customer changed their survey answer from NPS 1 → 8",
        "The customer changed their survey answer from NPS 8 → 1",
    ]
    assert notes(case)[1].endswith("the follow-up stands.")


def test_the_scheduler_settles_changed_answers_every_minute():
    settle = next(p for p in PERIODIC_TASKS if p.name.startswith("settle changed answers"))
    assert settle.every_minutes == 1


def test_a_follow_up_run_reads_the_loops_settings_once_and_a_switch_applies_from_the_next_run(staff, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advocacy import loop

    settings.ANSWER_FOLLOW_UP_SHARES = 1  # one run follows up every answer
    berlin_office()
    customers = [consenting_customer(primary_advocate=staff["customer_advocate"]) for _ in range(8)]
    links = dict(zip([c.pk for c in customers], [score_link(c) for c in customers], strict=True))
    for n, customer in enumerate(customers):  # four detractors, four promoters
        assert Client().post(f"{links[customer.pk]}{2 if n % 2 else 10}/").status_code == 302

    with CaptureQueriesContext(connection) as run:
        assert run_answer_follow_ups() == 1
    assert Case.objects.count() == 4 and HubInvitation.objects.count() == 4
    reads_of = [q["sql"] for q in run.captured_queries if q["sql"].startswith("SELECT")]
    settings_tables = ("core_looprule", "casework_casesettings", "feedback_fatiguepolicy", "advocates_holdoutsettings")
    for table in (*settings_tables, "outreach_webhookendpoint", "casework_holiday"):
        reads = [sql for sql in reads_of if f'FROM "{table}"' in sql]
        assert len(reads) <= 2, f"{table} read {len(reads)} times in one run of 8 answers"

    loop.rule_switch(rule=loop.DETRACTOR_OPENS_CASE, on=False, by=staff["program_manager"])
    late = consenting_customer(primary_advocate=staff["customer_advocate"])
    assert Client().post(f"{score_link(late)}1/").status_code == 302
    run_answer_follow_ups()
    assert not Case.objects.filter(customer=late).exists(), "the switch applies to the next run"
    assert Response.objects.get(customer=late).acted_score == 1
