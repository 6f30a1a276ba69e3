"""Upsert one batch of clean rows: a fixed number of queries per batch, whatever its size.

Each writer reads the existing rows and every referenced row of the batch in bulk (staged, then one
index probe per ref: ``bulk.joined``, ``bulk.existing``), works out which rows are new, which changed
and which did not, and then moves them in bulk through a staging table (``bulk.upsert``), touching
only rows whose values changed. So importing the same file twice writes nothing the second time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Model, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.customers.consent import consent_changed, consents_in_force
from advocacy.customers.importing import bulk
from advocacy.customers.importing.bulk import NewRow
from advocacy.customers.importing.mapping import CONSENT_FIELDS, ColumnMap
from advocacy.customers.importing.rows import Row, RowError
from advocacy.customers.models import (
    Account,
    Consent,
    ContactWindow,
    Customer,
    CustomerStatus,
    EngagementEvent,
    Order,
    Product,
    SocialHandle,
)


@dataclass
class Outcome:
    """What one batch did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    accounts_created: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """The writes one batch needs, gathered before any is made."""

    new: list[NewRow] = field(default_factory=list)
    changed: dict[int, Model] = field(default_factory=dict)
    changed_fields: set[str] = field(default_factory=set)


def assign(obj: Model, values: dict[str, Any]) -> list[str]:
    """Set the values that differ on ``obj``; return the names of those that did."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def lower_set(values: Iterable[str | None]) -> set[str]:
    return {value.lower() for value in values if value}


class BatchWriter(ABC):
    """The shared part: duplicate detection across the file, counting, and the bulk writes."""

    model: ClassVar[type[Model]]
    touches_updated_at: ClassVar[bool] = True
    # The unique column a new row is matched on if another import stored it meanwhile (ON CONFLICT).
    key: ClassVar[str | None] = "external_id"

    def __init__(self, *, columns: ColumnMap, by: User | None = None, file_name: str = "") -> None:
        self.columns = columns
        self.by = by
        self.file_name = file_name
        # key -> line of its first row; kept for the whole file so duplicates across batches count.
        self.seen: dict[tuple[Any, ...], int] = {}

    def write(self, rows: list[Row], *, apply: bool) -> Outcome:
        outcome = Outcome()
        plan = Plan()
        self.plan(rows, plan, outcome)
        if apply:
            self.persist(plan)
        return outcome

    @abstractmethod
    def plan(self, rows: list[Row], plan: Plan, outcome: Outcome) -> None:
        """Check each row, claim its keys and queue its object in ``plan``; bad rows go to ``outcome``."""

    def persist(self, plan: Plan) -> None:
        if not plan.new and not plan.changed:
            return
        fields = sorted(plan.changed_fields)
        if plan.changed and self.touches_updated_at:
            fields.append("updated_at")  # the moment of change, set in SQL for every changed row
        bulk.upsert(
            self.model,
            new=plan.new,
            changed=list(plan.changed.values()),
            changed_fields=fields,
            key=self.key,
            now=timezone.now(),
            read_back=self.needs_new_ids(),
        )

    def needs_new_ids(self) -> bool:
        """Whether rows written after this batch's own need the primary keys of the rows it creates."""
        return False

    # helpers for the kinds

    def error(self, outcome: Outcome, row: Row, name: str, reason: str) -> None:
        outcome.errors.append(RowError(row.line, self.columns.header_of(name), row.raw.get(name, ""), reason))

    def claim(self, outcome: Outcome, row: Row, keys: list[tuple[str, Any]]) -> bool:
        """Record the row's identifying keys; a key already seen makes it a duplicate of that line."""
        for name, value in keys:
            first = self.seen.get((name, value))
            if first is not None:
                self.error(outcome, row, name, f"duplicate of line {first}")
                return False
        for name, value in keys:
            self.seen[(name, value)] = row.line
        return True

    def record(
        self,
        plan: Plan,
        outcome: Outcome,
        obj: Model | NewRow,
        values: dict[str, Any],
        *,
        extra_change: bool = False,
    ) -> None:
        """Count and queue a new row or an existing object with the values the row gives it."""
        if isinstance(obj, NewRow):
            obj.values = values
            plan.new.append(obj)
            outcome.created += 1
            return
        changed = assign(obj, values)
        if changed:
            plan.changed[obj.pk] = obj
            plan.changed_fields.update(changed)
        if changed or extra_change:
            outcome.updated += 1
        else:
            outcome.unchanged += 1


