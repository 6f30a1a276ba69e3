"""Accounts, customers, consent, products, orders and engagement: the data everything else reads.

Invariants live in the database: emails are stored lower-case and unique, amounts are never
negative, a churned customer has a churn date and only a churned one does, windows end after
they start.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper


class AccountKind(models.TextChoices):
    BUSINESS = "business", "Business"
    HOUSEHOLD = "household", "Household"


class AccountSize(models.TextChoices):
    SMALL = "small", "Small (1–49)"
    MID = "mid", "Mid-market (50–999)"
    ENTERPRISE = "enterprise", "Enterprise (1000+)"
    CONSUMER = "consumer", "Consumer"


class Account(models.Model):
    """The company or household a customer belongs to."""

    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=AccountKind.choices, default=AccountKind.BUSINESS)
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=16, choices=AccountSize.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["industry"]), models.Index(fields=["region"])]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="account_name_not_blank"),
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="account_kind_valid"),
            models.CheckConstraint(condition=Q(size__in=[*AccountSize.values, ""]), name="account_size_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CHURNED = "churned", "Churned"


class Customer(models.Model):
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # Stored lower-case (a check constraint holds it), so the plain unique index is case-blind.
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    locale = models.CharField(max_length=16, default="en")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers")
    primary_advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_customers",
        help_text="The customer advocate who owns this customer's new cases.",
    )
    status = models.CharField(max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    customer_since = models.DateField(null=True, blank=True)
    churned_on = models.DateField(null=True, blank=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer's personal data was erased (the row stays, anonymised)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(email=Lower("email")), name="customer_email_lowercase"),
            models.CheckConstraint(condition=~Q(email=""), name="customer_email_not_blank"),
            models.CheckConstraint(condition=Q(status__in=CustomerStatus.values), name="customer_status_valid"),
            models.CheckConstraint(
                condition=(
                    Q(status=CustomerStatus.CHURNED, churned_on__isnull=False)
                    | Q(status=CustomerStatus.ACTIVE, churned_on__isnull=True)
                ),
                name="customer_churn_date_iff_churned",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactWindow(models.Model):
    """A weekly window in which the customer prefers to be contacted, in the customer's zone."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_windows", db_index=False)
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="window_weekday_valid"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="window_ends_after_start"),
            models.UniqueConstraint(fields=["customer", "weekday", "starts"], name="window_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.starts:%H:%M}–{self.ends:%H:%M}"


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class SocialHandle(models.Model):
    """A public handle the customer writes under (``alice``, ``alice@mastodon.social``): listening ties a
    mention to its customer by it. Stored lower-case without the leading @, and one customer's only."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="social_handles")
    handle = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["handle"]
        constraints = [
            models.CheckConstraint(condition=Q(handle=Lower("handle")), name="social_handle_lowercase"),
            models.CheckConstraint(condition=~Q(handle="") & ~Q(handle__startswith="@"), name="social_handle_bare"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"


def normalise_handle(value: str) -> str:
    """The stored form of a handle: trimmed, lower-case, without the leading @."""
    return value.strip().lstrip("@").lower()


class ConsentPurpose(models.TextChoices):
    SURVEYS = "surveys", "Surveys"
    MARKETING = "marketing", "Marketing"
    TESTIMONIAL = "testimonial", "Testimonial"
    REFERENCE_CALL = "reference_call", "Reference call"
    PUBLIC_STORY = "public_story", "Public story"


class Consent(models.Model):
    """One grant or withdrawal. Rows are never changed: the latest row per purpose is in force."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents", db_index=False)
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=100, help_text="Where it was given: import, portal, API, phone …")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "purpose", "-recorded_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"),
            models.CheckConstraint(condition=~Q(source=""), name="consent_source_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {'granted' if self.granted else 'withdrawn'}"


class Product(models.Model):
    """Our own product, or a named competitor's (so advocates can recommend what truly fits)."""

    external_id = models.CharField(max_length=100, unique=True, help_text="SKU or CRM product id")
    name = models.CharField(max_length=200)
    competitor = models.CharField(max_length=100, blank=True, help_text="Empty for our own products.")
    category = models.CharField(max_length=100, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    margin_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Staff-only; never used to rank recommendations.",
    )
    capability_tags = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["competitor", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=Q(currency=Upper("currency")), name="product_currency_upper"),
            models.CheckConstraint(
                condition=Q(margin_pct__isnull=True) | Q(margin_pct__gte=-100, margin_pct__lte=100),
                name="product_margin_is_percentage",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="product_name_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.competitor})" if self.competitor else self.name

    @property
    def is_own(self) -> bool:
        return self.competitor == ""


class OrderKind(models.TextChoices):
    NEW = "new", "New"
    RENEWAL = "renewal", "Renewal"
    UPSELL = "upsell", "Upsell"
    CROSS_SELL = "cross_sell", "Cross-sell"


class Order(models.Model):
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=16, choices=OrderKind.choices, default=OrderKind.NEW)
    ordered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        indexes = [models.Index(fields=["customer", "ordered_on"]), models.Index(fields=["ordered_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_not_negative"),
            models.CheckConstraint(condition=Q(currency=Upper("currency")), name="order_currency_upper"),
            models.CheckConstraint(condition=Q(kind__in=OrderKind.values), name="order_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} on {self.ordered_on}"


class EngagementKind(models.TextChoices):
    LOGIN = "login", "Signed in"
    FEATURE_USE = "feature_use", "Used a feature"
    SUPPORT_CONTACT = "support_contact", "Contacted support"
    EVENT_ATTENDED = "event_attended", "Attended an event"
    COMMUNITY_POST = "community_post", "Posted in the community"
    REVIEW = "review", "Wrote a review"
    REFERRAL = "referral", "Referred someone"
    WEBINAR = "webinar", "Joined a webinar"
    EMAIL_CLICK = "email_click", "Clicked an email"


class EngagementEvent(models.Model):
    """Something a customer did. The same customer, kind and moment is one event, whatever imports it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="engagement_events", db_index=False)
    kind = models.CharField(max_length=32, choices=EngagementKind.choices)
    occurred_at = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # What the event was about where the kind has a subject: for "Used a feature", the feature, as one
    # of the products' capability tags ("analytics"), so drivers can tell which features matter.
    # A default in the database too: rows written by SQL from outside (an ETL job) need not name it.
    detail = models.CharField(max_length=100, blank=True, default="", db_default="")
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["occurred_at"])]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "occurred_at"], name="event_unique_moment"),
            models.CheckConstraint(condition=Q(kind__in=EngagementKind.values), name="event_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at}"


class ProductInUse(models.Model):
    """A product the customer uses that we did not sell them, typically a competitor's (from the CRM, a
    sales call or the customer's own word). Our own products in use follow from the orders."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="products_in_use", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="in_use_by")
    since = models.DateField(null=True, blank=True, help_text="When they started using it, where known.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="product_in_use_once"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} uses {self.product_id}"


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    ACCOUNTS = "accounts", "Accounts"
    PRODUCTS = "products", "Products"
    ORDERS = "orders", "Orders"
    EVENTS = "events", "Engagement events"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """An import started from the upload page or the API, run by a background task."""

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    encoding = models.CharField(max_length=40, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=False)
    atomic = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    runner = models.CharField(max_length=100, blank=True, help_text="The process running it (for the sweep).")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ImportKind.values), name="importjob_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="importjob_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name}"
