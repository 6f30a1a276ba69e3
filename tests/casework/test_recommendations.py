"""Recommendations put the customer first: best fit, then the lower price for them, whoever makes the
product; margin never moves the order; recording a cheaper or competitor's product counts as customer-first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from advocacy.casework.cases import services
from advocacy.casework.models import Case, EventKind, Recommendation, RecommendationOutcome
from advocacy.casework.recommendations import services as recommending
from advocacy.core.models import User
from advocacy.customers.models import Customer, Product
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def product(
    name: str,
    tags: list[str],
    price: str,
    *,
    competitor: str = "",
    currency: str = "USD",
    margin: str | None = "50.00",
    active: bool = True,
) -> Product:
    return ProductFactory(
        name=name,
        capability_tags=tags,
        price=Decimal(price),
        competitor=competitor,
        currency=currency,
        margin_pct=Decimal(margin) if margin else None,
        active=active,
    )


@pytest.fixture
def catalogue() -> dict[str, Product]:
    return {
        p.name: p
        for p in [
            product("Basic", ["reporting"], "49.00"),
            product("Pro", ["reporting", "sso", "audit"], "99.00", margin="70.00"),
            product("Team", ["reporting", "sso"], "59.00", margin="80.00"),
            product("Rival Team", ["reporting", "sso"], "39.00", competitor="Rival Inc", margin=None),
            product("Euro Suite", ["reporting", "sso"], "30.00", competitor="EuroCo", currency="EUR", margin=None),
            product("Legacy", ["reporting", "sso"], "10.00", active=False),
            product("Printer", ["printing"], "5.00"),
        ]
    }


@pytest.fixture
def customer(catalogue: dict[str, Product]) -> Customer:
    """Pays 49 USD for Basic today."""
    customer = CustomerFactory(first_name="Rosa")
    OrderFactory(customer=customer, product=catalogue["Basic"], amount=Decimal("49.00"), currency="USD")
    return customer


def names(rows: list[recommending.Ranked]) -> list[str]:
    return [row.product.name for row in rows]


def test_products_rank_by_fit_then_by_the_customers_price_whoever_makes_them(customer, catalogue):
    rows = recommending.products_ranked(customer=customer, needs=["SSO"])

    # Needs: sso (asked) + reporting (what Basic, which they have now, does). Printer covers neither;
    # Legacy is no longer sold; Euro Suite is priced in euros, so it is shown but not compared.
    assert names(rows) == ["Rival Team", "Team", "Pro", "Euro Suite", "Basic"]
    assert [row.fit for row in rows] == [1.0, 1.0, 1.0, 1.0, 0.5]
    rival, team, _pro, euro, basic = rows
    assert (rival.covered, rival.missing) == (["reporting", "sso"], [])
    assert (basic.covered, basic.missing, basic.current) == (["reporting"], ["sso"], True)
    assert (rival.competitor, rival.cheaper_than_current) == (True, True)
    assert (team.competitor, team.cheaper_than_current) == (False, False)
    assert (euro.comparable, euro.cheaper_than_current) == (False, False)
    assert rival.reason == (
        "Covers 2 of 2 needs (reporting, sso). 10.00 USD cheaper than the 49.00 USD they pay "
        "now for Basic. Made by Rival Inc, a competitor."
    )
    assert euro.reason.endswith("Priced in EUR; not compared with USD prices. Made by EuroCo, a competitor.")


def test_the_case_needs_count_too(customer, catalogue, carol):
    berlin_office()
    case = services.case_open(customer=customer, subject="Audit trail", by=None, owner=carol, needs=["audit", "sso"])

    rows = recommending.products_ranked(customer=customer, needs=[], case=case)

    assert names(rows)[0] == "Pro"
    assert rows[0].fit == 1.0 and rows[1].fit == pytest.approx(2 / 3)


def test_margins_never_change_the_order(customer, catalogue):
    before = names(recommending.products_ranked(customer=customer, needs=["sso"]))

    Product.objects.filter(name="Pro").update(margin_pct=Decimal("99.00"))
    Product.objects.filter(name="Team").update(margin_pct=Decimal("-50.00"))
    Product.objects.filter(name="Rival Team").update(margin_pct=Decimal("0.00"))
    Product.objects.filter(name="Basic").update(margin_pct=None)

    assert names(recommending.products_ranked(customer=customer, needs=["sso"])) == before


def test_without_any_needs_there_is_nothing_to_rank():
    with pytest.raises(recommending.NoNeeds, match="Say what the customer needs"):
        recommending.products_ranked(customer=CustomerFactory(), needs=[])


def record(customer: Customer, name: str, carol: User, case: Case | None = None) -> Recommendation:
    row = recommending.product_assessed(
        customer=customer, product=Product.objects.get(name=name), needs=["sso"], case=case
    )
    return recommending.recommendation_record(
        customer=customer,
        product=row.product,
        reason="Fits best",
        by=carol,
        case=case,
        fit=row.fit,
        cheaper_than_current=row.cheaper_than_current,
        competitor=row.competitor,
    )


def test_a_recommendation_is_customer_first_exactly_when_cheaper_or_a_competitors(customer, catalogue, staff):
    carol, pat = staff["customer_advocate"], staff["program_manager"]
    cheaper_own = product("Lite", ["reporting", "sso"], "19.00")
    cheaper_own.category = "Plans"
    cheaper_own.save()

    rival = record(customer, "Rival Team", carol)
    dearer_own = record(customer, "Team", carol)
    cheaper = record(customer, "Lite", carol)
    euro = record(customer, "Euro Suite", pat)

    assert (rival.customer_first, dearer_own.customer_first, cheaper.customer_first, euro.customer_first) == (
        True,
        False,
        True,
        True,
    )
    assert (cheaper.competitor, cheaper.cheaper_than_current) == (False, True)
    acts = {row.advocate: row for row in recommending.customer_first_acts()}
    assert (
        acts["Carol"].recommendations,
        acts["Carol"].customer_first,
        acts["Carol"].cheaper,
        acts["Carol"].competitor,
    ) == (3, 2, 2, 1)
    assert (acts["Pat"].recommendations, acts["Pat"].customer_first) == (1, 1)


def test_the_recommendation_and_its_outcome_are_on_the_case(customer, catalogue, staff):
    berlin_office()
    carol = staff["customer_advocate"]
    case = services.case_open(customer=customer, subject="Need SSO", by=None, owner=carol, needs=["sso"])

    recommendation = record(customer, "Rival Team", carol, case=case)
    recommending.recommendation_outcome(recommendation=recommendation, outcome=RecommendationOutcome.ACCEPTED, by=carol)

    events = list(case.events.filter(kind=EventKind.RECOMMENDATION).values_list("body", "visible_to_customer"))
    assert events == [
        ("We recommended Rival Team (Rival Inc): Fits best", True),
        ("Recommendation of Rival Team (Rival Inc): accepted.", False),
    ]
    assert recommending.customer_first_acts()[0].accepted == 1


def test_a_recommendation_cannot_pretend_to_be_a_competitors(customer, catalogue, staff):
    with pytest.raises(recommending.InvalidInput, match="our own product"):
        recommending.recommendation_record(
            customer=customer,
            product=catalogue["Team"],
            reason="x",
            by=staff["customer_advocate"],
            fit=1.0,
            cheaper_than_current=False,
            competitor=True,
        )