class UserLookup:
    """Staff users named by username or email, found in one query per batch."""

    def __init__(self, refs: Iterable[str]) -> None:
        wanted = lower_set(refs)
        users = (
            User.objects.annotate(
                lower_username=Lower("username"),
                lower_email=Lower("email"),
                lower_name=Lower(Concat("first_name", Value(" "), "last_name")),
            ).filter(Q(lower_username__in=wanted) | Q(lower_email__in=wanted) | Q(lower_name__in=wanted))
            if wanted
            else []
        )
        self.by_ref: dict[str, User] = {}
        named: dict[str, list[User]] = {}
        for user in users:
            self.by_ref.setdefault(user.username.lower(), user)
            if user.email:
                self.by_ref.setdefault(user.email.lower(), user)
            named.setdefault(user.get_full_name().lower(), []).append(user)
        # CRMs export an owner by full name ("Jane Smith"); a name two staff share finds no one.
        for name, holders in named.items():
            if name and len(holders) == 1:
                self.by_ref.setdefault(name, holders[0])

    def find(self, ref: str, *, role: str | None = None) -> tuple[User | None, str]:
        user = self.by_ref.get(ref.lower())
        if user is None or not user.is_active or user.is_service:
            return None, f"no active staff user has username or email {ref!r}"
        if role is not None and user.role != role:
            return None, f"{ref!r} is a {user.get_role_display().lower()}, not a {Role(role).label.lower()}"
        return user, ""


def customer_ids(refs: Iterable[str]) -> dict[str, int]:
    """ref → customer id for refs naming a customer by external id or email (the id wins), probed for
    each staged ref: two index lookups per ref, whatever the size of the table."""
    wanted = {ref for ref in refs if ref}
    if not wanted:
        return {}
    by_id, by_email = customer_probes()
    found = bulk.joined(wanted, f"SELECT s.ref, COALESCE({by_id}, {by_email}) FROM {{stage}} s")  # noqa: S608 (names from the models)
    return {ref: pk for ref, pk in found if pk is not None}


def customer_probes() -> tuple[str, str]:
    """The customer whose external id is the staged ref, and the one whose email is it lower-cased."""
    table = Customer._meta.db_table
    return bulk.probe(table, "external_id", "s.ref"), bulk.probe(table, "email", "s.ref_lower")


class CustomerRefs:
    """The customers a batch's rows refer to (orders, events), as ids."""

    def __init__(self, refs: Iterable[str]) -> None:
        self.ids = customer_ids(refs)

    def find(self, ref: str) -> tuple[int | None, str]:
        customer_id = self.ids.get(ref)
        if customer_id is None:
            return None, f"unknown customer {ref!r}: no customer has this external id or email"
        return customer_id, ""


class CustomerLookup:
    """The existing customers whose external id or email a customers batch gives, as model objects
    (every match: a row whose id and email name two customers is refused, so both are needed)."""

    def __init__(self, refs: Iterable[str]) -> None:
        wanted = {ref for ref in refs if ref}
        by_id, by_email = customer_probes()
        pairs = (
            bulk.joined(wanted, f"SELECT {by_id}, {by_email} FROM {{stage}} s") if wanted else []  # noqa: S608 (names from the models)
        )
        ids = {pk for pair in pairs for pk in pair if pk is not None}
        found = Customer.objects.filter(pk__in=ids) if ids else []
        self.by_external_id = {c.external_id: c for c in found if c.external_id}
        self.by_email = {c.email: c for c in found}


# --- accounts -----------------------------------------------------------------------------------


UNKNOWN_ACCOUNT = "unknown account"
PENDING_ACCOUNT = -1


