"""Users and their roles, API keys, idempotency records, the audit log, the ledger of background jobs and the
limits' counters."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from advocacy.core.roles import STAFF_ROLES, Role


class User(AbstractUser):
    """A member of staff. Customers are never Users: they sign in to the portal by emailed link."""

    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role if r.value in STAFF_ROLES])
    time_zone = models.CharField(max_length=64, default="UTC", help_text="Times are shown in this zone.")
    is_service = models.BooleanField(
        default=False, help_text="A service identity an API key acts as (an integration); it never signs in."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=sorted(STAFF_ROLES)), name="user_role_is_staff_role"),
            models.CheckConstraint(
                condition=Q(is_service=False) | Q(is_staff=False), name="user_service_not_admin_site"
            ),
            # Only admins reach the Django admin.
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(role=Role.ADMIN), name="user_admin_site_only_for_admins"
            ),
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiKey(models.Model):
    """A key for the API, scoped to one role and acting as one identity: a member of staff of that role,
    or a service identity made for the key. Writes through it are that identity's. Only a hash of the
    secret is stored."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, help_text="Shown to identify the key; not secret.")
    secret_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=32, choices=User._meta.get_field("role").choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys")
    acts_as = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys_acting_as")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=sorted(STAFF_ROLES)), name="apikey_role_is_staff_role"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for repeats."""

    principal = models.CharField(max_length=80, help_text="Who sent it: a hash of the API key, or the user id.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while in flight.")
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    body_omitted = models.PositiveIntegerField(
        default=0, help_text="The answer's size when it was over IDEMPOTENCY_MAX_BODY_BYTES and not kept."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique_per_principal"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in flight'})"


class AuditEvent(models.Model):
    """Who did what to which record, written by the events.py functions of each app."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150, help_text="The actor as they were named then.")
    verb = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.object_type}:{self.object_id}"


class LoopRule(models.Model):
    """A switch for one rule of the loop (see advocacy/loop.py); a missing row means the rule's default."""

    key = models.CharField(max_length=64, unique=True)
    enabled = models.BooleanField()
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key}: {'on' if self.enabled else 'off'}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    DEAD = "dead", "Failed for good"


class Job(models.Model):
    """One piece of background work and its attempts: the ledger behind every durable task.

    The row is written in the caller's transaction and handed to the task backend after commit, so
    work is never lost between the two. A worker claims it queued → running; a failure or a lost
    worker puts it back to queued after a back-off, until ``max_attempts`` makes it dead (listed for
    admins, who may retry it).
    """

    task_path = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, help_text="Optional: the same key is one job."
    )
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    run_after = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Last handed to the task backend.")
    runner = models.CharField(max_length=100, blank=True, help_text="The worker running it now.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "run_after"]), models.Index(fields=["status", "finished_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(condition=Q(attempts__lte=models.F("max_attempts")), name="job_attempts_bounded"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="job_at_least_one_attempt"),
            models.CheckConstraint(
                condition=~Q(status=JobStatus.RUNNING) | ~Q(runner=""), name="job_running_has_runner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_path} #{self.pk} ({self.status})"

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]


class WorkerBeat(models.Model):
    """A running ``advocacy worker``: its heartbeat tells the sweep whether its jobs are still in hand."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.worker_id


class WakeUp(models.Model):
    """A sweep that writes wake rather than one task per write (``wake_in_transaction`` in
    core/jobs/services.py). While ``queued_at`` is set, a run of the sweep is queued that has not yet
    started, and it will see every write committed before it starts, so a further write need not queue
    another: a burst of a thousand writes queues a handful of runs instead of a thousand tasks."""

    name = models.CharField(max_length=100, primary_key=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When the waiting run was queued.")

    def __str__(self) -> str:
        return f"{self.name}: {'queued' if self.queued_at else 'idle'}"


class LimitCount(models.Model):
    """How many requests one limit has counted for one key (an IP, an address, an API key) in the window
    that is running (advocacy.core.limits). One row per limit and key, counted by one upsert; a window that
    has ended starts again at one. The key is a hash, never the address itself. On PostgreSQL the table is
    unlogged: a count does not wait for the disk, and a crash empties it (every budget starts afresh)."""

    key = models.CharField(max_length=100, primary_key=True)
    window_ends = models.BigIntegerField(help_text="Seconds since the epoch at which the window ends.")
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["window_ends"], name="core_limitcount_ends")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
