"""API for accounts, customers, products, orders, engagement events and consent.

Handlers parse, call one query or service, and return; rules live in services.py.
"""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.models import User
from advocacy.core.roles import CUSTOMER_WRITERS, ORDER_WRITERS, PROGRAM_TEAM, STAFF_ROLES
from advocacy.customers.models import Account, Customer, Product
from advocacy.customers.records import queries, services
from advocacy.customers.records.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    ConsentIn,
    ConsentOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    EventIn,
    EventOut,
    OrderIn,
    OrderOut,
    OrderPatch,
    ProductIn,
    ProductInUseIn,
    ProductInUseOut,
    ProductOut,
    ProductPatch,
)

router = Router(tags=["customers"])

READ = api_auth(*STAFF_ROLES)
WRITE_CUSTOMERS = api_auth(*CUSTOMER_WRITERS)
WRITE_CATALOGUE = api_auth(*PROGRAM_TEAM)
WRITE_ORDERS = api_auth(*ORDER_WRITERS)


ACCOUNT_REFS = {"owner_id": (User, "owner")}
CUSTOMER_REFS = {"account_id": (Account, "account"), "primary_advocate_id": (User, "primary_advocate")}
ORDER_REFS = {"customer_id": (Customer, "customer"), "product_id": (Product, "product")}


# Accounts


class AccountFilters(Schema):
    q: str = ""
    industry: str = ""
    region: str = ""
    size: str = ""


@router.get("/accounts", response=list[AccountOut], auth=READ, summary="List accounts")
@paginate(Page)
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> QuerySet[Account]:
    return queries.accounts_matching(**filters.dict())


@router.get("/accounts/{account_id}", response=AccountOut, auth=READ, summary="Read an account")
def get_account(request: HttpRequest, account_id: int) -> Account:
    return get_object_or_404(Account, pk=account_id)


@router.post("/accounts", response={201: AccountOut}, auth=WRITE_CUSTOMERS, summary="Create an account")
def create_account(request: HttpRequest, payload: AccountIn) -> Status[Account]:
    data = resolve(payload.dict(), ACCOUNT_REFS)
    return Status(201, services.account_create(by=actor(request), **data))


@router.patch("/accounts/{account_id}", response=AccountOut, auth=WRITE_CUSTOMERS, summary="Update an account")
def update_account(request: HttpRequest, account_id: int, payload: AccountPatch) -> Account:
    account = get_object_or_404(Account, pk=account_id)
    data = resolve(payload.dict(exclude_unset=True), ACCOUNT_REFS)
    return services.account_update(account=account, by=actor(request), **data)


# Customers


class CustomerFilters(Schema):
    q: str = ""
    email: str = ""
    status: str = ""
    account_id: int | None = None
    region: str = ""
    industry: str = ""
    primary_advocate_id: int | None = None


@router.get("/customers", response=list[CustomerOut], auth=READ, summary="List and search customers")
@paginate(Page)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> QuerySet[Customer]:
    return queries.customers_matching(**filters.dict()).prefetch_related("contact_windows")


