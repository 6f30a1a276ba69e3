"""The advocate score: exact inputs, rankings a program manager would agree with, reasons in words."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.advocates.models import (
    Advocate,
    AdvocateScore,
    Challenge,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
    Referral,
    ReferralLink,
    Story,
    Submission,
)
from advocacy.advocates.scoring import method as scoring_method
from advocacy.advocates.scoring import queries as scoring_queries
from advocacy.advocates.scoring import services as scoring
from advocacy.advocates.scoring.reasons import reasons_in_words
from advocacy.casework.models import Case
from advocacy.core.models import Job, User
from advocacy.core.roles import STAFF_ROLES, Role
from advocacy.customers.models import Customer
from tests.factories import CustomerFactory, EventFactory, OrderFactory
from tests.feedback.helpers_stats import add_responses, make_survey

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def events(customer: Customer, days_ago: list[float], kind: str = "login", value: Decimal | None = None) -> None:
    for days in days_ago:
        EventFactory(customer=customer, kind=kind, occurred_at=ago(days), value=value)


def answer(customer: Customer, kind: str, score: int, days_ago: float) -> None:
    survey = make_survey(kind=kind, name=f"{kind} survey")
    add_responses(survey, [score], at=ago(days_ago), customer=customer)


def open_case(customer: Customer, owner: User, status: str = "open") -> Case:
    resolved_at = NOW if status in {"resolved", "closed"} else None
    return Case.objects.create(
        customer=customer, subject="A problem", owner=owner, status=status, resolved_at=resolved_at
    )


def enrol(customer: Customer) -> Advocate:
    return Advocate.objects.create(customer=customer, terms_version="2026-1", joined_at=ago(400))


def refer(advocate: Advocate, friends: int, status: str = "converted") -> None:
    link, _ = ReferralLink.objects.get_or_create(advocate=advocate, defaults={"code": f"code-{advocate.pk}"})
    for _ in range(friends):
        friend = CustomerFactory()
        Referral.objects.create(
            link=link, friend=friend, status=status, converted_at=ago(30), idempotency_key=f"ref-{friend.pk}"
        )


def reference_call(advocate: Advocate, by: User) -> ReferenceCall:
    request = ReferenceRequest.objects.create(
        requested_by=by, prospect="Globex", opportunity_value=Decimal(50_000), needed_by=date(2026, 2, 1)
    )
    ask = ReferenceAsk.objects.create(request=request, advocate=advocate, fit=0.9, status="accepted")
    return ReferenceCall.objects.create(ask=ask, held_on=date(2026, 1, 20))


def publish_story(advocate: Advocate) -> Story:
    return Story.objects.create(
        advocate=advocate,
        title="How we grew",
        body="…",
        consent_scope="website",
        status="published",
        published_scope="website",
        published_at=ago(10),
    )


def approve_challenge(advocate: Advocate, by: User) -> Submission:
    challenge = Challenge.objects.create(
        kind="review", title="Write a review", instructions="…", points=100, starts_on=date(2026, 1, 1), created_by=by
    )
    return Submission.objects.create(challenge=challenge, advocate=advocate, status="approved")


@pytest.fixture
def promoter(staff: dict[str, User]) -> Customer:
    """Happy, busy, long-standing, and already advocating."""
    customer = CustomerFactory(customer_since=date(2021, 3, 1))
    answer(customer, "nps", 7, days_ago=100)
    answer(customer, "nps", 10, days_ago=5)
    answer(customer, "csat", 5, days_ago=3)
    events(customer, [1, 2, 3, 5, 8, 13, 21, 34, 55, 80, 200, 400])
    events(customer, [4], kind="review", value=Decimal(5))
    events(customer, [6], kind="review", value=Decimal(2))  # an unhappy review is not a positive one
    OrderFactory(customer=customer, amount=Decimal("100.00"), currency="USD", ordered_on=date(2025, 6, 1))
    OrderFactory(customer=customer, amount=Decimal("50.00"), currency="USD", ordered_on=date(2025, 9, 1))
    OrderFactory(customer=customer, amount=Decimal("30.00"), currency="EUR", ordered_on=date(2025, 9, 1))
    advocate = enrol(customer)
    refer(advocate, 2)
    refer(advocate, 1, status="flagged")
    reference_call(advocate, staff[Role.SALES])
    publish_story(advocate)
    approve_challenge(advocate, staff[Role.PROGRAM_MANAGER])
    return customer


@pytest.fixture
def detractor(staff: dict[str, User]) -> Customer:
    """Unhappy lately, with two problems still open."""
    customer = CustomerFactory(customer_since=date(2025, 9, 1))
    answer(customer, "nps", 3, days_ago=12)
    events(customer, [40, 70], kind="support_contact")
    open_case(customer, staff[Role.CUSTOMER_ADVOCATE])
    open_case(customer, staff[Role.CUSTOMER_ADVOCATE], status="new")
    open_case(customer, staff[Role.CUSTOMER_ADVOCATE], status="resolved")
    return customer


def features_of(features: scoring_method.Features, customer: Customer) -> dict[str, object]:
    i = features.index_of(customer.pk)
    assert i is not None
    return features.row(i)


def scored(customer: Customer) -> AdvocateScore:
    return AdvocateScore.objects.get(customer=customer)


def said(customer: Customer) -> list[str]:
    """The reasons of a customer's stored score, in the words every page shows."""
    return reasons_in_words(scored(customer).reasons)


