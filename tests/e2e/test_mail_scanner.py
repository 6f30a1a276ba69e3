"""A mail scanner opens every link of a received mail in a headless browser that runs scripts: nothing is
recorded, no case is opened, no invitation is sent, no sign-in link is spent. A person's own click takes
the click in the mail and one confirmation."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from advocacy.advocates.models import HubInvitation
from advocacy.casework.models import Case, CaseEvent
from advocacy.customers.models import Consent
from advocacy.feedback.models import Response
from advocacy.feedback.surveys import services as feedback
from advocacy.outreach.models import ContactAsk, OutboundMail
from advocacy.portal.models import MagicLink
from tests.casework.helpers import berlin_office
from tests.feedback.helpers import consenting_customer, nps_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = re.compile(r"https?://[^\s\"'<>]+")
SCANNER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124 Safari/537.36"


def every_link(inbox, mail: EmailMessage) -> list[str]:  # type: ignore[no-untyped-def]
    """Every address a scanner finds in a mail: both bodies and the List-Unsubscribe header."""
    found = URL.findall(inbox.body(mail)) + URL.findall(mail.get("List-Unsubscribe", ""))
    html = mail.get_body(preferencelist=("html",))
    if html is not None:
        found += URL.findall(str(html.get_content()))  # type: ignore[attr-defined]
    return sorted({url.rstrip(".,)") for url in found})


def state() -> dict[str, int]:
    return {
        "answers": Response.objects.count(),
        "cases": Case.objects.count(),
        "case events": CaseEvent.objects.count(),
        "hub invitations": HubInvitation.objects.count(),
        "mails": OutboundMail.objects.count(),
        "asks": ContactAsk.objects.count(),
        "consent rows": Consent.objects.count(),
        "spent sign-in links": MagicLink.objects.filter(used_at__isnull=False).count(),
    }


def test_a_scanner_that_runs_scripts_records_nothing_and_a_person_answers_with_one_confirmation(
    browser, page, staff, smtp, settings, live_server
):  # type: ignore[no-untyped-def]
    settings.SITE_URL = live_server.url
    berlin_office()
    ada = consenting_customer(first_name="Ada", email="ada@example.com", primary_advocate=staff["customer_advocate"])
    feedback.wave_open(survey=nps_survey())
    call_command("worker", "--batch")
    Client().post("/portal/sign-in/", {"email": "ada@example.com"})
    mails = smtp.wait_for(2)
    survey_mail = next(m for m in mails if "sign-in" not in m["Subject"])
    sign_in_mail = next(m for m in mails if "sign-in" in m["Subject"])
    links = every_link(smtp, survey_mail) + every_link(smtp, sign_in_mail)
    score_links = sorted(u for u in links if "/survey/a/" in u)
    assert len(score_links) == 11 and any("/unsubscribe/" in u for u in links)
    assert any("/portal/sign-in/" in u for u in links)
    before = state()

    # The scanner: a headless browser with scripts on opens every link, in the order of the mail and
    # back again, and waits for the pages to settle.
    scanner = browser.new_context(user_agent=SCANNER, java_script_enabled=True)
    posts: list[str] = []
    scanner.on("request", lambda request: posts.append(request.url) if request.method != "GET" else None)
    tab = scanner.new_page()
    for url in links + links[::-1]:
        tab.goto(url, wait_until="networkidle")
    scanner.close()

    assert posts == [], "the scanner's visits sent no form"
    assert state() == before
    assert not ada.consents.filter(granted=False).exists()

    # Ada answers 9 herself: the click in the mail, then one confirmation.
    nine = next(u for u in score_links if u.rstrip("/").endswith("/9"))
    page.goto(nine)
    expect(page.get_by_role("heading", name="Your score: 9")).to_be_visible()
    page.get_by_role("button", name="Record my score").click()
    expect(page.get_by_role("heading", name="Thank you — your score of 9 is recorded")).to_be_visible()
    assert Response.objects.get().acted_score is None, "the click stores the answer; the worker follows up"
    call_command("worker", "--batch")  # seconds later: the loop's follow-up, queued with the answer
    answer = Response.objects.get()
    assert (answer.customer, answer.score, answer.acted_score) == (ada, 9, 9)
    assert HubInvitation.objects.get(customer=ada).reason == "promoter answer: NPS 9"
    assert not Case.objects.exists()

    # Her sign-in link, which the scanner opened too, still works once: one click, one confirmation.
    page.goto(next(u for u in links if "/portal/sign-in/" in u))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Hello Ada")).to_be_visible()
