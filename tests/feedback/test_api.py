"""The feedback API: surveys, waves, transactional triggers and responses gathered elsewhere."""

from __future__ import annotations

import json

import pytest

from advocacy.feedback.models import Invitation, Response
from tests.feedback.helpers import consenting_customer, nps_survey

pytestmark = pytest.mark.django_db


def post(client, path, body, **headers):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_a_program_manager_creates_a_survey_and_opens_a_wave(api):
    consenting_customer()
    client = api("program_manager")
    created = post(
        client,
        "/api/v1/surveys",
        {"name": "Relationship NPS", "kind": "nps", "schedule": "recurring", "every_n": 6, "every_unit": "months"},
    )
    assert created.status_code == 201, created.content
    survey = created.json()
    assert survey["question"].startswith("How likely are you to recommend")

    opened = post(client, f"/api/v1/surveys/{survey['id']}/waves", {})
    assert opened.status_code == 201
    assert (opened.json()["wave"]["number"], opened.json()["queued"], opened.json()["held"]) == (1, 1, 0)
    status = client.get(f"/api/v1/surveys/{survey['id']}/distribution").json()
    assert status["counts"]["queued"] == 1


def test_a_recurring_survey_without_an_interval_is_a_422(api):
    response = post(api("admin"), "/api/v1/surveys", {"name": "x", "kind": "nps", "schedule": "recurring"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"pointer": "/body/every_n", "detail": "a recurring survey needs an interval, e.g. every 3 months"}
    ]


def test_a_transactional_survey_is_triggered_once_per_event(api):
    customer = consenting_customer()
    client = api("customer_advocate")
    survey = post(
        api("admin"), "/api/v1/surveys", {"name": "After case", "kind": "csat", "schedule": "transactional"}
    ).json()
    body = {"survey_id": survey["id"], "customer_id": customer.pk, "trigger": "case:77"}
    first, second = post(client, "/api/v1/invitations", body), post(client, "/api/v1/invitations", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and first.json()["status"] == "queued"
    assert Invitation.objects.count() == 1


def test_answers_gathered_elsewhere_are_recorded_once_per_external_id(api):
    customer = consenting_customer()
    survey = nps_survey()
    client = api("program_manager")
    body = {
        "survey_id": survey.pk,
        "customer_id": customer.pk,
        "score": 3,
        "comment": "Billing was wrong twice",
        "answered_at": "2026-10-01T09:00:00Z",
        "external_id": "callcentre-991",
    }
    first = post(client, "/api/v1/responses", body, **{"Idempotency-Key": "r-1"})
    again = post(client, "/api/v1/responses", {**body, "comment": "different"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert Response.objects.count() == 1
    assert first.json()["sentiment"] < 0

    out_of_scale = post(client, "/api/v1/responses", {**body, "score": 11, "external_id": "x"})
    assert out_of_scale.json()["errors"] == [{"pointer": "/body/score", "detail": "the score must be between 0 and 10"}]


def test_responses_export_as_csv_with_formulas_neutralised(api):
    survey = nps_survey()
    customer = consenting_customer()
    post(
        api("admin"),
        "/api/v1/responses",
        {"survey_id": survey.pk, "customer_id": customer.pk, "score": 10, "comment": '=HYPERLINK("http://evil")'},
    )
    export = api("analyst").get(f"/api/v1/responses.csv?survey_id={survey.pk}")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,survey_id,kind")
    assert "'=HYPERLINK" in text


def test_sales_may_not_read_responses(api):
    assert api("sales").get("/api/v1/responses").status_code == 403
