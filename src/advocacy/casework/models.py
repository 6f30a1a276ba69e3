"""Cases owned by one customer advocate, their promised cadence, huddles, prevention, appointments and
recommendations.

Invariants in the database: a case always has exactly one owner (a non-null owner column), a
resolved case has a resolution time, a breach is recorded once per deadline, an appointment ends
after it starts, each department has one head.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from advocacy.customers.models import Customer, Product


class BusinessCalendar(models.Model):
    """Working days and hours in one zone, with holidays: deadlines count only these hours."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    workdays = models.JSONField(default=list, help_text="Weekdays worked, 0 = Monday … 6 = Sunday.")
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="calendar_closes_after_opening")]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays", db_index=False)
    day = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["calendar", "day"], name="holiday_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CadencePolicy(models.Model):
    """What each priority promises: first response, an update at least this often, a resolution target."""

    priority = models.CharField(max_length=8, choices=Priority.choices, unique=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="policies")
    first_response_minutes = models.PositiveIntegerField()
    update_every_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "cadence policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, update_every_minutes__gt=0, resolution_minutes__gt=0),
                name="cadence_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} cadence"


class CaseSettings(models.Model):
    """The switches a program manager sets for casework; a single row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    warn_before_minutes = models.PositiveIntegerField(default=15)
    recurrence_days = models.PositiveIntegerField(default=30)
    prevention_categories = models.JSONField(
        default=list, blank=True, help_text="Categories whose cases need a prevention step to resolve."
    )
    prevention_priorities = models.JSONField(
        default=list, blank=True, help_text="Priorities whose cases need a prevention step to resolve."
    )

    class Meta:
        verbose_name_plural = "case settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="case_settings_single_row")]

    def __str__(self) -> str:
        return "Case settings"


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)
    head = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="departments_led")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    BILLING = "billing", "Billing"
    TECHNICAL = "technical", "Technical"
    DELIVERY = "delivery", "Delivery"
    ACCOUNT = "account", "Account"
    PRODUCT = "product", "Product fit"
    SERVICE = "service", "Service visit"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Portal"
    SURVEY = "survey", "Survey"
    SOCIAL = "social", "Social"
    MANUAL = "manual", "Manual"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
    WAITING_DEPARTMENT = "waiting_department", "Waiting on department"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_DEPARTMENT]


class Problem(models.Model):
    """Cases that share one root cause."""

    title = models.CharField(max_length=200)
    root_cause_category = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title


class Case(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="cases", db_index=False)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # Exactly one owner at every moment: the column cannot be empty, and only a transfer changes it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases", db_index=False
    )
    needs = models.JSONField(default=list, blank=True, help_text="Capability tags the customer needs.")
    created_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deadlines, computed in business hours by services; null when not running.
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    next_due = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="The earliest running deadline: what the queue sorts by."
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.JSONField(
        default=dict, blank=True, help_text="Business minutes left on each deadline when the clock paused."
    )
    warned_for = models.DateTimeField(null=True, blank=True, help_text="The deadline the owner was last warned of.")
    recurrence_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recurrences"
    )
    recurrence_reason = models.CharField(max_length=200, blank=True)
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    origin = models.CharField(max_length=100, blank=True, help_text="What opened it, e.g. 'response:42'.")

    class Meta:
        ordering = ["next_due", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "next_due"]),
            # The queue's own order: one owner's open cases by due time read straight off the index,
            # so the first page needs no sort of the owner's whole backlog.
            models.Index(fields=["owner", "next_due", "id"], condition=Q(status__in=OPEN_STATUSES), name="case_queue"),
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["status", "next_due"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="case_priority_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.RESOLVED, Status.CLOSED]) | Q(resolved_at__isnull=False),
                name="case_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.WAITING_CUSTOMER) | Q(paused_at__isnull=False),
                name="case_waiting_on_customer_is_paused",
            ),
            models.UniqueConstraint(fields=["origin"], condition=~Q(origin=""), name="case_origin_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", "Opened"
    UPDATE = "update", "Update to the customer"
    NOTE = "note", "Internal note"
    CUSTOMER_REPLY = "customer_reply", "Customer replied"
    STATUS = "status", "Status changed"
    TRANSFER = "transfer", "Transferred"
    HUDDLE = "huddle", "Huddle"
    TASK = "task", "Department task"
    PREVENTION = "prevention", "Prevention"
    APPOINTMENT = "appointment", "Appointment"
    RECOMMENDATION = "recommendation", "Recommendation"
    WARNING = "warning", "Deadline warning"
    BREACH = "breach", "Deadline missed"
    RESOLVED = "resolved", "Resolved"


class CaseEvent(models.Model):
    """One line of a case's timeline. Only rows marked visible reach the customer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    visible_to_customer = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_customer = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class Transfer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(from_owner=F("to_owner")), name="transfer_changes_owner"),
            models.CheckConstraint(condition=~Q(reason=""), name="transfer_has_reason"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.from_owner_id} → {self.to_owner_id}"


class DeadlineKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    UPDATE = "update", "Customer update"
    RESOLUTION = "resolution", "Resolution"


class Breach(models.Model):
    """A missed promise, recorded once per deadline however often the sweep runs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="breaches", db_index=False)
    kind = models.CharField(max_length=16, choices=DeadlineKind.choices)
    due_at = models.DateTimeField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # recorded_at: the sweep counts what it recorded, and reports read breaches since a date.
        indexes = [models.Index(fields=["recorded_at"])]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "due_at"], name="breach_once_per_deadline")]

    def __str__(self) -> str:
        return f"{self.kind} missed on case {self.case_id}"


class Huddle(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="huddles")
    meeting_at = models.DateTimeField()
    agenda = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"huddle on case {self.case_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class HuddleTask(models.Model):
    """What one department owes the case; its head is accountable."""

    huddle = models.ForeignKey(Huddle, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="huddle_tasks", db_index=False
    )
    notes = models.TextField(blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["assignee", "status", "due_at"])]
        constraints = [
            models.UniqueConstraint(fields=["huddle", "department"], name="task_once_per_department"),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.DONE) | Q(done_at__isnull=False), name="task_done_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} task on case {self.huddle.case_id}"


class RootCause(models.TextChoices):
    PROCESS = "process", "Process gap"
    PRODUCT_DEFECT = "product_defect", "Product defect"
    DOCUMENTATION = "documentation", "Missing or wrong documentation"
    TRAINING = "training", "Staff training"
    SUPPLIER = "supplier", "Supplier or partner"
    BILLING_SYSTEM = "billing_system", "Billing system"
    CUSTOMER_EXPECTATION = "customer_expectation", "Expectation not set"
    OTHER = "other", "Other"


class Prevention(models.Model):
    """The root cause of a resolved case and the corrective action that stops it happening again."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="prevention")
    root_cause_category = models.CharField(max_length=32, choices=RootCause.choices)
    root_cause = models.TextField()
    corrective_action = models.TextField()
    action_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action_due = models.DateField()
    verify_on = models.DateField()
    action_done_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(verify_on__gte=F("action_due")), name="prevention_verify_after_due"),
            models.CheckConstraint(
                condition=~Q(root_cause="") & ~Q(corrective_action=""), name="prevention_has_cause_and_action"
            ),
        ]

    def __str__(self) -> str:
        return f"prevention for case {self.case_id}"


class StaffAvailability(models.Model):
    """When a member of staff can take appointments: weekly windows in their own zone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField()
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["user", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="availability_weekday_valid"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="availability_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.weekday} {self.starts}-{self.ends}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    DONE = "done", "Done"


class Appointment(models.Model):
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="appointments")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    topic = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    sequence = models.PositiveIntegerField(default=0, help_text="RFC 5545 SEQUENCE, raised on each change.")
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["staff", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} at {self.starts_at}"


class RecommendationOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Recommendation(models.Model):
    """What the customer advocate recommended and why; a cheaper or competitor's product counts as
    a customer-first act."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="recommendations")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="recommendations")
    reason = models.TextField()
    fit = models.FloatField(help_text="Share of the customer's needs the product covers, 0–1.")
    cheaper_than_current = models.BooleanField(default=False)
    competitor = models.BooleanField(default=False)
    outcome = models.CharField(
        max_length=10, choices=RecommendationOutcome.choices, default=RecommendationOutcome.PENDING
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(fit__gte=0, fit__lte=1), name="recommendation_fit_range"),
        ]

    def __str__(self) -> str:
        return f"{self.product} for {self.customer_id}"

    @property
    def customer_first(self) -> bool:
        return self.cheaper_than_current or self.competitor


class ReplyTemplate(models.Model):
    """A saved answer the customer advocate starts an update from; the placeholders in
    ``REPLY_PLACEHOLDERS`` (casework/cases/replies.py) are filled with the case's own facts."""

    name = models.CharField(max_length=100, unique=True)
    body = models.TextField(max_length=5000)
    active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="reply_template_name_not_blank"),
            models.CheckConstraint(condition=~Q(body=""), name="reply_template_body_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueView(models.Model):
    """A member of staff's saved queue filters, listed beside the queue under their own name."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_views", db_index=False
    )
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500, help_text="The queue's query string, as the filters wrote it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="queue_view_name_unique_per_owner"),
            models.CheckConstraint(condition=~Q(name=""), name="queue_view_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name
