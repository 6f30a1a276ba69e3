"""Customer references: matching by fit among those who consented, quotas, rest periods and the contact
budget exclude, the advocate answers in the portal, and the call and the deal count as revenue influenced."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from advocacy.advocates.models import ProgramSettings, ReferenceAsk, ReferenceCall, ReferenceRequest
from advocacy.advocates.references import queries as references_queries
from advocacy.advocates.references import services as references
from advocacy.core.errors import InvalidInput
from advocacy.customers.consent import AskKind
from advocacy.outreach.budget import queries as budget_queries
from advocacy.outreach.budget.services import ask_record
from advocacy.outreach.models import ContactAsk, FatiguePolicy, OutboundMail
from tests.advocates.program_data import advocate, portal_client
from tests.factories import AccountFactory, ConsentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def consenting(name: str, *, industry: str = "Software", region: str = "EMEA", size: str = "mid"):  # type: ignore[no-untyped-def]
    account = AccountFactory(industry=industry, region=region, size=size)
    member = advocate(CustomerFactory(first_name=name, email=f"{name.lower()}@example.com", account=account))
    ConsentFactory(customer=member.customer, purpose="reference_call", granted=True)
    return member


def a_request(sam, **fields) -> ReferenceRequest:  # type: ignore[no-untyped-def]
    values = {
        "prospect": "Globex",
        "industry": "Software",
        "region": "EMEA",
        "size": "mid",
        "opportunity_value": Decimal("48000.00"),
        "needed_by": timezone.localdate() + timedelta(days=14),
        **fields,
    }
    return references.reference_request_create(by=sam, **values)


def held_call(member, sam, *, days_ago: int) -> ReferenceCall:  # type: ignore[no-untyped-def]
    earlier = a_request(sam, prospect=f"Earlier {days_ago}")
    ask = ReferenceAsk.objects.create(request=earlier, advocate=member, fit=80, status="accepted")
    return ReferenceCall.objects.create(ask=ask, held_on=timezone.localdate() - timedelta(days=days_ago))


@pytest.fixture
def sam(staff):  # type: ignore[no-untyped-def]
    return staff["sales"]


def test_matching_ranks_by_fit_and_leaves_out_those_without_consent(sam):
    best = consenting("Ada")
    other = consenting("Bo", industry="Retail", region="APAC")
    advocate(CustomerFactory(first_name="Cy"))  # a member who never agreed to reference calls
    withdrawn = consenting("Di")
    ConsentFactory(customer=withdrawn.customer, purpose="reference_call", granted=False)

    matches = references.reference_matches(a_request(sam))

    assert [m.advocate for m in matches] == [best, other]
    assert matches[0].reasons == ["same industry (Software)", "same region (EMEA)", "same size (mid)"]
    assert matches[0].fit == 81.2  # (30 + 20 + 15) of 80 possible, rounded to one decimal


def test_the_quarterly_quota_excludes_with_its_reason(sam):
    busy = consenting("Ada")
    first_day = (timezone.localdate() - budget_queries.quarter_start(timezone.now()).date()).days
    for _ in range(2):
        held_call(busy, sam, days_ago=first_day)  # two calls on the quarter's first day
    ProgramSettings.objects.update_or_create(id=1, defaults={"reference_rest_days": 0})

    match = references.reference_matches(a_request(sam))[0]

    assert match.excluded == ["over quota: 2 call(s) this quarter (limit 2)"]


def test_an_accepted_call_not_yet_held_counts_against_the_quota(sam):
    member = consenting("Ada")
    ProgramSettings.objects.update_or_create(id=1, defaults={"reference_quota_per_quarter": 1})
    ask = references.reference_ask(request=a_request(sam, prospect="First"))
    references.reference_answer(ask=ask, accept=True)

    match = references.reference_matches(a_request(sam, prospect="Second"))[0]

    assert match.advocate == member
    assert match.excluded == ["over quota: 1 call(s) this quarter (limit 1)"]


def test_the_rest_period_after_a_call_excludes_and_then_ends(sam):
    member = consenting("Ada")
    call = held_call(member, sam, days_ago=10)
    ProgramSettings.objects.update_or_create(id=1, defaults={"reference_quota_per_quarter": 5})
    until = call.held_on + timedelta(days=30)

    resting = references.reference_matches(a_request(sam))[0]
    assert resting.excluded == [f"resting after a call on {call.held_on:%Y-%m-%d} (until {until:%Y-%m-%d})"]

    ReferenceCall.objects.filter(pk=call.pk).update(held_on=timezone.localdate() - timedelta(days=31))
    assert references.reference_matches(a_request(sam, prospect="Later"))[0].available


def test_the_ask_goes_to_the_next_best_when_the_best_is_over_the_contact_budget(sam):
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    best = consenting("Ada")
    second = consenting("Bo", region="AMER")
    ask_record(customer=best.customer, kind=AskKind.SURVEY, ref="invitation:7")

    ask = references.reference_ask(request=a_request(sam), by=sam)

    assert ask.advocate == second
    assert ContactAsk.objects.filter(customer=second.customer, kind="reference", ref=f"reference-ask:{ask.pk}").exists()
    assert OutboundMail.objects.get().to == "bo@example.com"
    skipped = references.reference_matches(ask.request)[0]
    assert skipped.advocate == best
    assert skipped.excluded == ["contact budget: quarterly budget used: 1 asks this quarter (limit 1)"]


def test_nobody_free_is_a_clear_refusal(sam):
    member = consenting("Ada")
    held_call(member, sam, days_ago=3)
    with pytest.raises(references.NoReferenceAvailable):
        references.reference_ask(request=a_request(sam))


def test_the_advocate_accepts_in_the_portal_and_the_won_deal_counts_as_revenue_influenced(sam):
    member = consenting("Ada")
    ask = references.reference_ask(request=a_request(sam))
    client = portal_client(member.customer)
    page = client.get("/portal/hub/references/").text
    assert "Software, EMEA" in page and "Globex" not in page, "the prospect's name stays with sales"

    client.post(f"/portal/hub/references/{ask.pk}/", {"answer": "accept"})
    ask.refresh_from_db()
    assert (ask.status, ask.request.status) == ("accepted", "matched")

    references.reference_call_record(
        ask=ask, held_on=timezone.localdate(), deal_outcome="won", deal_amount=Decimal("52000.00"), by=sam
    )
    today = timezone.localdate()
    influenced = references_queries.revenue_influenced_by_references(today - timedelta(days=365), today)
    assert [(i.currency, i.amount, i.n) for i in influenced] == [("USD", Decimal("52000.00"), 1)]
    with pytest.raises(InvalidInput) as refused:
        references.reference_call_record(ask=ask, held_on=today, deal_outcome="won", deal_amount=None)
    assert refused.value.errors == {"deal_amount": "a won deal needs its amount"}


def test_another_customers_ask_cannot_be_answered(sam):
    ada, bo = consenting("Ada"), consenting("Bo", industry="Retail")
    ask = references.reference_ask(request=a_request(sam))
    assert ask.advocate == ada
    assert portal_client(bo.customer).post(f"/portal/hub/references/{ask.pk}/", {"answer": "accept"}).status_code == 404


def test_the_reference_api_matches_asks_and_records_the_call(api, sam):
    consenting("Ada")
    sales = api("sales")
    created = sales.post(
        "/api/v1/reference-requests",
        {"prospect": "Initech", "industry": "Software", "opportunity_value": "9000.00", "needed_by": "2099-01-01"},
        content_type="application/json",
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    matches = sales.get(f"/api/v1/reference-requests/{request_id}/matches").json()
    assert [m["excluded"] for m in matches] == [[]]
    ask = sales.post(f"/api/v1/reference-requests/{request_id}/asks").json()
    assert sales.post(f"/api/v1/reference-requests/{request_id}/asks").status_code == 409
    references.reference_answer(ask=ReferenceAsk.objects.get(pk=ask["id"]), accept=True)
    call = sales.post(
        f"/api/v1/reference-asks/{ask['id']}/call",
        {"held_on": timezone.localdate().isoformat(), "deal_outcome": "lost"},
        content_type="application/json",
    )
    assert call.status_code == 200 and call.json()["deal_outcome"] == "lost"


def test_cancelling_a_request_releases_the_advocate_asked_and_cannot_be_done_twice(api, sam):
    ada = consenting("Ada")
    request = a_request(sam)
    ask = references.reference_ask(request=request, by=sam)
    references.reference_answer(ask=ask, accept=True)
    sales = api("sales")

    no_reason = sales.post(
        f"/api/v1/reference-requests/{request.pk}/cancel", {"reason": " "}, content_type="application/json"
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["pointer"] == "/body/reason"
    cancelled = sales.post(
        f"/api/v1/reference-requests/{request.pk}/cancel",
        {"reason": "the prospect chose another vendor"},
        content_type="application/json",
    )

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    ask.refresh_from_db()
    assert ask.status == "withdrawn"
    assert references.reference_matches(a_request(sam, prospect="Next"))[0].advocate == ada
    assert references.reference_matches(a_request(sam, prospect="Again"))[0].excluded == []
    again = sales.post(
        f"/api/v1/reference-requests/{request.pk}/cancel", {"reason": "again"}, content_type="application/json"
    )
    assert again.status_code == 409


def test_sales_cancels_a_request_on_its_page(client_as, sam):
    request = a_request(sam)
    page = client_as("sales").post(
        f"/advocates/references/{request.pk}/", {"action": "cancel", "reason": "deal lost"}, follow=True
    )
    assert "Request cancelled" in page.content.decode()
    request.refresh_from_db()
    assert request.status == "cancelled"
