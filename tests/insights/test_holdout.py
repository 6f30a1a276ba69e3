"""The randomized holdout: a stable random draw, the share checked, the held-out left uninvited, and the
comparison with its interval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from advocacy.advocates.holdout import services
from advocacy.advocates.models import HoldoutAssignment, HoldoutSettings, HubInvitation
from advocacy.core.errors import InvalidInput
from advocacy.insights.holdout.queries import holdout_comparison
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_the_default_share_is_ten_per_cent(monkeypatch):
    monkeypatch.undo()  # the suite keeps the holdout off for other apps' tests
    from advocacy.advocates.holdout.queries import holdout_share_pct

    assert holdout_share_pct() == Decimal("10")


def test_about_the_set_share_is_held_out_and_a_draw_never_changes():
    services.holdout_share_set(share_pct=20)
    customers = CustomerFactory.create_batch(600)
    groups = [services.holdout_draw(customer=c, selected_by="promoter answer").group for c in customers]
    share = groups.count("holdout") / len(groups)
    assert 0.14 < share < 0.26  # 20 %, give or take 3.7 standard errors
    services.holdout_share_set(share_pct=50)
    again = [services.holdout_draw(customer=c, selected_by="top score").group for c in customers]
    assert again == groups
    assert HoldoutAssignment.objects.count() == 600


@pytest.mark.parametrize("share", [-1, 51, "ten", "NaN"])
def test_a_share_outside_0_to_50_is_refused_and_nothing_changes(share):
    services.holdout_share_set(share_pct=15)
    with pytest.raises(InvalidInput) as refused:
        services.holdout_share_set(share_pct=share)
    assert "share_pct" in refused.value.errors
    assert HoldoutSettings.objects.get().share_pct == Decimal("15")


@pytest.mark.django_db(transaction=True)
def test_a_held_out_promoter_is_not_invited_to_the_hub():
    from advocacy.feedback.answers.services import response_import
    from tests.feedback.helpers import consenting_customer, nps_survey

    services.holdout_share_set(share_pct=50)
    survey = nps_survey()
    customers = [consenting_customer() for _ in range(30)]
    for customer in customers:
        response_import(survey=survey, customer=customer, score=10)
    groups = dict(HoldoutAssignment.objects.values_list("customer_id", "group"))
    invited = set(HubInvitation.objects.values_list("customer_id", flat=True))
    assert set(groups) == {c.pk for c in customers}
    assert invited == {pk for pk, group in groups.items() if group == "invited"}
    assert 0 < len(invited) < len(customers)


def test_the_comparison_gives_the_difference_with_welchs_interval():
    today = dt.date(2026, 12, 31)
    drawn = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    amounts = {"invited": [100, 200, 300], "holdout": [50, 100]}
    for group, values in amounts.items():
        for amount in values:
            customer = CustomerFactory()
            HoldoutAssignment.objects.create(
                customer=customer, group=group, selected_by="promoter answer", share_pct=10, assigned_at=drawn
            )
            OrderFactory(customer=customer, amount=Decimal(amount), currency="USD", ordered_on=dt.date(2025, 7, 1))
    revenue = holdout_comparison(window_days=365, currency="USD", today=today)[0]
    assert (revenue.treated.n, revenue.control.n) == (3, 2)
    assert revenue.difference == pytest.approx(200 - 75)
    se = (100**2 / 3 + 35.35533905932738**2 / 2) ** 0.5  # sample variances 10000 and 1250
    assert revenue.low == pytest.approx(125 - 1.959964 * se)
    assert revenue.high == pytest.approx(125 + 1.959964 * se)
    assert "Not enough data" in revenue.verdict("invited", "held out", "The hub invitation")


def test_invite_the_best_scored_keeps_the_held_out_back_and_does_not_pick_them_again(alice):
    from django.utils import timezone

    from advocacy.advocates.hub.services import hub_invite_top
    from advocacy.advocates.models import AdvocateScore

    services.holdout_share_set(share_pct=50)
    customers = CustomerFactory.create_batch(40)
    for rank, customer in enumerate(customers):
        AdvocateScore.objects.create(customer=customer, score=100 - rank, tier="champion", computed_at=timezone.now())
    outcome = hub_invite_top(tiers=["champion"], limit=40, by=alice)
    held = set(HoldoutAssignment.objects.filter(group="holdout").values_list("customer_id", flat=True))
    assert outcome.get("holdout", 0) == len(held) > 0
    assert not HubInvitation.objects.filter(customer_id__in=held).exists()
    assert hub_invite_top(tiers=["champion"], limit=40, by=alice) == {"sent": 0, "held": 0}


def test_members_vs_non_members_can_be_matched_on_a_propensity_score_and_name_the_method():
    from advocacy.advocates.models import Advocate
    from advocacy.insights.holdout.matching import member_matched

    start = dt.date(2026, 1, 1)
    for n in range(160):
        customer = CustomerFactory(customer_since=dt.date(2024, 1, 1))
        member = n % 4 == 0
        if member:
            Advocate.objects.create(
                customer=customer, terms_version="t", joined_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
            )
        OrderFactory(customer=customer, amount=Decimal(100 + n % 7), ordered_on=dt.date(2025, 3, 1))
        OrderFactory(customer=customer, amount=Decimal(300 if member else 200), ordered_on=dt.date(2026, 3, 1))
    matched = member_matched(since=start, until=dt.date(2026, 12, 31), currency="USD")
    assert matched is not None
    assert matched.method.startswith("propensity-score matching: logistic regression")
    assert (matched.n_members, matched.n_matched) == (40, 40)
    assert matched.difference == pytest.approx(100)