# Features


def test_the_features_of_a_promoter_are_counted_exactly(promoter: Customer) -> None:
    row = features_of(scoring.customer_features(NOW), promoter)

    assert row == {
        "tenure_days": (date(2026, 3, 1) - date(2021, 3, 1)).days,
        "churned_days_ago": None,
        "events_90": 12,  # ten logins and two reviews
        "events_365": 13,
        "days_since_event": 1.0,
        "reviews": 1,
        "referral_events": 0,
        "revenue": 150.0,
        "currency": "USD",
        "nps": 10.0,
        "nps_previous": 7.0,
        "csat": 5.0,
        "detractor_days_ago": None,
        "referrals": 2,
        "reference_calls": 1,
        "stories": 1,
        "challenges": 1,
        "open_cases": 0,
    }


def test_the_features_of_a_detractor_and_of_a_silent_customer_are_counted_exactly(detractor: Customer) -> None:
    silent = CustomerFactory(customer_since=None)

    features = scoring.customer_features(NOW)

    row = features_of(features, detractor)
    assert (row["nps"], row["nps_previous"], row["detractor_days_ago"]) == (3.0, None, 12.0)
    assert (row["open_cases"], row["events_90"], row["days_since_event"]) == (2, 2, 40.0)
    quiet = features_of(features, silent)
    assert quiet["tenure_days"] is None
    assert (quiet["nps"], quiet["csat"], quiet["days_since_event"], quiet["revenue"]) == (None, None, None, 0.0)


def test_answers_after_the_moment_scored_are_not_seen(promoter: Customer) -> None:
    row = features_of(scoring.customer_features(ago(50)), promoter)

    assert (row["nps"], row["nps_previous"], row["csat"]) == (7.0, None, None)


# Scores and reasons


def test_a_busy_referring_promoter_outranks_a_detractor_with_open_cases(
    promoter: Customer, detractor: Customer
) -> None:
    scoring.scores_recompute(now=NOW)

    assert scored(promoter).score > 55 > 35 > scored(detractor).score
    assert scored(promoter).tier in {"champion", "likely"}
    assert scored(detractor).tier == "not_now"


def test_reasons_say_in_words_what_moved_the_score(promoter: Customer, detractor: Customer) -> None:
    scoring.scores_recompute(now=NOW)

    assert said(promoter) == [
        "Active: 12 events in the last 90 days",
        "Last active yesterday",
        "Gave NPS 10 in the last survey (a promoter)",
    ]
    assert said(detractor) == [
        "Detractor answer 12 days ago",
        "Has 2 open cases",
        "Active: 2 events in the last 90 days",
    ]


def test_history_reasons_appear_once_engagement_and_satisfaction_stop_counting(promoter: Customer) -> None:
    scoring.weights_update(by=None, satisfaction=0, engagement=0, value=0, advocacy_history=1, negatives=0)
    scoring.scores_recompute(now=NOW)

    assert said(promoter) == ["Referred 2 customers", "Held 1 reference call", "Published 1 story"]


def test_the_parts_add_up_to_the_score(promoter: Customer, detractor: Customer) -> None:
    scoring.scores_recompute(now=NOW)

    for customer in (promoter, detractor):
        row = scored(customer)
        assert row.score == pytest.approx(max(0.0, sum(row.parts.values())), abs=0.2)
        assert set(row.parts) == set(scoring.PART_NAMES)


def test_a_customer_who_left_scores_zero_and_says_so(promoter: Customer) -> None:
    Customer.objects.filter(pk=promoter.pk).update(status="churned", churned_on=date(2026, 2, 19))

    scoring.scores_recompute(now=NOW)

    row = scored(promoter)
    assert (row.score, row.tier, reasons_in_words(row.reasons)[0]) == (0.0, "not_now", "Left us 10 days ago")


def test_a_silent_customer_is_neutral_and_told_no_answer_yet() -> None:
    silent = CustomerFactory(customer_since=date(2026, 1, 1))

    scoring.scores_recompute(now=NOW)

    # Satisfaction counts as neutral 0.5: 35 % of it is 17.5 points; tenure adds 0.4 × 15 % × 59/1826.
    row = scored(silent)
    assert row.score == pytest.approx(17.5 + 100 * 0.15 * 0.4 * (59 / 365.25 / 5), abs=0.01)
    assert reasons_in_words(row.reasons) == [
        "Customer for 0.2 years",
        "No NPS answer yet (counted as neutral)",
        "No CSAT answer yet",
    ]


