"""A customer's data export and erasure: everything kept about them in one bundle, and after erasure
their email, name, phone and CRM id are found nowhere in the database except where the docs say why."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.test import Client

from advocacy.advocates.models import Story, Submission
from advocacy.casework.cases import services as cases
from advocacy.core.models import AuditEvent, IdempotencyRecord
from advocacy.customers.models import Consent, Customer, ImportJob
from advocacy.customers.records.services import consent_record
from advocacy.outreach.mail.services import mail_customer
from advocacy.outreach.models import OutboundMail, WebhookMessage
from advocacy.portal.signin.services import magic_link_create
from tests.advocates.hub_data import advocate, challenge
from tests.factories import CustomerFactory
from tests.feedback.helpers_stats import add_responses, make_survey

pytestmark = pytest.mark.django_db

EMAIL, NAME, PHONE, CRM_ID = "zelda.q@example.org", "Zelda Quixote", "+49 151 2345678", "CRM-ZQ-0042"
NEEDLES = [EMAIL, NAME, PHONE, CRM_ID]


@pytest.fixture
def zelda(staff):  # type: ignore[no-untyped-def]
    """A customer with a trace in every part of the product."""
    carol = staff["customer_advocate"]
    zelda = CustomerFactory(email=EMAIL, first_name="Zelda", last_name="Quixote", phone=PHONE, external_id=CRM_ID)
    consent_record(customer=zelda, purpose="surveys", granted=True, source="portal", by=None)
    add_responses(
        make_survey(), [3], at=datetime(2026, 5, 1, tzinfo=UTC), customer=zelda, comment=f"I am {NAME}, fix it"
    )
    case = cases.case_open(customer=zelda, subject=f"Refund for {NAME}", by=None, owner=carol, description=PHONE)
    cases.case_post_update(case=case, body=f"Dear {NAME}, the refund is on its way.", by=carol)
    cases.case_customer_reply(case=case, body=f"Write to {EMAIL} please")
    mail_customer(customer=zelda, key="test:hello", subject=f"Hello {NAME}", text=f"Hi {NAME}")
    member = advocate(customer=zelda)
    Story.objects.create(advocate=member, title=f"{NAME}'s story", body=f"{NAME} loves it", consent_scope="internal")
    Submission.objects.create(challenge=challenge(staff["program_manager"]), advocate=member, evidence=f"by {NAME}")
    magic_link_create(customer=zelda)
    ImportJob.objects.create(
        kind="customers",
        file_name="crm.csv",
        stored_path="",
        created_by=staff["admin"],
        report={"errors": [{"row": 7, "message": f"{EMAIL} twice", "values": [CRM_ID, NAME]}]},
    )
    WebhookMessage.objects.create(msg_id="msg_1", event_type="customer.updated", payload={"email": EMAIL})
    IdempotencyRecord.objects.create(principal="p", key="k", fingerprint="f", status_code=201, body=EMAIL.encode())
    return zelda


def where_found(needles: list[str]) -> list[str]:
    """Every (model.field) whose text holds one of the needles, across every installed model."""
    found = []
    text_fields = (models.CharField, models.TextField, models.JSONField)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, text_fields):
                continue
            as_text = Cast(field.name, models.TextField())
            for needle in needles:
                if model._default_manager.annotate(_t=as_text).filter(_t__icontains=needle).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return sorted(set(found))


def unzip(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_export_holds_every_part_as_json_and_csv_and_is_audited(zelda, client_as):
    response = client_as("program_manager").get(f"/customers/{zelda.pk}/export.zip")

    files = unzip(response)
    data = json.loads(files["data.json"])
    assert data["customer"]["email"] == EMAIL
    sections = data["sections"]
    assert sections["survey_answers"][0]["comment"] == f"I am {NAME}, fix it"
    assert any(NAME in message["body"] for message in sections["case_messages"])
    assert sections["stories"][0]["title"] == f"{NAME}'s story"
    assert any(row["purpose"] == "surveys" for row in sections["consents"])
    assert "stories.csv" in files and NAME in files["stories.csv"]
    assert AuditEvent.objects.filter(verb="customer.exported", object_id=str(zelda.pk), actor_label="pat").exists()


def test_a_customer_downloads_only_their_own_data_from_the_portal(zelda):
    other = CustomerFactory(email="other@example.org")
    client = Client()
    token = magic_link_create(customer=other)
    client.get(f"/portal/sign-in/{token}/")
    client.post(f"/portal/sign-in/{token}/")

    files = unzip(client.get("/portal/my-data.zip"))

    assert json.loads(files["data.json"])["customer"]["email"] == "other@example.org"
    assert EMAIL not in "".join(files.values())


def test_erasure_needs_the_typed_address_and_a_reason_and_changes_nothing_without(zelda, client_as):
    page = client_as("admin").post(
        f"/customers/{zelda.pk}/erase/", {"confirm_email": "zelda@wrong.org", "reason": "Asked by mail"}
    )

    assert page.status_code == 200 and "type the customer" in page.text
    assert Customer.objects.get(pk=zelda.pk).email == EMAIL


def test_after_erasure_the_customer_is_found_nowhere_but_the_consent_history_and_scores_stay(zelda, client_as):
    consents_before = Consent.objects.filter(customer=zelda).count()
    before = where_found(NEEDLES)
    assert {"customers.Customer.email", "outreach.OutboundMail.to", "feedback.Response.comment"} <= set(before)

    page = client_as("admin").post(
        f"/customers/{zelda.pk}/erase/", {"confirm_email": EMAIL.upper(), "reason": "Asked by mail on 2026-12-01"}
    )

    assert page.status_code == 302
    assert where_found(NEEDLES) == []
    notice = OutboundMail.objects.get(key__startswith="case-reply:")  # to Carol: "… replied on #1 …"
    assert notice.to == "carol@staff.example" and notice.text == "[erased]", "the quoted reply is gone"
    erased = Customer.objects.get(pk=zelda.pk)
    assert erased.erased_at is not None and erased.email.endswith("@erased.invalid")
    assert Consent.objects.filter(customer=zelda).count() > consents_before  # withdrawals added, history kept
    assert erased.survey_responses.get().score == 3
    assert AuditEvent.objects.filter(verb="customer.erased", object_id=str(zelda.pk), actor_label="alice").exists()


def test_the_api_exports_and_erases_with_the_same_rules(zelda, api):
    exported = api("program_manager").get(f"/api/v1/customers/{zelda.pk}/export")
    refused = api("program_manager").post(
        f"/api/v1/customers/{zelda.pk}/erase", {"confirm_email": EMAIL, "reason": "x"}, content_type="application/json"
    )
    wrong = api("admin").post(
        f"/api/v1/customers/{zelda.pk}/erase",
        {"confirm_email": "no@x.org", "reason": "x"},
        content_type="application/json",
    )
    erased = api("admin").post(
        f"/api/v1/customers/{zelda.pk}/erase", {"confirm_email": EMAIL, "reason": "x"}, content_type="application/json"
    )
    again = api("admin").post(
        f"/api/v1/customers/{zelda.pk}/erase", {"confirm_email": EMAIL, "reason": "x"}, content_type="application/json"
    )

    assert exported.status_code == 200 and exported.json()["customer"]["email"] == EMAIL
    assert refused.status_code == 403 and wrong.status_code == 422
    assert erased.status_code == 200 and erased.json()["changed"]["survey comments"] == 1
    assert again.status_code in {404, 409, 422}


def test_mail_older_than_the_retention_keeps_its_row_but_loses_its_words(settings):
    from datetime import timedelta

    from django.utils import timezone

    from advocacy.core.jobs.services import jobs_sweep
    from advocacy.outreach.models import OutboundMail

    settings.MAIL_BODY_RETENTION_DAYS = 30
    now = timezone.now()
    old = OutboundMail.objects.create(
        key="old", to="a@example.org", subject="Hi", text="Dear Ann", status="sent", created_at=now - timedelta(days=31)
    )
    recent = OutboundMail.objects.create(key="new", to="a@example.org", subject="Hi", text="Dear Ann", status="sent")
    queued = OutboundMail.objects.create(
        key="q", to="a@example.org", subject="Hi", text="Dear Ann", created_at=now - timedelta(days=40)
    )

    jobs_sweep(now=now)

    assert OutboundMail.objects.get(pk=old.pk).text == ""
    assert OutboundMail.objects.get(pk=recent.pk).text == OutboundMail.objects.get(pk=queued.pk).text == "Dear Ann"