class AccountLookup:
    """Accounts named by external id or (case-blind) name, in one query per batch."""

    def __init__(self, refs: Iterable[str]) -> None:
        wanted = {ref for ref in refs if ref}
        found = (
            Account.objects.annotate(lower_name=Lower("name")).filter(
                Q(external_id__in=wanted) | Q(lower_name__in=lower_set(wanted))
            )
            if wanted
            else []
        )
        self.by_external_id = {a.external_id: a for a in found if a.external_id}
        self.by_name: dict[str, list[Account]] = defaultdict(list)
        for account in found:
            self.by_name[account.name.lower()].append(account)

    def find(self, ref: str) -> tuple[Account | None, str]:
        if ref in self.by_external_id:
            return self.by_external_id[ref], ""
        named = self.by_name.get(ref.lower(), [])
        if len(named) > 1:
            return None, f"{len(named)} accounts are named {ref!r}; give the account's external id"
        if not named:
            return None, UNKNOWN_ACCOUNT
        return named[0], ""

    def unknown_reason(self, ref: str) -> str:
        return (
            f"unknown account {ref!r}: no account has this external id or name; import accounts first "
            "(or set IMPORT_UNKNOWN_ACCOUNTS=create)"
        )


class AccountWriter(BatchWriter):
    model = Account

    def plan(self, rows: list[Row], plan: Plan, outcome: Outcome) -> None:
        existing = AccountLookup(row.get("external_id") or row.values["name"] for row in rows)
        owners = UserLookup(row.get("owner") for row in rows if row.get("owner"))
        for row in rows:
            external_id = row.get("external_id")
            key = ("external_id", external_id) if external_id else ("name", row.values["name"].lower())
            if not self.claim(outcome, row, [key]):
                continue
            account, reason = self.match(row, existing)
            if reason or (account and not self.claim(outcome, row, [("name", ("account", account.pk))])):
                if reason:
                    self.error(outcome, row, "name", reason)
                continue
            values = {k: v for k, v in row.values.items() if k != "owner"}
            if row.get("owner"):
                owner, reason = owners.find(row.values["owner"])
                if owner is None:
                    self.error(outcome, row, "owner", reason)
                    continue
                values["owner_id"] = owner.pk
            self.record(plan, outcome, account or NewRow(), values)

    def match(self, row: Row, existing: AccountLookup) -> tuple[Account | None, str]:
        external_id = row.get("external_id")
        if external_id:
            return existing.by_external_id.get(external_id), ""
        # Without an id the name is the key; an account found by name keeps the id it has.
        named = existing.by_name.get(row.values["name"].lower(), [])
        if len(named) > 1:
            return None, f"{len(named)} accounts are named {row.values['name']!r}; add an external id column"
        return (named[0] if named else None), ""


# --- customers ----------------------------------------------------------------------------------