@router.get("/customers/{customer_id}", response=CustomerOut, auth=READ, summary="Read a customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.prefetch_related("contact_windows"), pk=customer_id)


@router.post("/customers", response={201: CustomerOut}, auth=WRITE_CUSTOMERS, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[Customer]:
    data = resolve(payload.dict(), CUSTOMER_REFS)
    return Status(201, services.customer_create(by=actor(request), **data))


@router.patch("/customers/{customer_id}", response=CustomerOut, auth=WRITE_CUSTOMERS, summary="Update a customer")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    customer = get_object_or_404(Customer, pk=customer_id)
    data = resolve(payload.dict(exclude_unset=True), CUSTOMER_REFS)
    return services.customer_update(customer=customer, by=actor(request), **data)


# Products


class ProductFilters(Schema):
    q: str = ""
    own: bool | None = None
    competitor: str = ""
    category: str = ""
    active: bool | None = None


@router.get("/products", response=list[ProductOut], auth=READ, summary="List own and competitors' products")
@paginate(Page)
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> QuerySet[Product]:
    return queries.products_matching(**filters.dict())


@router.get("/products/{product_id}", response=ProductOut, auth=READ, summary="Read a product")
def get_product(request: HttpRequest, product_id: int) -> Product:
    return get_object_or_404(Product, pk=product_id)


@router.post("/products", response={201: ProductOut}, auth=WRITE_CATALOGUE, summary="Create a product")
def create_product(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    return Status(201, services.product_create(by=actor(request), **payload.dict()))


@router.patch("/products/{product_id}", response=ProductOut, auth=WRITE_CATALOGUE, summary="Update a product")
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    product = get_object_or_404(Product, pk=product_id)
    return services.product_update(product=product, by=actor(request), **payload.dict(exclude_unset=True))


# Orders


class OrderFilters(Schema):
    customer_id: int | None = None
    product_id: int | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None


@router.get("/orders", response=list[OrderOut], auth=READ, summary="List orders")
@paginate(Page)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> QuerySet[Any]:
    return queries.orders_matching(**filters.dict())


@router.get("/orders/{order_id}", response=OrderOut, auth=READ, summary="Read an order")
def get_order(request: HttpRequest, order_id: int) -> Any:
    return get_object_or_404(queries.orders_matching(), pk=order_id)


@router.post("/orders", response={201: OrderOut}, auth=WRITE_ORDERS, summary="Record an order")
def create_order(request: HttpRequest, payload: OrderIn) -> Status[Any]:
    data = resolve(payload.dict(), ORDER_REFS)
    return Status(201, services.order_create(by=actor(request), **data))


@router.patch("/orders/{order_id}", response=OrderOut, auth=WRITE_ORDERS, summary="Correct an order")
def update_order(request: HttpRequest, order_id: int, payload: OrderPatch) -> Any:
    order = get_object_or_404(queries.orders_matching(), pk=order_id)
    data = resolve(payload.dict(exclude_unset=True), {"product_id": (Product, "product")})
    return services.order_update(order=order, by=actor(request), **data)


# Engagement events


class EventFilters(Schema):
    customer_id: int | None = None
    kind: str = ""
    since: datetime | None = None
    until: datetime | None = None


@router.get("/events", response=list[EventOut], auth=READ, summary="List engagement events")
@paginate(Page)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> QuerySet[Any]:
    return queries.events_matching(**filters.dict())


@router.get("/events/{event_id}", response=EventOut, auth=READ, summary="Read an engagement event")
def get_event(request: HttpRequest, event_id: int) -> Any:
    return get_object_or_404(queries.events_matching(), pk=event_id)


@router.post(
    "/events",
    response={200: EventOut, 201: EventOut},
    auth=WRITE_ORDERS,
    summary="Record an engagement event (200 when it was already recorded)",
)
def create_event(request: HttpRequest, payload: EventIn) -> Status[Any]:
    data = resolve(payload.dict(), {"customer_id": (Customer, "customer")})
    event, created = services.event_record(by=actor(request), **data)
    return Status(201 if created else 200, event)


# Products in use (a competitor's, most often): what the drivers of the score read


@router.get(
    "/customers/{customer_id}/products-in-use",
    response=list[ProductInUseOut],
    auth=READ,
    summary="Products the customer uses that we did not sell them",
)
def list_products_in_use(request: HttpRequest, customer_id: int) -> Any:
    get_object_or_404(Customer, pk=customer_id)
    return queries.products_in_use(customer_id)


@router.put(
    "/customers/{customer_id}/products-in-use",
    response={200: ProductInUseOut, 201: ProductInUseOut},
    auth=WRITE_CUSTOMERS,
    summary="Record that the customer uses a competitor's product (200 when it was already recorded)",
)
def put_product_in_use(request: HttpRequest, customer_id: int, payload: ProductInUseIn) -> Status[Any]:
    customer = get_object_or_404(Customer, pk=customer_id)
    data = resolve(payload.dict(), {"product_id": (Product, "product")})
    row, created = services.product_in_use_record(customer=customer, by=actor(request), **data)
    return Status(201 if created else 200, row)


@router.delete(
    "/customers/{customer_id}/products-in-use/{product_id}",
    response={204: None},
    auth=WRITE_CUSTOMERS,
    summary="The customer no longer uses the product",
)
def delete_product_in_use(request: HttpRequest, customer_id: int, product_id: int) -> Status[None]:
    customer = get_object_or_404(Customer, pk=customer_id)
    product = get_object_or_404(Product, pk=product_id)
    if not services.product_in_use_remove(customer=customer, product=product, by=actor(request)):
        raise Http404("The customer has no such product recorded.")
    return Status(204, None)


# Consent


class ConsentFilters(Schema):
    customer_id: int | None = None
    purpose: str = ""


@router.get("/consents", response=list[ConsentOut], auth=READ, summary="Consent history, newest first")
@paginate(Page)
def list_consents(request: HttpRequest, filters: Query[ConsentFilters]) -> QuerySet[Any]:
    return queries.consents_matching(**filters.dict())


@router.get("/consents/{consent_id}", response=ConsentOut, auth=READ, summary="Read one consent record")
def get_consent(request: HttpRequest, consent_id: int) -> Any:
    return get_object_or_404(queries.consents_matching(), pk=consent_id)


@router.post(
    "/consents",
    response={201: ConsentOut},
    auth=WRITE_CUSTOMERS,
    summary="Record a grant or withdrawal (history is append-only: this is also how consent changes)",
)
def create_consent(request: HttpRequest, payload: ConsentIn) -> Status[Any]:
    data = resolve(payload.dict(), {"customer_id": (Customer, "customer")})
    return Status(201, services.consent_record(by=actor(request), **data))