def test_weights_change_the_ranking_as_expected() -> None:
    pleased = CustomerFactory()
    answer(pleased, "nps", 10, days_ago=20)
    busy = CustomerFactory()
    events(busy, [1, 2, 3, 4, 5, 6])

    scoring.weights_update(by=None, satisfaction=1, engagement=0, value=0, advocacy_history=0, negatives=0)
    scoring.scores_recompute(now=NOW)
    assert scored(pleased).score > scored(busy).score

    scoring.weights_update(by=None, satisfaction=0, engagement=1, value=0, advocacy_history=0, negatives=0)
    scoring.scores_recompute(now=NOW)
    assert scored(busy).score > scored(pleased).score


def test_weights_that_count_nothing_are_refused() -> None:
    with pytest.raises(scoring.InvalidInput) as refused:
        scoring.weights_update(by=None, satisfaction=0, engagement=0, value=0, advocacy_history=0, negatives=1)

    assert "satisfaction" in refused.value.errors
    assert scoring.score_weights().satisfaction == 0.35


# Recompute


def test_recomputing_twice_writes_the_same_rows_once(promoter: Customer, detractor: Customer) -> None:
    CustomerFactory.create_batch(3)

    first = scoring.scores_recompute(now=NOW)
    rows = list(AdvocateScore.objects.order_by("customer_id").values())
    second = scoring.scores_recompute(now=NOW)

    assert first == second == Customer.objects.count() == AdvocateScore.objects.count()
    assert list(AdvocateScore.objects.order_by("customer_id").values()) == rows


def test_the_task_recomputes_every_score(promoter: Customer) -> None:
    from advocacy.advocates.scoring.tasks import recompute_scores

    assert recompute_scores.call() == Customer.objects.count()
    assert AdvocateScore.objects.count() == Customer.objects.count()


def queries_to_read_features(customers: int) -> int:
    for customer in CustomerFactory.create_batch(customers):
        EventFactory(customer=customer)
        answer(customer, "nps", 9, days_ago=3)
    with CaptureQueriesContext(connection) as captured:
        scoring.customer_features(NOW)
    return len(captured)


def test_reading_features_takes_the_same_queries_for_50_or_200_customers() -> None:
    assert queries_to_read_features(50) == queries_to_read_features(150) == 10


def statements_to_recompute(customers: int) -> list[str]:
    CustomerFactory.create_batch(customers)
    scoring.score_weights()  # created on first use; not part of what is measured
    with CaptureQueriesContext(connection) as captured:
        scoring.scores_recompute(now=NOW)
    return [q["sql"] for q in captured]


def test_recompute_reads_and_writes_in_the_same_statements_for_20_or_120_customers() -> None:
    few = statements_to_recompute(20)
    AdvocateScore.objects.all().delete()
    many = statements_to_recompute(100)

    assert len(few) == len(many)
    writes = [
        sql for sql in many if sql.startswith(("UPDATE advocates_advocatescore", "INSERT INTO advocates_advocatescore"))
    ]
    # PostgreSQL: one UPDATE … FROM of the changed rows and one INSERT … SELECT of the missing ones;
    # SQLite: one INSERT … SELECT … ON CONFLICT DO UPDATE of both.
    assert len(writes) == (2 if connection.vendor == "postgresql" else 1)


# Pages


READERS = {Role.ADMIN, Role.PROGRAM_MANAGER, Role.ANALYST, Role.SALES}
EDITORS = {Role.ADMIN, Role.PROGRAM_MANAGER}


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_pages_serve_the_roles_they_name(client_as, promoter: Customer, role: str) -> None:  # type: ignore[no-untyped-def]
    scoring.scores_recompute(now=NOW)
    client = client_as(role)

    list_page = client.get("/advocates/")
    detail = client.get(f"/advocates/scores/{promoter.pk}/")
    weights = client.get("/advocates/weights/")

    assert (list_page.status_code, detail.status_code) == ((200, 200) if role in READERS else (403, 403))
    assert weights.status_code == (200 if role in EDITORS else 403)


def test_the_list_ranks_filters_and_explains(client_as, promoter: Customer, detractor: Customer) -> None:  # type: ignore[no-untyped-def]
    scoring.scores_recompute(now=NOW)
    client = client_as(Role.SALES)

    page = client.get("/advocates/").content.decode()
    assert page.index(str(promoter)) < page.index(str(detractor))
    assert "Referred 2 customers" in page or "Gave NPS 10 in the last survey (a promoter)" in page
    assert "How the score is made" in page and "Recency halves every 30 days" in page

    enrolled_only = client.get("/advocates/?enrolled=yes").content.decode()
    assert str(promoter) in enrolled_only and str(detractor) not in enrolled_only
    not_now = client.get("/advocates/?tier=not_now").content.decode()
    assert str(detractor) in not_now and str(promoter) not in not_now


