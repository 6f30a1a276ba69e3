"""The Impact page, the cost ledger page and the API, as a program manager and an analyst use them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from advocacy.core.roles import Role
from advocacy.insights.models import AttributionSetting, CostEntry
from tests.factories import CustomerFactory
from tests.insights import data

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def referral_revenue():
    referrer, friend = data.advocate(), CustomerFactory()
    first = data.order(friend, "1000", D(2026, 1, 10))
    data.referral(referrer, friend, first, D(2026, 1, 10))
    return referrer


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_the_impact_page_names_its_models_and_drills_down_to_the_orders(client_as, referral_revenue):
    client = client_as(Role.PROGRAM_MANAGER)
    page = client.get("/insights/impact/?since=2026-01-01&until=2026-12-31&currency=USD&window_days=365")
    text = page.content.decode()
    assert page.status_code == 200
    assert "all orders within 365 days of a referred friend" in text
    assert "CAUSAL" in text and "ASSOCIATION" in text
    behind = client.get("/insights/impact/behind/referral/?since=2026-01-01&until=2026-12-31")
    assert "1,000.00 USD" in behind.content.decode()
    csv = client.get("/insights/impact/attribution.csv?since=2026-01-01&until=2026-12-31")
    assert "referral,referral,2026-01,USD,won,1000.00,400.00" in b"".join(csv.streaming_content).decode()


def test_the_360_shows_the_revenue_their_referrals_sourced(client_as, referral_revenue):
    page = client_as(Role.ANALYST).get(f"/customers/{referral_revenue.customer_id}/")
    assert "1,000.00 USD" in page.content.decode()


def test_a_cost_is_created_once_per_idempotency_key_and_reversed(api):
    client = api(Role.PROGRAM_MANAGER)
    body = {"month": "2026-03-05", "kind": "events", "amount": "250.00", "currency": "USD"}
    first = post(client, "/api/v1/insights/costs", body, **{"Idempotency-Key": "cost-1"})
    again = post(client, "/api/v1/insights/costs", body, **{"Idempotency-Key": "cost-1"})
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert CostEntry.objects.count() == 1
    reversed_ = post(client, f"/api/v1/insights/costs/{first.json()['id']}/reverse", {"note": "wrong month"})
    assert reversed_.status_code == 201 and reversed_.json()["amount"] == "-250.00"
    twice = post(client, f"/api/v1/insights/costs/{first.json()['id']}/reverse", {})
    assert twice.status_code == 409


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"month": "2026-03-01", "kind": "gifts", "amount": "-1", "currency": "USD"}, "/body/amount"),
        ({"month": "2026-03-01", "kind": "gifts", "amount": "1", "currency": "ABC"}, "/body/currency"),
    ],
)
def test_bad_costs_get_a_problem_with_a_pointer_and_nothing_is_written(api, body, pointer):
    answer = post(api(Role.ADMIN), "/api/v1/insights/costs", body)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]
    assert not CostEntry.objects.exists()


def test_a_window_of_zero_days_is_refused_and_the_setting_unchanged(api):
    client = api(Role.PROGRAM_MANAGER)
    ok = client.put(
        "/api/v1/insights/attribution-settings/influence", {"window_days": 30}, content_type="application/json"
    )
    assert ok.status_code == 200 and "within 30 days" in ok.json()["in_words"]
    refused = client.put(
        "/api/v1/insights/attribution-settings/influence", {"window_days": 0}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert AttributionSetting.objects.get(source="influence").window_days == 30
    assert api(Role.ANALYST).get("/api/v1/insights/attribution?source=influence&window_days=0").status_code == 422


def test_the_attribution_api_takes_the_model_as_query_parameters(api, referral_revenue):
    answer = api(Role.ANALYST).get(
        "/api/v1/insights/attribution?since=2026-01-01&until=2026-12-31&source=referral&first_order_only=true"
        "&basis=revenue&convert_to=USD"
    )
    body = answer.json()
    assert answer.status_code == 200
    referral = next(m for m in body["models"] if m["source"] == "referral")
    assert referral["in_words"].startswith("Referral-sourced revenue: the first order")
    assert body["converted_total"]["amount"] == "1000.00"
    assert api(Role.ANALYST).get("/api/v1/insights/attribution?convert_to=usx").status_code == 422


def test_the_holdout_share_api_refuses_more_than_half(api):
    client = api(Role.PROGRAM_MANAGER)
    assert (
        client.put("/api/v1/insights/holdout-settings", {"share_pct": 60}, content_type="application/json").status_code
        == 422
    )
    assert client.put(
        "/api/v1/insights/holdout-settings", {"share_pct": 25}, content_type="application/json"
    ).json() == {"share_pct": "25.00"}


def test_the_roi_and_holdout_reads_answer(api, referral_revenue):
    client = api(Role.ANALYST)
    roi = client.get("/api/v1/insights/roi?since=2026-01-01&until=2026-12-31&currency=USD").json()
    assert roi["total"]["gross_profit"] == "400.00" and roi["total"]["roi"] is None
    holdout = client.get("/api/v1/insights/holdout?window_days=365").json()
    assert [c["label"] for c in holdout["causal"]] == ["CAUSAL"] * 3
    assert [c["label"] for c in holdout["association"]] == ["ASSOCIATION"] * 2


def test_the_settings_page_refuses_a_zero_window_with_a_form_error(client_as):
    page = client_as(Role.PROGRAM_MANAGER).post(
        "/insights/attribution/settings/",
        {"action": "model", "source": "influence", "window_days": 0, "credit_rule": "linear", "basis": "revenue"},
    )
    assert page.status_code == 200
    assert "from 1 to 3650" in page.content.decode()
    assert not AttributionSetting.objects.exists()


def test_the_cost_page_books_staff_time(client_as):
    client = client_as(Role.PROGRAM_MANAGER)
    answer = client.post(
        "/insights/costs/new/",
        {
            "month": "2026-02-10",
            "kind": "staff_time",
            "hours": "10",
            "hourly_rate": "55",
            "staff_role": "analyst",
            "currency": "USD",
        },
    )
    assert answer.status_code == 302
    assert "550.00 USD" in client.get("/insights/costs/").content.decode()


@pytest.mark.parametrize(("role", "offered"), [(Role.PROGRAM_MANAGER, True), (Role.ANALYST, False)])
def test_the_cost_ledger_offers_booking_and_reversing_only_to_the_roles_that_may(client_as, role, offered):
    """An analyst reads the ledger; the buttons that write to it would answer 403, so they are not shown."""
    assert (
        client_as(Role.PROGRAM_MANAGER)
        .post("/insights/costs/new/", {"month": "2026-02-10", "kind": "software", "amount": "120", "currency": "USD"})
        .status_code
        == 302
    )
    page = client_as(role).get("/insights/costs/").content.decode()

    assert "120.00 USD" in page
    for offer in ("Book a cost", ">Reverse</button>", "Sync reward costs now", "State an estimated saving"):
        assert (offer in page) is offered, offer


def test_the_page_offers_matching_and_says_when_there_are_too_few_members(client_as):
    page = client_as(Role.ANALYST).get("/insights/impact/?matched=on").content.decode()
    assert "needs at least 30 members" in page


def test_a_saving_is_stated_as_an_estimate_and_a_bad_filter_date_is_ignored(client_as):
    client = client_as(Role.PROGRAM_MANAGER)
    refused = client.post(
        "/insights/costs/savings/new/",
        {"month": "2026-02-01", "amount": "200", "currency": "ZZZ", "description": "cases deflected"},
    )
    assert "unknown currency code" in refused.content.decode()
    done = client.post(
        "/insights/costs/savings/new/",
        {"month": "2026-02-01", "amount": "200", "currency": "USD", "description": "cases deflected"},
    )
    assert done.status_code == 302
    page = client.get("/insights/costs/?since=not-a-date").content.decode()
    assert "cases deflected (estimate)" in page


@pytest.mark.parametrize("table", ["attribution", "roi", "costs", "holdout", "association"])
def test_each_table_of_the_impact_page_exports_as_csv(client_as, referral_revenue, table):
    answer = client_as(Role.ANALYST).get(f"/insights/impact/{table}.csv?since=2026-01-01&until=2026-12-31")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert len(b"".join(answer.streaming_content).decode().splitlines()) >= 1


def test_a_converted_total_appears_only_through_an_entered_rate_and_says_so(client_as, referral_revenue, alice):
    from advocacy.insights.money.services import exchange_rate_add

    friend = CustomerFactory()
    first = data.order(friend, "100", D(2026, 2, 1))
    first.currency = "EUR"
    first.save()
    data.referral(data.advocate(), friend, first, D(2026, 2, 1))
    url = "/insights/impact/?since=2026-01-01&until=2026-12-31&currency=USD"
    page = client_as(Role.PROGRAM_MANAGER).get(url).content.decode()
    assert "no rate from EUR to USD" in page
    exchange_rate_add(currency="EUR", to_currency="USD", rate="1.5", valid_on=D(2026, 1, 1), by=alice)
    page = client_as(Role.PROGRAM_MANAGER).get(url).content.decode()
    assert "<strong>460.00 USD</strong> — converted from EUR at the admin&#x27;s rates" in page


def test_exchange_rates_are_entered_by_admins_once_per_day_with_known_codes(api):
    body = {"currency": "EUR", "to_currency": "USD", "rate": "1.08", "valid_on": "2026-01-01"}
    assert post(api(Role.ADMIN), "/api/v1/insights/exchange-rates", body).status_code == 201
    assert post(api(Role.ADMIN), "/api/v1/insights/exchange-rates", body).status_code == 409
    unknown = post(api(Role.ADMIN), "/api/v1/insights/exchange-rates", {**body, "currency": "EUX"})
    assert unknown.status_code == 422 and "unknown currency code" in unknown.json()["errors"][0]["detail"]
    assert post(api(Role.PROGRAM_MANAGER), "/api/v1/insights/exchange-rates", body).status_code == 403
    assert api(Role.ANALYST).get("/api/v1/insights/exchange-rates").json()["count"] == 1
