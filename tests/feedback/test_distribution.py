"""A wave goes out by email through a real SMTP server; customers answer with one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from advocacy.customers.models import Consent
from advocacy.feedback import links as feedback_links
from advocacy.feedback.models import Invitation, Response
from advocacy.feedback.surveys import services
from advocacy.outreach.models import ContactAsk
from tests.factories import CustomerFactory
from tests.feedback.helpers import consenting_customer, nps_survey

SCORE_LINK = re.compile(r"(?m)^(\d+): (http://\S+?)\s*$")


def links_in(smtp, message) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {
        int(score): url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])
        for score, url in SCORE_LINK.findall(smtp.body(message))
    }


@pytest.mark.django_db(transaction=True)
def test_a_recurring_wave_is_answered_from_the_received_mail(smtp):
    ada = consenting_customer(email="ada@example.com", first_name="Ada")
    survey = nps_survey()
    opened = services.wave_open(survey=survey)
    assert (opened.queued, opened.held) == (1, 0)
    assert smtp.messages == [], "sending happens in the worker, not in the request"

    call_command("worker", "--batch")

    mail = smtp.wait_for(1)[0]
    assert mail["To"] == "ada@example.com"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Hello Ada" in smtp.body(mail)
    links = links_in(smtp, mail)
    assert sorted(links) == list(range(11))

    client = Client()
    landing = client.get(links[9])
    assert landing.status_code == 200 and "Record my score" in landing.text
    assert Response.objects.count() == 0, "a GET (a mail scanner) records nothing"

    recorded = client.post(links[9])
    assert recorded.status_code == 302
    response = Response.objects.get()
    assert (response.customer, response.score, response.wave, response.channel) == (ada, 9, opened.wave, "email")

    page = client.post(recorded["Location"], {"comment": "Support was quick and friendly"})
    assert "Thank you" in page.text
    response.refresh_from_db()
    assert response.comment == "Support was quick and friendly"
    assert response.sentiment is not None and response.sentiment > 0.5

    client.post(links[6])
    assert Response.objects.count() == 1, "a second click never makes a second response"
    response.refresh_from_db()
    assert response.score == 6 and response.comment == "Support was quick and friendly"


@pytest.mark.django_db(transaction=True)
def test_running_the_send_twice_never_sends_twice(smtp):
    consenting_customer()
    consenting_customer()
    opened = services.wave_open(survey=nps_survey())
    call_command("worker", "--batch")
    from advocacy.feedback.surveys.tasks import send_wave

    send_wave.enqueue(opened.wave.pk)
    call_command("worker", "--batch")
    assert len(smtp.wait_for(2)) == 2
    assert list(Invitation.objects.values_list("status", flat=True)) == ["sent", "sent"]


@pytest.mark.django_db
def test_held_back_invitations_carry_their_reason_and_are_never_sent(smtp):
    never_asked = CustomerFactory(email="never@example.com")
    withdrew = consenting_customer(email="withdrew@example.com")
    Consent.objects.create(
        customer=withdrew,
        purpose="surveys",
        granted=False,
        source="phone",
        recorded_at=timezone.now() - timedelta(days=1),
    )
    churned = consenting_customer(email="churned@example.com", status="churned", churned_on="2026-01-01")
    recently_asked = consenting_customer(email="recent@example.com")
    ContactAsk.objects.create(
        customer=recently_asked, kind="survey", ref="other", asked_at=timezone.now() - timedelta(days=5)
    )
    busy = consenting_customer(email="busy@example.com")
    for i in range(4):
        ContactAsk.objects.create(
            customer=busy, kind="challenge", ref=f"c{i}", asked_at=timezone.now() - timedelta(hours=i + 1)
        )
    welcome = consenting_customer(email="welcome@example.com")

    opened = services.wave_open(survey=nps_survey(audience={}))
    reasons = dict(Invitation.objects.filter(wave=opened.wave).values_list("customer__email", "held_reason"))
    assert reasons == {
        "never@example.com": "no consent to surveys on record",
        "withdrew@example.com": "withdrew consent to surveys (or unsubscribed)",
        "recent@example.com": "cooldown: asked to a survey 5 days ago (30-day cooldown)",
        "busy@example.com": "quarterly budget used: 4 asks this quarter (limit 4)",
        "welcome@example.com": "",
    }, "churned customers are outside every audience"
    assert (opened.queued, opened.held) == (1, 4)
    assert never_asked and churned and welcome

    for invitation in Invitation.objects.all():
        services.invitation_send(invitation_id=invitation.pk)
    assert [m["To"] for m in smtp.wait_for(1)] == ["welcome@example.com"]


@pytest.mark.django_db
def test_the_survey_recontact_rule_holds_back_a_second_wave(settings):
    customer = consenting_customer()
    survey = nps_survey(recontact_days=90)
    services.wave_open(survey=survey, now=timezone.now() - timedelta(days=40))
    second = services.wave_open(survey=survey)
    held = Invitation.objects.get(wave=second.wave, customer=customer)
    assert held.held_reason == "recontact rule: invited to this survey 40 days ago (at most every 90 days)"


@pytest.mark.django_db
def test_the_one_click_unsubscribe_withdraws_survey_consent(smtp):
    customer = consenting_customer()
    opened = services.wave_open(survey=nps_survey())
    services.invitation_send(invitation_id=Invitation.objects.get(wave=opened.wave).pk)
    mail = smtp.wait_for(1)[0]
    url = mail["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])

    assert Client().get(path).status_code == 200
    assert customer.consents.filter(granted=False).count() == 0, "GET only shows a button"
    response = Client().post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "unsubscribed" in response.text
    assert customer.consents.order_by("-recorded_at").first().source == "unsubscribe link"

    later = services.wave_open(survey=nps_survey(name="Another"))
    assert Invitation.objects.get(wave=later.wave).held_reason == "withdrew consent to surveys (or unsubscribed)"


@pytest.mark.django_db
def test_forged_expired_and_late_links_get_a_clear_page():
    customer = consenting_customer()
    survey = nps_survey(answer_window_days=7, link_valid_days=30)
    opened = services.wave_open(survey=survey)
    invitation = Invitation.objects.get(wave=opened.wave, customer=customer)
    token = feedback_links.invitation_token(invitation)

    forged = Client().post(f"/survey/a/{token[:-3]}abc/9/")
    assert forged.status_code == 400 and "not valid" in forged.text

    out_of_scale = Client().post(f"/survey/a/{token}/11/")
    assert out_of_scale.status_code == 404 or "between 0 and 10" in out_of_scale.text

    Client().post(f"/survey/a/{token}/8/")
    Response.objects.update(answered_at=timezone.now() - timedelta(days=8))
    late = Client().post(f"/survey/a/{token}/3/")
    assert late.status_code == 400 and "time to change the answer has passed" in late.text
    assert Response.objects.get().score == 8

    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=31))
    expired = Client().get(f"/survey/a/{token}/9/")
    assert expired.status_code == 400 and "closed" in expired.text


@pytest.mark.django_db
def test_a_transactional_survey_is_one_invitation_per_trigger_within_the_budget():
    customer = consenting_customer()
    csat = services.survey_create(by=None, name="After a case", kind="csat", schedule="transactional")
    first = services.transactional_invite(survey=csat, customer=customer, trigger="case:1")
    again = services.transactional_invite(survey=csat, customer=customer, trigger="case:1")
    assert first.pk == again.pk and first.status == "queued"
    second_case = services.transactional_invite(survey=csat, customer=customer, trigger="case:2")
    assert second_case.status == "held"
    assert second_case.held_reason.startswith("cooldown: asked to a survey 0 days ago")


@pytest.mark.django_db
def test_the_shareable_link_takes_web_and_in_app_answers():
    survey = services.survey_create(by=None, name="Site CSAT", kind="csat")
    token = feedback_links.survey_link_token(survey)
    page = Client().get(f"/survey/w/{token}/")
    assert page.status_code == 200 and "How satisfied are you with" in page.text
    Client().post(f"/survey/w/{token}/?channel=in_app", {"score": "5", "comment": "Lovely"})
    bad = Client().post(f"/survey/w/{token}/", {"score": "9"})
    assert "between 1 and 5" in bad.text
    assert list(Response.objects.values_list("channel", "score", "comment")) == [("in_app", 5, "Lovely")]


@pytest.mark.django_db
def test_the_survey_editor_previews_the_mail_and_refuses_a_broken_template(client_as):
    survey = nps_survey()
    client = client_as("program_manager")
    page = client.get(f"/surveys/{survey.pk}/edit/")
    assert "How likely are you to recommend" in page.text and "List-Unsubscribe" in page.text
    form = {
        f: getattr(survey, f) or ""
        for f in (
            "name",
            "question",
            "follow_up_question",
            "schedule",
            "every_n",
            "every_unit",
            "recontact_days",
            "answer_window_days",
            "link_valid_days",
            "email_subject",
            "email_text",
            "email_html",
        )
    }
    form.update({"email_subject": "{% if %}", "audience_json": '{"planet": ["Mars"]}', "active": "on"})
    refused = client.post(f"/surveys/{survey.pk}/edit/", form)
    assert "the template does not parse" in refused.text
    survey.refresh_from_db()
    assert survey.email_subject.startswith("A quick question")


def test_the_preview_shows_the_whole_mail_and_its_links_answer_nothing(client_as):
    import html
    import re

    survey = nps_survey()
    page = client_as("program_manager").get(f"/surveys/{survey.pk}/preview/")

    frame = html.unescape(re.search(r'srcdoc="([^"]*)"', page.text).group(1))
    assert "Unsubscribe from surveys" in frame  # the end of the mail, not cut off after the greeting
    assert "/survey/a/" not in frame and 'href="#score-10"' in frame


def test_a_wave_opens_only_after_the_count_it_will_mail_was_shown_and_confirmed(client_as):
    from advocacy.feedback.models import Wave

    survey = nps_survey()
    consenting_customer()
    consenting_customer()
    client = client_as("program_manager")

    shown = client.get(f"/surveys/{survey.pk}/waves/")
    stale = client.post(f"/surveys/{survey.pk}/waves/", {"audience": "1"})  # the audience grew meanwhile
    assert "Send to 2 customers" in shown.text and "Send to 2 customers" in stale.text
    assert not Wave.objects.exists()

    client.post(f"/surveys/{survey.pk}/waves/", {"audience": "2"})
    assert Wave.objects.filter(survey=survey).count() == 1
