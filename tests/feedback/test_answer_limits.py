"""Limits on the answer pages: one-click answers per IP; the shared web survey takes one answer per
browser, has a ceiling per IP, and flags a repeat from one network instead of counting it."""

from __future__ import annotations

import pytest
from django.test import Client

from advocacy.feedback import links as feedback_links
from advocacy.feedback.dashboard.queries import responses_for
from advocacy.feedback.models import Invitation, Response
from advocacy.feedback.surveys import services
from tests.feedback.helpers import consenting_customer, nps_survey

pytestmark = pytest.mark.django_db


def test_one_click_answers_are_limited_per_ip(settings):
    settings.LIMIT_ANSWERS_PER_IP = "3/m"
    customer = consenting_customer()
    opened = services.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave, customer=customer))
    scanner = Client(REMOTE_ADDR="203.0.113.9")

    codes = [scanner.get(f"/survey/a/{token}/{score}/").status_code for score in range(3)]
    refused = scanner.post(f"/survey/a/{token}/9/")

    assert codes == [200, 200, 200]
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert not Response.objects.exists()
    assert Client(REMOTE_ADDR="198.51.100.4").post(f"/survey/a/{token}/9/").status_code == 302
    assert Response.objects.get().score == 9


def test_the_web_survey_takes_one_answer_per_browser():
    survey = nps_survey(name="Site NPS")
    url = f"/survey/w/{feedback_links.survey_link_token(survey)}/"
    browser = Client()
    assert "Your answer helps us do better" in browser.post(url, {"score": "9"}).text

    again = browser.post(url, {"score": "0"})
    assert "You have answered this survey already" in again.text
    assert "You have answered this survey already" in browser.get(url).text
    assert list(Response.objects.values_list("score", flat=True)) == [9]


def test_the_web_survey_flags_repeats_from_one_network_and_stops_a_flood():
    """Answers from one client in a loop, each without cookies, as the audit sent 200 of them."""
    survey = nps_survey(name="Site NPS")
    url = f"/survey/w/{feedback_links.survey_link_token(survey)}/"

    codes = [Client(REMOTE_ADDR="203.0.113.9").post(url, {"score": "10"}).status_code for _ in range(45)]

    assert codes.count(200) == 30 and codes.count(429) == 15  # LIMIT_WEB_SURVEY_ANSWERS_PER_IP = 30/h
    assert Response.objects.count() == 30
    assert Response.objects.filter(duplicate=True).count() == 29
    assert responses_for(survey).count() == 1, "flagged answers are kept, not counted"
    # Another network answers as ever.
    Client(REMOTE_ADDR="198.51.100.4").post(url, {"score": "3"})
    assert sorted(responses_for(survey).values_list("score", flat=True)) == [3, 10]


def test_the_response_explorer_shows_a_flagged_answer(client_as):
    survey = nps_survey(name="Site NPS")
    url = f"/survey/w/{feedback_links.survey_link_token(survey)}/"
    Client().post(url, {"score": "10"})
    Client().post(url, {"score": "10"})
    page = client_as("analyst").get(f"/nps/responses/?survey={survey.pk}")
    assert page.text.count("likely duplicate") == 1
