"""Rescoring: reasons stored as codes read as the same sentences, only changed rows are written, and the
nightly run rescores exactly the customers with new activity or a window crossed — as a full rescore would."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from advocacy.advocates.models import AdvocateScore, ScoreChange, ScoreWeights, ScoringRun
from advocacy.advocates.scoring import method, queries
from advocacy.advocates.scoring import services as scoring
from advocacy.advocates.scoring.reasons import reason_in_words, reasons_in_words
from advocacy.casework.models import Case
from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.customers.models import Customer, EngagementEvent, Order
from advocacy.schedule import PERIODIC_TASKS
from tests.advocates.reasons_fixture import GOLDEN, random_features
from tests.factories import CustomerFactory, EventFactory, OrderFactory
from tests.feedback.helpers_stats import add_responses, make_survey

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # last night's run
T1 = T0 + timedelta(days=1)  # tonight's
WEIGHTS = {
    "default": {},
    "history only": {"satisfaction": 0, "engagement": 0, "value": 0, "advocacy_history": 1, "negatives": 0},
    "satisfaction and negatives": {
        "satisfaction": 1,
        "engagement": 0,
        "value": 0,
        "advocacy_history": 0,
        "negatives": 1,
    },
    "value only": {"satisfaction": 0, "engagement": 0, "value": 1, "advocacy_history": 0, "negatives": 0},
}


def stored() -> dict[int, tuple[object, ...]]:
    rows = AdvocateScore.objects.values_list("customer_id", "score", "tier", "parts", "reasons", "computed_at")
    return {row[0]: row[1:] for row in rows}


def latest_run() -> ScoringRun:
    return ScoringRun.objects.latest()


def answer(customer: Customer, kind: str, score: int, at: datetime) -> None:
    add_responses(make_survey(kind=kind, name=f"{kind} survey"), [score], at=at, customer=customer)


# Reasons: codes in the database, the same words on every page


@pytest.mark.parametrize("weights", sorted(WEIGHTS))
def test_stored_reasons_read_as_the_sentences_the_score_wrote_before_the_codes(weights: str) -> None:
    # The words of 300 random customers under four weightings, written by the score before it stored codes.
    before = json.loads((Path(__file__).parent / "data" / GOLDEN).read_text())[weights]
    features = random_features()

    scores = method.score(features, ScoreWeights(**WEIGHTS[weights]))
    codes = scores.reasons_of(np.arange(len(features)))

    assert [reasons_in_words(json.loads(json.dumps(r))) for r in codes] == before
    assert [json.loads(text) for text in scores.reasons_json_of(np.arange(len(features)))] == json.loads(
        json.dumps(codes)
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (["nps", 10], "Gave NPS 10 in the last survey (a promoter)"),
        (["nps", 8], "Gave NPS 8 in the last survey (a passive)"),
        (["nps", None], "No NPS answer yet (counted as neutral)"),
        (["csat", 4], "Rated CSAT 4/5 in the last survey"),
        (["csat", None], "No CSAT answer yet"),
        (["nps_trend", 9, 6], "NPS up from 6 to 9"),
        (["nps_trend", 3, 7], "NPS down from 7 to 3"),
        (["nps_trend", 7, 7], "NPS unchanged at 7"),
        (["recency", 0], "Last active today"),
        (["recency", 1], "Last active yesterday"),
        (["recency", 12], "Last active 12 days ago"),
        (["recency", None], "No engagement recorded"),
        (["frequency", 1], "Active: 1 event in the last 90 days"),
        (["frequency", 14], "Active: 14 events in the last 90 days"),
        (["revenue", 12345.5, "EUR"], "Revenue 12,346 EUR"),
        (["revenue", 0.0, ""], "No revenue yet"),
        (["tenure", 1826], "Customer for 5.0 years"),
        (["referrals", 1], "Referred 1 customer"),
        (["reference_calls", 2], "Held 2 reference calls"),
        (["stories", 1], "Published 1 story"),
        (["stories", 3], "Published 3 stories"),
        (["reviews", 2], "Wrote 2 positive reviews"),
        (["challenges", 1], "Completed 1 challenge"),
        (["open_cases", 2], "Has 2 open cases"),
        (["detractor", 12], "Detractor answer 12 days ago"),
        (["churned", 10], "Left us 10 days ago"),
        ("Referred 2 customers", "Referred 2 customers"),  # stored in words before the codes
    ],
)
def test_every_reason_code_has_its_sentence(code: list[object] | str, words: str) -> None:
    assert reason_in_words(code) == words


def test_an_unknown_reason_code_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown reason code 'mood'"):
        reason_in_words(["mood", 3])


def test_the_api_and_the_pages_show_the_reasons_in_words(client_as, api) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(customer_since=date(2025, 1, 1))
    EventFactory(customer=customer, occurred_at=T0 - timedelta(days=1))
    scoring.scores_recompute(now=T0)
    sentence = "Last active yesterday"
    assert sentence in reasons_in_words(AdvocateScore.objects.get(customer=customer).reasons)

    listed = client_as(Role.ANALYST).get("/advocates/").content.decode()
    detail = client_as(Role.ANALYST).get(f"/advocates/scores/{customer.pk}/").content.decode()
    panel = client_as(Role.ADMIN).get(f"/customers/{customer.pk}/").content.decode()
    one = api(Role.SALES).get(f"/api/v1/advocate-scores/{customer.pk}").json()

    assert sentence in listed and sentence in detail and sentence in panel
    assert sentence in one["reasons"]


# Writing only what changed


def test_a_rescore_with_nothing_changed_writes_no_rows() -> None:
    customers = CustomerFactory.create_batch(5)
    for n, customer in enumerate(customers):
        EventFactory(customer=customer, occurred_at=T0 - timedelta(days=n))

    assert scoring.scores_recompute(now=T0) == 5
    first = stored()
    assert latest_run().written == 5

    assert scoring.scores_recompute(now=T0) == 5
    assert (latest_run().full, latest_run().written) == (True, 0)
    assert scoring.scores_refresh(now=T0) == 0
    assert (latest_run().full, latest_run().written) == (False, 0)
    assert stored() == first  # computed_at included: not one row was touched


def test_a_changed_customer_is_the_only_row_written() -> None:
    quiet, busy = CustomerFactory(), CustomerFactory()
    scoring.scores_recompute(now=T0)
    before = stored()

    EventFactory(customer=busy, occurred_at=T0 - timedelta(hours=1))
    scoring.scores_recompute(now=T0)

    after = stored()
    assert latest_run().written == 1
    assert after[quiet.pk] == before[quiet.pk]
    assert after[busy.pk][-1] == T0 and after[busy.pk] != before[busy.pk]


# Marks: triggers note every change to what the score reads


def marked() -> dict[int, int]:
    return dict(ScoreChange.objects.values_list("customer_id", "version"))


def test_writes_to_what_the_score_reads_mark_the_customer(staff: dict[str, User]) -> None:
    a, b, c = CustomerFactory(), CustomerFactory(), CustomerFactory()
    ScoreChange.objects.all().delete()

    EventFactory(customer=a, occurred_at=T0)
    order = OrderFactory(customer=b)
    assert marked() == {a.pk: 0, b.pk: 0}

    Order.objects.filter(pk=order.pk).update(amount=Decimal("99.00"))  # bulk SQL, no save()
    case = Case.objects.create(customer=c, subject="Broken", owner=staff[Role.CUSTOMER_ADVOCATE])
    case.delete()
    assert set(marked()) == {a.pk, b.pk, c.pk}
    assert marked()[b.pk] > 0  # marked again: a rescore that took the first mark leaves this one


# The nightly incremental rescore


@pytest.fixture
def last_night(staff: dict[str, User]) -> dict[str, Customer]:
    """Customers whose scores tonight's run must look at again, and one it need not."""
    cast = {
        name: CustomerFactory(customer_since=date(2024, 1, 1))
        for name in (
            "quiet",
            "new_event",
            "aged_out_90",
            "aged_out_365",
            "future_event",
            "detractor_fades",
            "order_upserted",
            "order_arrives",
            "case_resolved",
        )
    }
    EventFactory(customer=cast["quiet"], occurred_at=T0 - timedelta(days=30))
    EventFactory(customer=cast["new_event"], occurred_at=T0 - timedelta(days=30))
    EventFactory(customer=cast["aged_out_90"], occurred_at=T0 - timedelta(days=89, hours=12))
    EventFactory(customer=cast["aged_out_365"], occurred_at=T0 - timedelta(days=364, hours=20))
    EventFactory(customer=cast["future_event"], occurred_at=T0 + timedelta(hours=6))  # dated ahead by the CRM
    answer(cast["detractor_fades"], "nps", 2, at=T0 - timedelta(days=89, hours=23))
    order = OrderFactory(customer=cast["order_upserted"], ordered_on=date(2025, 6, 1))
    OrderFactory(customer=cast["order_arrives"], ordered_on=T1.date())  # booked ahead
    case = Case.objects.create(customer=cast["case_resolved"], subject="Late", owner=staff[Role.CUSTOMER_ADVOCATE])
    scoring.scores_recompute(now=T0)

    EventFactory(customer=cast["new_event"], occurred_at=T0 - timedelta(days=40))  # imported late, backdated
    Order.objects.filter(pk=order.pk).update(amount=Decimal("1200.00"))
    Case.objects.filter(pk=case.pk).update(status="resolved", resolved_at=T0 + timedelta(hours=3))
    return cast


