"""After an unhappy answer the customer reads who will follow up and by when: the owner of the case the
answer opened, and its first-response promise in the customer's own zone."""

from __future__ import annotations

import pytest
from django.test import Client

from advocacy.casework.models import Case
from advocacy.feedback import links as feedback_links
from advocacy.feedback.models import Invitation
from advocacy.feedback.surveys import services as feedback
from tests.casework.helpers import berlin_office
from tests.feedback.helpers import consenting_customer, nps_survey, run_answer_follow_ups


@pytest.mark.django_db(transaction=True)
def test_the_thank_you_page_names_the_customer_advocate_and_the_promised_time(staff):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"], time_zone="America/New_York")
    opened = feedback.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave, customer=customer))
    client = Client()

    comment_page = client.post(f"/survey/a/{token}/3/", follow=True).text  # the worker has not acted yet
    run_answer_follow_ups()  # the worker opens the case within seconds
    thanks = client.post(f"/survey/a/{token}/comment/", {"comment": "Nobody called me back"}).text

    case = Case.objects.get()
    name = staff["customer_advocate"].display_name
    assert case.first_response_due is not None
    # Before the case exists only what is already certain is said: who (the primary advocate), not when.
    assert f"<strong>{name}</strong>, your customer advocate, has your answer and will be in touch." in comment_page
    assert f"<strong>{name}</strong>, your customer advocate, has your answer and will be in touch by" in thanks
    assert f"case #{case.pk}" in thanks
    assert " EST</strong>" in thanks or " EDT</strong>" in thanks  # the promise in the customer's zone


@pytest.mark.django_db(transaction=True)
def test_a_happy_answer_names_nobody(staff):
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    opened = feedback.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave, customer=customer))

    page = Client().post(f"/survey/a/{token}/9/", follow=True).text

    assert "will be in touch" not in page and not Case.objects.exists()