class CustomerWriter(BatchWriter):
    """Customers, and with them their contact windows and consent history."""

    model = Customer
    key = "email"

    def needs_new_ids(self) -> bool:
        return bool(self.windows_to_replace or self.consents_to_add or self.handles_to_replace)

    def plan(self, rows: list[Row], plan: Plan, outcome: Outcome) -> None:
        existing = CustomerLookup([r.get("external_id") or "" for r in rows] + [r.values["email"] for r in rows])
        accounts = AccountLookup(row.get("account") for row in rows if row.get("account"))
        advocates = UserLookup(row.get("primary_advocate") for row in rows if row.get("primary_advocate"))
        matched = [self.match(row, existing) for row in rows]
        known_ids = [c.pk for c, _ in matched if c is not None]
        gives_windows = self.columns.gives("contact_hours")
        gives_consents = any(map(self.columns.gives, CONSENT_FIELDS))
        windows = current_windows(known_ids if gives_windows else [])
        current_handles = handles_of(known_ids if self.columns.gives("social_handles") else [])
        consents = consents_in_force(known_ids if gives_consents else [])
        self.windows_to_replace: list[tuple[Customer | NewRow, list[tuple[Any, ...]]]] = []
        self.consents_to_add: list[tuple[Customer | NewRow, Row, str, bool]] = []
        self.handles_to_replace: list[tuple[Customer | NewRow, list[str]]] = []
        handle_owners = handles_taken([h for row in rows for h in row.get("social_handles") or []])
        self.handles_claimed: dict[str, int] = {}
        self.new_accounts: dict[str, Account] = {}
        self.account_links: list[tuple[int, Account]] = []
        self.targets_by_line: dict[int, Customer | NewRow] = {}
        for row, (customer, reason) in zip(rows, matched, strict=True):
            keys: list[tuple[str, Any]] = [("email", row.values["email"])]
            if row.get("external_id"):
                keys.insert(0, ("external_id", row.values["external_id"]))
            if customer is not None:
                keys.append(("email", ("customer", customer.pk)))  # two rows, one customer
            if not self.claim(outcome, row, keys):
                continue
            if reason:
                self.error(outcome, row, "email", reason)
                continue
            values = self.field_values(row, outcome, accounts, advocates)
            if values is None or not self.check_handles(row, customer, handle_owners, outcome):
                continue
            target = customer or NewRow()
            self.targets_by_line[row.line] = target
            extra = gives_windows and self.plan_windows(target, row, windows)
            extra = (gives_consents and self.plan_consents(target, row, consents)) or extra
            wanted_handles = row.get("social_handles")
            if wanted_handles is not None and (customer is None or current_handles.get(customer.pk) != wanted_handles):
                self.handles_to_replace.append((target, wanted_handles))
                extra = True
            self.record(plan, outcome, target, values, extra_change=extra)

    def account_to_create(self, name: str, outcome: Outcome) -> Account:
        """A CRM contacts export names each contact's company: an account not seen before is made, once
        per name, and listed in the report."""
        key = name.lower()
        if key not in self.new_accounts:
            self.new_accounts[key] = Account(name=name[:200])
            outcome.accounts_created.append(name[:200])
        return self.new_accounts[key]

    def match(self, row: Row, existing: CustomerLookup) -> tuple[Customer | None, str]:
        """The customer the row means; a row whose id and email point at two customers is refused."""
        email, external_id = row.values["email"], row.get("external_id")
        by_id = existing.by_external_id.get(external_id) if external_id else None
        by_email = existing.by_email.get(email)
        if by_id and by_email and by_id.pk != by_email.pk:
            return None, f"{email} belongs to another customer (external id {by_email.external_id or 'none'})"
        customer = by_id or by_email
        if customer and external_id and customer.external_id and customer.external_id != external_id:
            return None, f"{email} belongs to the customer with external id {customer.external_id!r}"
        return customer, ""

    def field_values(
        self, row: Row, outcome: Outcome, accounts: AccountLookup, advocates: UserLookup
    ) -> dict[str, Any] | None:
        simple = (
            "external_id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "time_zone",
            "locale",
            "status",
            "customer_since",
            "churned_on",
        )
        values = {name: row.values[name] for name in simple if name in row.values}
        if values.get("status") == CustomerStatus.ACTIVE:
            values["churned_on"] = None  # an active customer is no longer churned
        ok = True
        if row.get("account"):
            ref = row.values["account"]
            account, reason = accounts.find(ref)
            if account is None and reason == UNKNOWN_ACCOUNT and settings.IMPORT_UNKNOWN_ACCOUNTS == "create":
                # The id is set once the account is written (persist); until then a value no row has,
                # so the change is planned.
                values["account_id"] = PENDING_ACCOUNT
                self.account_links.append((row.line, self.account_to_create(ref, outcome)))
            elif account is None:
                self.error(
                    outcome, row, "account", accounts.unknown_reason(ref) if reason == UNKNOWN_ACCOUNT else reason
                )
                ok = False
            else:
                values["account_id"] = account.pk
        if row.get("primary_advocate"):
            advocate, reason = advocates.find(row.values["primary_advocate"], role=Role.CUSTOMER_ADVOCATE)
            if advocate is None:
                self.error(outcome, row, "primary_advocate", reason)
                ok = False
            else:
                values["primary_advocate_id"] = advocate.pk
        return values if ok else None

    def check_handles(
        self, row: Row, customer: Customer | None, owners: dict[str, tuple[int, str]], outcome: Outcome
    ) -> bool:
        """A handle is one customer's: a row may not take another customer's handle."""
        for handle in row.get("social_handles") or []:
            owner_id, owner_email = owners.get(handle, (None, ""))
            if owner_id is not None and (customer is None or owner_id != customer.pk):
                self.error(outcome, row, "social_handles", f"@{handle} is the handle of {owner_email}")
                return False
            if self.handles_claimed.setdefault(handle, row.line) != row.line:
                self.error(
                    outcome, row, "social_handles", f"@{handle} is given on line {self.handles_claimed[handle]} too"
                )
                return False
        return True

    def plan_windows(self, customer: Customer | NewRow, row: Row, windows: dict[int, list[tuple[Any, ...]]]) -> bool:
        wanted = row.get("contact_hours")
        if wanted is None or (customer.pk is not None and windows.get(customer.pk, []) == wanted):
            return False
        self.windows_to_replace.append((customer, wanted))
        return True

    def plan_consents(self, customer: Customer | NewRow, row: Row, consents: dict[tuple[int, str], bool]) -> bool:
        """Append a consent only where it differs from the one in force, so history stays truthful."""
        added = False
        for name in CONSENT_FIELDS:
            granted = row.get(name)
            purpose = name.removeprefix("consent_")
            if granted is None or consents.get((customer.pk or 0, purpose)) == granted:
                continue
            self.consents_to_add.append((customer, row, purpose, granted))
            added = True
        return added

    def persist(self, plan: Plan) -> None:
        replaced = [customer.pk for customer, _ in self.windows_to_replace if customer.pk is not None]
        if self.new_accounts:
            Account.objects.bulk_create(list(self.new_accounts.values()))
            for line, account in self.account_links:
                target = self.targets_by_line[line]
                if isinstance(target, NewRow):
                    target.values["account_id"] = account.pk
                else:
                    target.account_id = account.pk
        super().persist(plan)  # new customers get their primary keys here
        if replaced:
            ContactWindow.objects.filter(customer_id__in=replaced).delete()
        ContactWindow.objects.bulk_create(
            ContactWindow(customer_id=written_id(customer), weekday=day, starts=starts, ends=ends)
            for customer, windows in self.windows_to_replace
            for day, starts, ends in windows
        )
        now = timezone.now()
        added = Consent.objects.bulk_create(
            Consent(
                customer_id=written_id(customer),
                purpose=purpose,
                granted=granted,
                source="import",
                recorded_at=now,
                recorded_by=self.by,
                note=f"{self.file_name or 'import'}, line {row.line}",
            )
            for customer, row, purpose, granted in self.consents_to_add
        )
        consent_changed(added)
        handled = [written_id(customer) for customer, _ in self.handles_to_replace]
        SocialHandle.objects.filter(customer_id__in=handled).delete()
        SocialHandle.objects.bulk_create(
            SocialHandle(customer_id=written_id(customer), handle=handle)
            for customer, handles in self.handles_to_replace
            for handle in handles
        )


