"""Customer search and the customer 360, as staff see them."""

from __future__ import annotations

import pytest

from advocacy.customers.models import ProductInUse
from tests.factories import ConsentFactory, CustomerFactory, EventFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_search_finds_by_any_word_of_name_email_or_account(client_as):
    CustomerFactory(first_name="Ada", last_name="Lovelace", account__name="Analytical Engines")
    CustomerFactory(first_name="Ada", last_name="Byron", account__name="Poetry Ltd")
    page = client_as("analyst").get("/customers/?q=ada+analytical")
    assert "1 customer match" in page.text
    assert "Lovelace" in page.text and "Byron" not in page.text


def test_the_htmx_search_returns_only_the_results_fragment(client_as):
    CustomerFactory(last_name="Hopper")
    fragment = client_as("sales").get("/customers/?q=hopper", headers={"HX-Request": "true"})
    assert "Hopper" in fragment.text
    assert "<html" not in fragment.text


def test_the_customer_360_shows_profile_consent_orders_and_timeline(client_as):
    customer = CustomerFactory(first_name="Grace", last_name="Hopper", time_zone="America/New_York")
    OrderFactory(customer=customer, amount="250.00", currency="EUR")
    OrderFactory(customer=customer, amount="100.00", currency="EUR")
    ConsentFactory(customer=customer, purpose="marketing", granted=False, source="phone")
    EventFactory(customer=customer, kind="community_post")
    page = client_as("customer_advocate").get(f"/customers/{customer.pk}/").text
    assert "Grace Hopper" in page
    assert "America/New_York" in page
    assert "350.00 EUR</strong> in 2 orders" in page
    assert "withdrawn" in page
    assert "Posted in the community" in page


def test_the_customer_360_does_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    customer = CustomerFactory()
    for _ in range(30):
        OrderFactory(customer=customer)
        EventFactory(customer=customer)
        ConsentFactory(customer=customer)
    client = client_as("customer_advocate")
    # 15 for the page and its panels, 2 for the features used and products in use, 1 for the audit row
    # of the view, 2 for the no-worker banner, 1 for the mentions panel: none grows with the rows
    # (tests/core/test_query_counts.py checks that).
    with django_assert_max_num_queries(21):
        assert client.get(f"/customers/{customer.pk}/").status_code == 200


def test_search_results_do_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    for i in range(25):
        CustomerFactory(last_name=f"Many{i}")
    client = client_as("analyst")
    with django_assert_max_num_queries(8):
        assert client.get("/customers/?q=many").status_code == 200


def test_an_unknown_customer_is_a_404(client_as):
    assert client_as("analyst").get("/customers/999999/").status_code == 404


def test_the_customer_360_names_the_features_used_and_a_competitors_product(client_as):
    customer = CustomerFactory()
    EventFactory(customer=customer, kind="feature_use", detail="analytics")
    ProductInUse.objects.create(customer=customer, product=ProductFactory(name="Contoso Desk", competitor="Contoso"))
    page = client_as("customer_advocate").get(f"/customers/{customer.pk}/").content.decode()
    assert "Features used: analytics" in page
    assert "Contoso Desk" in page
    assert "featureuse" not in page and "used a feature 1" in page
