"""Attribution computed by hand for small cases, under each credit rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from advocacy.core.errors import InvalidInput
from advocacy.insights.attribution.credit import weight
from advocacy.insights.attribution.model import default_model, stored_models, with_overrides
from advocacy.insights.attribution.queries import attribution
from advocacy.insights.models import AttributionSource, CreditRule
from tests.factories import CustomerFactory
from tests.insights import data

pytestmark = pytest.mark.django_db

D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


def influence_credits(rule: str) -> dict[str, Decimal]:
    models = with_overrides(stored_models(), AttributionSource.INFLUENCE, {"credit_rule": rule})
    found = attribution(since=YEAR[0], until=YEAR[1], models=models)
    credits: dict[str, Decimal] = {}
    for line in found.won():
        if line.source == AttributionSource.INFLUENCE:
            credits[line.channel] = credits.get(line.channel, Decimal(0)) + line.revenue
    return credits


@pytest.fixture
def three_acts_then_an_upsell(staff):
    """A reference call (Mar 1), an approved challenge (Mar 10), a story (Mar 20), then a 1,000 USD upsell
    on Apr 1: all three within the default 90-day window. A renewal the same day is not influenced."""
    adv = data.advocate()
    admin = staff["admin"]
    data.reference_call(adv, admin, D(2026, 3, 1))
    data.approved_challenge(adv, admin, D(2026, 3, 10))
    data.story(adv, D(2026, 3, 20))
    data.order(adv.customer, "1000", D(2026, 4, 1), kind="upsell")
    data.order(adv.customer, "700", D(2026, 4, 1), kind="renewal")
    return adv


def test_first_touch_gives_the_upsell_to_the_earliest_act(three_acts_then_an_upsell):
    assert influence_credits(CreditRule.FIRST_TOUCH) == {
        "reference_call": Decimal("1000.00"),
        "challenge": Decimal("0.00"),
        "story": Decimal("0.00"),
    }


def test_last_touch_gives_it_to_the_latest_act(three_acts_then_an_upsell):
    assert influence_credits(CreditRule.LAST_TOUCH) == {
        "reference_call": Decimal("0.00"),
        "challenge": Decimal("0.00"),
        "story": Decimal("1000.00"),
    }


def test_linear_shares_it_equally(three_acts_then_an_upsell):
    assert influence_credits(CreditRule.LINEAR) == {
        "reference_call": Decimal("333.33"),
        "challenge": Decimal("333.33"),
        "story": Decimal("333.33"),
    }


def test_position_based_gives_40_20_40(three_acts_then_an_upsell):
    assert influence_credits(CreditRule.POSITION) == {
        "reference_call": Decimal("400.00"),
        "challenge": Decimal("200.00"),
        "story": Decimal("400.00"),
    }


def test_position_based_shares_of_four_touches_add_up_to_one():
    shares = [weight(CreditRule.POSITION, rn, 4) for rn in range(1, 5)]
    assert shares == [0.4, 0.1, 0.1, 0.4]


def test_an_act_outside_the_window_or_after_the_order_gets_nothing(staff):
    adv = data.advocate()
    data.accepted_recommendation(adv.customer, staff["admin"], D(2026, 1, 1))  # 120 days before: outside 90
    data.story(adv, D(2026, 6, 1))  # after the order
    data.order(adv.customer, "500", D(2026, 5, 1), kind="cross_sell")
    assert influence_credits(CreditRule.LINEAR) == {}
    narrow = with_overrides(stored_models(), AttributionSource.INFLUENCE, {"window_days": 200})
    found = attribution(since=YEAR[0], until=YEAR[1], models=narrow)
    assert [(line.channel, line.revenue) for line in found.won()] == [("recommendation", Decimal("500.00"))]


def test_referral_sources_the_friends_orders_within_the_window_or_only_the_first(staff):
    referrer, friend = data.advocate(), CustomerFactory()
    first = data.order(friend, "100", D(2026, 2, 1))
    data.order(friend, "300", D(2026, 6, 1), margin=None)  # 120 days later; margin unknown
    data.order(friend, "900", D(2027, 6, 1))  # outside the year asked about
    data.referral(referrer, friend, first, D(2026, 2, 1))
    found = attribution(since=YEAR[0], until=YEAR[1], models=stored_models())
    totals = found.totals()[(AttributionSource.REFERRAL, "USD")]
    assert totals["revenue"] == Decimal("400.00")
    assert totals["gross_profit"] == Decimal("40.00")  # 40 % of the first; the second's margin is unknown
    assert totals["unknown"] == Decimal("300.00")
    first_only = with_overrides(stored_models(), AttributionSource.REFERRAL, {"first_order_only": True})
    found = attribution(since=YEAR[0], until=YEAR[1], models=first_only)
    assert found.totals()[(AttributionSource.REFERRAL, "USD")]["revenue"] == Decimal("100.00")


def test_reference_won_deals_count_once_and_lost_or_open_ones_stand_apart(staff):
    admin = staff["admin"]
    a, b = data.advocate(), data.advocate()
    won = data.reference_call(a, admin, D(2026, 3, 1)).ask.request
    data.reference_call(b, admin, D(2026, 3, 15), request=won, outcome="won", amount="20000")
    data.reference_call(a, admin, D(2026, 4, 1), outcome="lost")
    data.reference_call(b, admin, D(2026, 5, 1), outcome="open")
    found = attribution(since=YEAR[0], until=YEAR[1], models=stored_models())
    assert found.totals()[(AttributionSource.REFERENCE, "USD")]["revenue"] == Decimal("20000.00")
    apart = sorted((line.outcome, line.revenue) for line in found.not_won())
    assert apart == [("lost", Decimal("5000.00")), ("open", Decimal("5000.00"))]


def test_every_model_reads_in_words_with_its_window():
    assert "within 365 days" in default_model(AttributionSource.REFERRAL).describe()
    assert "90 days" in default_model(AttributionSource.INFLUENCE).describe()


def test_a_window_of_zero_days_is_refused():
    with pytest.raises(InvalidInput) as refused:
        with_overrides(stored_models(), AttributionSource.INFLUENCE, {"window_days": 0})
    assert "window_days" in refused.value.errors


def test_a_won_deal_is_shared_among_the_advocates_whose_calls_led_to_it_by_the_rule(staff):
    from advocacy.insights.attribution.queries import behind

    admin = staff["admin"]
    a, b = data.advocate(), data.advocate()
    deal = data.reference_call(a, admin, D(2026, 3, 1)).ask.request
    data.reference_call(b, admin, D(2026, 3, 15), request=deal, outcome="won", amount="20000")
    for rule, shares in {
        CreditRule.FIRST_TOUCH: {a.customer_id: 1.0, b.customer_id: 0.0},
        CreditRule.LAST_TOUCH: {a.customer_id: 0.0, b.customer_id: 1.0},
        CreditRule.LINEAR: {a.customer_id: 0.5, b.customer_id: 0.5},
        CreditRule.POSITION: {a.customer_id: 0.5, b.customer_id: 0.5},
    }.items():
        model = with_overrides(stored_models(), AttributionSource.REFERENCE, {"credit_rule": rule})["reference"]
        rows = behind(source="reference", model=model, since=YEAR[0], until=YEAR[1])
        assert {r.customer_id: r.weight for r in rows} == shares, rule
        assert {r.amount for r in rows} == {Decimal("20000.00")}
