"""Which file column feeds which field: canonical names per kind, and the names CRMs export them under.

Headers are compared after lower-casing and dropping everything but letters and digits, so
"E-mail Address", "email_address" and "EMAIL ADDRESS" are one name. An explicit mapping
{file header: field} wins over the synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from advocacy.customers.importing.readers import ImportRefused

CONSENT_FIELDS = {
    "consent_surveys": ("surveys consent", "survey consent", "consent surveys", "surveys"),
    "consent_marketing": (
        "marketing consent",
        "consent marketing",
        "marketing opt in",
        "email opt in",
        "marketing emails opt in",
    ),
    "consent_testimonial": ("testimonial consent", "consent testimonial"),
    "consent_reference_call": ("reference call consent", "reference consent", "consent reference call"),
    "consent_public_story": ("public story consent", "story consent", "consent public story"),
}

# field -> names it may appear under (the field's own name is always accepted).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "external_id": (
            "external id",
            "record id",
            "contact id",
            "customer id",
            "crm id",
            "lead id",
            "person id",
            "id",
        ),
        "email": (
            "email",
            "email address",
            "e-mail",
            "e-mail address",
            "primary email",
            "work email",
            "contact email",
            "person email",
            "email 1",
            "person email work",  # Pipedrive: "Person - Email - Work"
            "person email home",
            "person email other",
        ),
        "first_name": ("first name", "firstname", "given name", "forename", "person first name"),
        "last_name": ("last name", "lastname", "surname", "family name", "person last name"),
        "phone": (
            "phone",
            "phone number",
            "mobile",
            "mobile phone",
            "mobile phone number",
            "telephone",
            "work phone",
            "business phone",
            "person phone",  # Pipedrive: "Person - Phone - Work"
            "person phone work",
            "person phone mobile",
        ),
        "time_zone": ("time zone", "timezone", "tz", "iana time zone"),
        "locale": ("locale", "language", "preferred language"),
        "account": (
            "account",
            "account name",
            "account id",
            "company",
            "company name",
            "company id",
            "organization",
            "organisation",
            "organization name",
            "organisation name",
            "associated company",
            "associated company primary",  # HubSpot: "Associated Company (Primary)"
            "account external id",
            "person organization",  # Pipedrive: "Person - Organization"
            "person organisation",
        ),
        "status": ("status", "customer status"),
        "customer_since": ("customer since", "became a customer date", "customer since date", "start date"),
        "churned_on": ("churned on", "churn date", "churned date", "cancellation date", "cancelled on"),
        "social_handles": (
            "social handles",
            "social handle",
            "handles",
            "handle",
            "twitter",
            "twitter handle",
            "mastodon",
        ),
        "contact_hours": ("contact hours", "contact windows", "preferred contact hours", "best time to contact"),
        "primary_advocate": ("primary advocate", "customer advocate", "advocate", "advocate email"),
        **CONSENT_FIELDS,
    },
    "accounts": {
        "external_id": (
            "external id",
            "record id",
            "account id",
            "company id",
            "organization id",
            "organisation id",
            "crm id",
            "id",
        ),
        "name": (
            "name",
            "account name",
            "organization name",  # Pipedrive: "Organization - Name"
            "company name",
            "company",
            "organization name",
            "organisation name",
            "organization",
            "organisation",
        ),
        "kind": ("kind", "account kind"),
        "industry": ("industry", "sector", "vertical", "organization industry"),
        "region": (
            "region",
            "sales region",
            "territory",
            "billing region",
            "country region",  # HubSpot: "Country/Region"
            "billing country",  # Salesforce and Zoho
            "country",
            "organization country",
        ),
        # A word (small, mid-market, enterprise) or a head count, which is bucketed (rows.company_size).
        "size": (
            "size",
            "company size",
            "account size",
            "segment",
            "number of employees",  # HubSpot
            "employees",  # Salesforce and Zoho
            "employee count",
            "organization number of employees",
        ),
        "owner": (
            "owner",
            "account owner",
            "company owner",
            "owner email",
            "owner username",
            "organization owner",  # Pipedrive: "Organization - Owner"
        ),
    },
    "products": {
        "external_id": (
            "sku",
            "product sku",
            "product id",
            "product code",
            "item code",
            "external id",
            "record id",
            "id",
        ),
        "name": ("name", "product name", "product"),
        "competitor": ("competitor", "competitor name", "vendor"),
        "category": ("category", "product category", "product family", "family"),
        "price": ("price", "unit price", "list price"),
        "currency": ("currency", "currency code", "price currency"),
        "margin_pct": ("margin pct", "margin", "margin %", "margin percent", "gross margin"),
        "capability_tags": ("capability tags", "capabilities", "tags"),
    },
    "orders": {
        "external_id": (
            "external id",
            "order id",
            "deal id",
            "opportunity id",
            "invoice id",
            "transaction id",
            "record id",
            "order number",
            "id",
        ),
        "customer": (
            "customer",
            "customer email",
            "customer id",
            "email",
            "email address",
            "contact",
            "contact email",
            "contact id",
            "customer external id",
        ),
        "product": ("product", "product sku", "sku", "product id", "product code", "item code"),
        "amount": ("amount", "total", "order total", "deal amount", "opportunity amount", "revenue"),
        "currency": ("currency", "currency code", "deal currency"),
        "kind": ("kind", "order kind", "order type", "deal type", "type"),
        "ordered_on": ("ordered on", "date", "order date", "close date", "closed date", "purchase date"),
    },
    "events": {
        "external_id": ("external id", "event id", "activity id", "record id", "id"),
        "customer": (
            "customer",
            "customer email",
            "customer id",
            "email",
            "email address",
            "contact",
            "contact email",
            "contact id",
        ),
        "kind": ("kind", "type", "event type", "activity type", "event"),
        "occurred_at": (
            "occurred at",
            "timestamp",
            "time",
            "date",
            "event date",
            "activity date",
            "occurred on",
            "created at",
        ),
        "value": ("value", "amount", "score"),
        # What the event was about; for "used a feature", the feature (a capability tag).
        "detail": ("detail", "feature", "feature name", "feature used", "subject", "activity detail"),
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("email",),
    "accounts": ("name",),
    "products": ("external_id", "name", "price"),
    # Without an order id a second import could not tell a repeat from a new order.
    "orders": ("external_id", "customer", "product", "amount", "ordered_on"),
    "events": ("customer", "kind", "occurred_at"),
}

KINDS = tuple(SYNONYMS)


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def fields_of(kind: str) -> list[str]:
    return list(SYNONYMS[kind])


@dataclass
class ColumnMap:
    """For one file: the column index and header feeding each field, and the columns left out."""

    columns: dict[str, int]
    headers: dict[str, str]
    ignored: list[str] = field(default_factory=list)
    width: int = 0

    def header_of(self, field_name: str) -> str:
        return self.headers.get(field_name, field_name)

    def gives(self, field_name: str) -> bool:
        return field_name in self.columns


def map_columns(kind: str, headers: list[str], explicit: dict[str, str] | None = None) -> ColumnMap:
    """Match each header to a field; refuse when a required field has no column.

    When two columns are names for one field (an "Email" and an "E-mail Address"), the first
    is read and the other listed as ignored; two columns mapped explicitly to one field are refused.
    """
    if kind not in SYNONYMS:
        raise ImportRefused(f"Unknown import kind {kind!r}; use one of: {', '.join(KINDS)}.")
    chosen = _explicit_fields(kind, headers, explicit or {})
    columns: dict[str, int] = {target: index for index, target in chosen.items() if target}
    lookup = _synonym_lookup(kind)
    ignored: list[str] = []
    for index, header in enumerate(headers):
        if index in chosen:
            if chosen[index] is None:
                ignored.append(header)
            continue
        target = lookup.get(normalise(header))
        if target is None or target in columns:
            if header:
                ignored.append(header)
            continue
        columns[target] = index
    _refuse_missing(kind, columns, headers)
    names = {target: headers[index] for target, index in columns.items()}
    return ColumnMap(columns=columns, headers=names, ignored=ignored, width=len(headers))


def _synonym_lookup(kind: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, synonyms in SYNONYMS[kind].items():
        for synonym in (name, *synonyms):
            lookup.setdefault(normalise(synonym), name)
    return lookup


def _explicit_fields(kind: str, headers: list[str], explicit: dict[str, str]) -> dict[int, str | None]:
    """Column index -> field for the explicit mapping; a field of '' or '-' leaves the column out."""
    by_header = {normalise(h): i for i, h in enumerate(headers)}
    known = {normalise(f): f for f in SYNONYMS[kind]}
    chosen: dict[int, str | None] = {}
    for header, target in explicit.items():
        index = by_header.get(normalise(header))
        if index is None:
            raise ImportRefused(
                f"The mapping names column {header!r}, which the file does not have. "
                f"Columns found: {_listing(headers)}."
            )
        if target.strip() in {"", "-"}:
            chosen[index] = None
            continue
        if normalise(target) not in known:
            raise ImportRefused(
                f"The mapping sends {header!r} to {target!r}, which is not a {kind} field. "
                f"Fields: {', '.join(SYNONYMS[kind])}."
            )
        if known[normalise(target)] in chosen.values():
            raise ImportRefused(f"The mapping sends two columns to {known[normalise(target)]}; keep one.")
        chosen[index] = known[normalise(target)]
    return chosen


def _refuse_missing(kind: str, columns: dict[str, int], headers: list[str]) -> None:
    missing = [name for name in REQUIRED[kind] if name not in columns]
    if missing:
        raise ImportRefused(
            f"Missing required column(s) for {kind}: {', '.join(missing)}. "
            f"Columns found: {_listing(headers)}. The first line must name the columns; "
            f"give a mapping if they have other names."
        )


def _listing(headers: Iterable[str]) -> str:
    shown = [repr(h) for h in headers if h][:30]
    return ", ".join(shown) or "none"


def parse_mapping_lines(lines: Iterable[str]) -> dict[str, str]:
    """'Header=field' lines (from --map or the upload form) as a mapping; blank lines are skipped."""
    mapping: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        header, sep, target = line.rpartition("=")
        if not sep or not header.strip():
            raise ValueError(f"mapping line {line!r} should look like 'Header=field'")
        mapping[header.strip()] = target.strip()
    return mapping