def test_the_nightly_run_takes_new_activity_and_crossed_windows_exactly(last_night: dict[str, Customer]) -> None:
    due = queries.customers_due(now=T1)

    assert due == {c.pk for name, c in last_night.items() if name != "quiet"}
    assert scoring.scores_refresh(now=T1) == len(due)
    assert (latest_run().full, latest_run().scored_at) == (False, T1)
    assert queries.customers_due(now=T1) == set()  # the marks are taken; the windows were crossed


def test_the_nightly_run_updates_what_changed(last_night: dict[str, Customer]) -> None:
    scoring.scores_refresh(now=T1)

    def features(name: str) -> dict[str, object]:
        row = AdvocateScore.objects.get(customer=last_night[name])
        return {"reasons": reasons_in_words(row.reasons), "parts": row.parts}

    assert "Active: 2 events in the last 90 days" in features("new_event")["reasons"]
    assert features("aged_out_90")["parts"]["frequency"] == 0.0
    assert "Last active today" in features("future_event")["reasons"]
    assert features("detractor_fades")["parts"]["detractor"] == 0.0
    assert features("case_resolved")["parts"]["open_cases"] == 0.0
    assert AdvocateScore.objects.get(customer=last_night["quiet"]).computed_at == T0


def test_a_run_that_dies_leaves_the_watermark_and_the_marks_for_the_next(
    last_night: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    before, marks, runs = stored(), marked(), ScoringRun.objects.count()

    def killed(*args: object) -> None:
        raise SystemExit("the worker was killed")

    monkeypatch.setattr(scoring, "_clear_taken", killed)  # after the scores are written, before the commit
    with pytest.raises(SystemExit):
        scoring.scores_refresh(now=T1)

    assert (stored(), marked(), ScoringRun.objects.count()) == (before, marks, runs)
    monkeypatch.undo()
    assert scoring.scores_refresh(now=T1) == len(last_night) - 1


def test_a_change_made_while_the_run_scores_waits_for_the_next_run(
    last_night: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = last_night["new_event"]
    write = scoring._write

    def write_then_a_customer_acts(*args: object) -> int:
        written = write(*args)  # type: ignore[arg-type]
        EventFactory(customer=customer, occurred_at=T1)  # bumps the mark this run took
        return written

    monkeypatch.setattr(scoring, "_write", write_then_a_customer_acts)
    scoring.scores_refresh(now=T1)

    assert marked() == {customer.pk: 1}


def test_the_schedule_rescores_new_activity_hourly_and_everyone_nightly() -> None:
    every = {p.task.name: p.every_minutes for p in PERIODIC_TASKS}
    assert (every["refresh_scores"], every["recompute_scores"]) == (60, 24 * 60)


def test_the_first_nightly_run_scores_everyone() -> None:
    CustomerFactory.create_batch(3)
    from advocacy.advocates.scoring.tasks import refresh_scores

    assert refresh_scores.call() == 3
    assert latest_run().full


# Incremental equals full, on a random company


KINDS = ["login", "feature_use", "review", "referral", "webinar"]


def random_company(rng: np.random.Generator, owner: User, n: int = 40) -> list[Customer]:
    customers = []
    for _ in range(n):
        customer = CustomerFactory(customer_since=date(2019, 1, 1) + timedelta(days=int(rng.integers(0, 2500))))
        for _ in range(int(rng.integers(0, 7))):
            EventFactory(
                customer=customer,
                kind=str(rng.choice(KINDS)),
                value=Decimal(int(rng.integers(1, 6))) if rng.random() < 0.3 else None,
                occurred_at=T0
                - timedelta(days=float(rng.choice([rng.uniform(0, 400), rng.uniform(89, 91), rng.uniform(364, 366)]))),
            )
        if rng.random() < 0.5:
            answer(customer, "nps", int(rng.integers(0, 11)), at=T0 - timedelta(days=float(rng.uniform(0, 120))))
        if rng.random() < 0.4:
            OrderFactory(
                customer=customer,
                amount=Decimal(int(rng.integers(10, 900))),
                currency=str(rng.choice(["USD", "EUR"])),
                ordered_on=T0.date() - timedelta(days=int(rng.integers(-1, 300))),
            )
        if rng.random() < 0.2:
            Case.objects.create(customer=customer, subject="A problem", owner=owner)
        customers.append(customer)
    return customers


def change_some(rng: np.random.Generator, customers: list[Customer]) -> None:
    for customer in rng.choice(customers, size=8, replace=False):
        what = rng.integers(0, 4)
        if what == 0:
            EventFactory(customer=customer, occurred_at=T0 + timedelta(hours=float(rng.uniform(-2000, 20))))
        elif what == 1:
            for event in EngagementEvent.objects.filter(customer=customer)[:1]:
                event.delete()
        elif what == 2:
            answer(customer, "nps", int(rng.integers(0, 11)), at=T0 + timedelta(hours=float(rng.uniform(0, 20))))
        else:
            Case.objects.filter(customer=customer).update(status="resolved", resolved_at=T0 + timedelta(hours=1))


COUNTED = (
    "events_90",
    "events_365",
    "reviews",
    "referral_events",
    "revenue",
    "currency",
    "nps",
    "nps_previous",
    "csat",
    "referrals",
    "reference_calls",
    "stories",
    "challenges",
    "open_cases",
)


@pytest.mark.parametrize("seed", [1, 2])
def test_an_incremental_rescore_gives_what_a_full_rescore_gives(staff: dict[str, User], seed: int) -> None:
    rng = np.random.default_rng(seed)
    customers = random_company(rng, staff[Role.CUSTOMER_ADVOCATE])
    scoring.scores_recompute(now=T0)
    at_t0 = method.customer_features(T0)
    change_some(rng, customers)

    due = queries.customers_due(now=T1)
    scoring.scores_refresh(now=T1)

    # What a full rescore at T1 gives, measured against the same population as the incremental run.
    base = ScoringRun.objects.filter(full=True).latest()
    population = method.Population.from_bytes(base.typical_events_90, base.revenue_scale)
    full = method.score(method.customer_features(T1), scoring.score_weights(), population)
    rows = stored()
    for i, customer_id in enumerate(full.ids.tolist()):
        if customer_id not in due:
            continue
        score, tier, parts, reasons, _ = rows[customer_id]
        assert (score, tier) == (full.score[i], full.tier[i])
        assert parts == full.parts_of(i)
        assert reasons == json.loads(json.dumps(full.reasons_of(np.array([i]))[0]))
    # Everyone left out counts exactly what they counted last night: only the clock moved for them.
    at_t1 = full.features
    for i, customer_id in enumerate(at_t1.ids.tolist()):
        if customer_id not in due:
            j = at_t0.index_of(customer_id)
            assert j is not None
            before = {k: v for k, v in at_t0.row(j).items() if k in COUNTED}
            assert {k: v for k, v in at_t1.row(i).items() if k in COUNTED} == before, customer_id
            for dated in ("detractor_days_ago", "days_since_event"):  # there or not: the same
                assert np.isnan(getattr(at_t1, dated)[i]) == np.isnan(getattr(at_t0, dated)[j])
    assert len(due) < len(customers)