def written_id(customer: Customer | NewRow) -> int:
    """A customer's id once its batch is written (``persist`` reads new customers' ids back first)."""
    assert customer.pk is not None, f"{customer} has no id yet: the batch's customers are not written"
    return customer.pk


def handles_of(customer_ids: list[int]) -> dict[int, list[str]]:
    """customer id → the customer's handles, sorted as the import's cleaner sorts them (in Python: a
    database's collation may order punctuation otherwise)."""
    handles: dict[int, list[str]] = defaultdict(list)
    if customer_ids:
        for customer_id, handle in SocialHandle.objects.filter(customer_id__in=customer_ids).values_list(
            "customer_id", "handle"
        ):
            handles[customer_id].append(handle)
    return {customer_id: sorted(found) for customer_id, found in handles.items()}


def handles_taken(handles: list[str]) -> dict[str, tuple[int, str]]:
    """handle → (customer id, email) for the handles already on a customer."""
    rows = SocialHandle.objects.filter(handle__in=set(handles)).values_list("handle", "customer_id", "customer__email")
    return {handle: (customer_id, email) for handle, customer_id, email in rows}


def current_windows(customer_ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    windows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    if customer_ids:
        for w in ContactWindow.objects.filter(customer_id__in=customer_ids).order_by("weekday", "starts"):
            windows[w.customer_id].append((w.weekday, w.starts, w.ends))
    return windows


# --- products -----------------------------------------------------------------------------------


class ProductWriter(BatchWriter):
    model = Product

    def plan(self, rows: list[Row], plan: Plan, outcome: Outcome) -> None:
        existing = bulk.existing(Product, "external_id", [row.values["external_id"] for row in rows])
        for row in rows:
            if not self.claim(outcome, row, [("external_id", row.values["external_id"])]):
                continue
            self.record(plan, outcome, existing.get(row.values["external_id"]) or NewRow(), row.values)


# --- orders -------------------------------------------------------------------------------------


class OrderWriter(BatchWriter):
    model = Order
    touches_updated_at = False  # orders are facts with no updated_at of their own

    def plan(self, rows: list[Row], plan: Plan, outcome: Outcome) -> None:
        existing = bulk.existing(Order, "external_id", [row.values["external_id"] for row in rows])
        customers = CustomerRefs(row.values["customer"] for row in rows)
        products = Product.objects.in_bulk({row.values["product"] for row in rows}, field_name="external_id")
        for row in rows:
            if not self.claim(outcome, row, [("external_id", row.values["external_id"])]):
                continue
            values = self.field_values(row, outcome, customers, products)
            if values is not None:
                self.record(plan, outcome, existing.get(row.values["external_id"]) or NewRow(), values)

    def field_values(
        self, row: Row, outcome: Outcome, customers: CustomerRefs, products: dict[str, Product]
    ) -> dict[str, Any] | None:
        customer_id, reason = customers.find(row.values["customer"])
        if customer_id is None:
            self.error(outcome, row, "customer", reason)
        product = products.get(row.values["product"])
        if product is None:
            self.error(
                outcome,
                row,
                "product",
                f"unknown product {row.values['product']!r}: no product has this SKU; import products first",
            )
        if customer_id is None or product is None:
            return None
        values = {k: v for k, v in row.values.items() if k not in {"customer", "product"}}
        values["customer_id"], values["product_id"] = customer_id, product.pk
        # An order without a currency is in its product's currency.
        values.setdefault("currency", product.currency)
        return values


# --- engagement events --------------------------------------------------------------------------


class EventWriter(BatchWriter):
    """Events are one per customer, kind and moment; an event id, when given, is a second key."""

    model = EngagementEvent
    touches_updated_at = False

    def plan(self, rows: list[Row], plan: Plan, outcome: Outcome) -> None:
        customers = CustomerRefs(row.values["customer"] for row in rows)
        resolved = [customers.find(row.values["customer"]) for row in rows]
        by_id, by_moment = existing_events(rows, [c for c, _ in resolved if c is not None])
        for row, (customer_id, reason) in zip(rows, resolved, strict=True):
            if customer_id is None:
                self.error(outcome, row, "customer", reason)
                continue
            moment = (customer_id, row.values["kind"], row.values["occurred_at"])
            keys: list[tuple[str, Any]] = [("occurred_at", moment)]
            if row.get("external_id"):
                keys.insert(0, ("external_id", row.values["external_id"]))
            if not self.claim(outcome, row, keys):
                continue
            event, reason = self.match(row, by_id, by_moment.get(moment))
            if reason:
                self.error(outcome, row, "external_id" if row.get("external_id") else "occurred_at", reason)
                continue
            values = {k: v for k, v in row.values.items() if k != "customer"}
            values["customer_id"] = customer_id
            self.record(plan, outcome, event or NewRow(), values)

    def match(
        self, row: Row, by_id: dict[str, EngagementEvent], same_moment: EngagementEvent | None
    ) -> tuple[EngagementEvent | None, str]:
        external_id = row.get("external_id")
        event = by_id.get(external_id) if external_id else None
        if event and same_moment and event.pk != same_moment.pk:
            return None, "another event already has this customer, kind and time"
        if event is None and same_moment and external_id and same_moment.external_id not in (None, external_id):
            return None, f"this customer, kind and time is already event {same_moment.external_id!r}"
        return event or same_moment, ""


def existing_events(
    rows: list[Row], customer_ids: list[int]
) -> tuple[dict[str, EngagementEvent], dict[tuple[int, str, datetime], EngagementEvent]]:
    """Existing events by id and by (customer, kind, moment), in two queries."""
    ids = [row.values["external_id"] for row in rows if row.get("external_id")]
    by_id = bulk.existing(EngagementEvent, "external_id", ids)
    moments = {row.values["occurred_at"] for row in rows}
    same_time = (
        EngagementEvent.objects.filter(customer_id__in=customer_ids, occurred_at__in=moments) if customer_ids else []
    )
    by_moment = {(e.customer_id, e.kind, e.occurred_at): e for e in same_time}
    return by_id, by_moment


WRITERS: dict[str, type[BatchWriter]] = {
    "customers": CustomerWriter,
    "accounts": AccountWriter,
    "products": ProductWriter,
    "orders": OrderWriter,
    "events": EventWriter,
}