def test_the_detail_page_shows_every_part_with_its_points(client_as, detractor: Customer) -> None:  # type: ignore[no-untyped-def]
    scoring.scores_recompute(now=NOW)

    page = client_as(Role.ANALYST).get(f"/advocates/scores/{detractor.pk}/").content.decode()

    for part in scoring_method.PARTS:
        assert part.label in page
    assert "Detractor answer 12 days ago" in page


def test_saving_weights_stores_them_and_queues_one_recompute(  # type: ignore[no-untyped-def]
    client_as, django_capture_on_commit_callbacks
) -> None:
    data = {"satisfaction": 1, "engagement": 2, "value": 0, "advocacy_history": 1, "negatives": 0.5}

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(Role.PROGRAM_MANAGER).post("/advocates/weights/", data)

    assert response.status_code == 302
    weights = scoring.score_weights()
    assert (weights.satisfaction, weights.engagement, weights.value, weights.negatives) == (1.0, 2.0, 0.0, 0.5)
    assert Job.objects.filter(task_path__endswith="recompute_scores").count() == 1


def test_a_negative_weight_is_refused_on_the_page(client_as) -> None:  # type: ignore[no-untyped-def]
    data = {"satisfaction": -1, "engagement": 2, "value": 0, "advocacy_history": 1, "negatives": 0.5}

    response = client_as(Role.ADMIN).post("/advocates/weights/", data)

    assert response.status_code == 200
    assert scoring.score_weights().engagement == 0.25


# Precision at k on a demo manifest


def test_precision_at_k_counts_planted_advocates_among_the_best_scored(  # type: ignore[no-untyped-def]
    settings, tmp_path, promoter: Customer, detractor: Customer
) -> None:
    settings.VAR_DIR = tmp_path
    assert scoring_queries.precision_at_k(2) is None
    manifest = {
        "customers": {
            promoter.external_id: {"natural_advocate": True},
            detractor.external_id: {"natural_advocate": True},
            "CUS-NOT-HERE": {"natural_advocate": False},
        }
    }
    (tmp_path / "demo-manifest.json").write_text(json.dumps(manifest))
    scoring.scores_recompute(now=NOW)  # the promoter and detractor, and the promoter's three referred friends

    assert scoring_queries.precision_at_k(1) == {
        "k": 1,
        "hits": 1,
        "looked_at": 1,
        "planted": 2,
        "precision": 1.0,
        "base_rate": 2 / 5,
    }
    assert scoring_queries.precision_at_k(10)["hits"] == 2  # type: ignore[index]


# API (mounted by advocacy/api.py)


def api_mounted() -> bool:
    from advocacy.advocates.scoring.api import router
    from advocacy.api import api

    return any(mounted is router for _, mounted in api._routers)


needs_api = pytest.mark.skipif("not api_mounted()", reason="advocates.scoring_api is not mounted in api.py yet")


@needs_api
def test_the_api_lists_scores_best_first_and_filters_by_tier(api, promoter: Customer, detractor: Customer) -> None:  # type: ignore[no-untyped-def]
    scoring.scores_recompute(now=NOW)

    body = api(Role.SALES).get("/api/v1/advocate-scores").json()
    tiered = api(Role.ANALYST).get("/api/v1/advocate-scores?tier=not_now").json()

    assert body["items"][0]["customer_id"] == promoter.pk
    assert detractor.pk in [item["customer_id"] for item in tiered["items"]]
    assert promoter.pk not in [item["customer_id"] for item in tiered["items"]]


@needs_api
def test_the_api_reads_one_score_and_sets_the_weights(api, promoter: Customer) -> None:  # type: ignore[no-untyped-def]
    scoring.scores_recompute(now=NOW)

    one = api(Role.ADMIN).get(f"/api/v1/advocate-scores/{promoter.pk}").json()
    put = api(Role.PROGRAM_MANAGER).put(
        "/api/v1/advocate-score-weights",
        content_type="application/json",
        data={"satisfaction": 1, "engagement": 1, "value": 1, "advocacy_history": 1, "negatives": 0},
    )
    refused = api(Role.SALES).put("/api/v1/advocate-score-weights", content_type="application/json", data={})
    queued = api(Role.ADMIN).post("/api/v1/advocate-scores/recompute")

    assert one["reasons"][0] == "Active: 12 events in the last 90 days"
    assert put.status_code == 200 and put.json()["value"] == 1.0
    assert refused.status_code == 403
    assert queued.status_code == 202
