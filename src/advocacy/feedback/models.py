"""Surveys, waves, invitations, responses, themes and the contact-fatigue ledger.

Invariants in the database: a score lies on its survey kind's scale, one response per invitation,
one invitation per customer per wave, the fatigue policy is a single row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from advocacy.customers.models import Customer


class SurveyKind(models.TextChoices):
    NPS = "nps", "NPS (0–10)"
    CSAT = "csat", "CSAT (1–5)"
    CES = "ces", "CES (1–7)"


SCALES: dict[str, tuple[int, int]] = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5), SurveyKind.CES: (1, 7)}

DEFAULT_QUESTIONS: dict[str, tuple[str, str]] = {
    SurveyKind.NPS: (
        "How likely are you to recommend {{ company }} to a friend or colleague?",
        "What is the main reason for your score?",
    ),
    SurveyKind.CSAT: ("How satisfied are you with {{ company }}?", "What could we have done better?"),
    SurveyKind.CES: (
        "{{ company }} made it easy for me to handle my issue.",
        "What made it easy or hard?",
    ),
}


class Schedule(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    RECURRING = "recurring", "Recurring waves"
    TRANSACTIONAL = "transactional", "Transactional (after an event)"


class EveryUnit(models.TextChoices):
    DAYS = "days", "days"
    MONTHS = "months", "months"


def score_on_scale() -> Q:
    return (
        Q(kind=SurveyKind.NPS, score__gte=0, score__lte=10)
        | Q(kind=SurveyKind.CSAT, score__gte=1, score__lte=5)
        | Q(kind=SurveyKind.CES, score__gte=1, score__lte=7)
    )


class Survey(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    question = models.CharField(max_length=300)
    follow_up_question = models.CharField(max_length=300)
    audience = models.JSONField(default=dict, blank=True, help_text="Filters on customer and account fields.")
    schedule = models.CharField(max_length=16, choices=Schedule.choices, default=Schedule.ONE_OFF)
    every_n = models.PositiveSmallIntegerField(null=True, blank=True)
    every_unit = models.CharField(max_length=8, choices=EveryUnit.choices, blank=True)
    next_wave_on = models.DateField(null=True, blank=True, help_text="When the scheduler opens the next wave.")
    recontact_days = models.PositiveSmallIntegerField(
        default=90, help_text="Do not invite to this survey again within this many days of the last invitation."
    )
    answer_window_days = models.PositiveSmallIntegerField(
        default=7, help_text="A second click within this window updates the answer; later clicks are refused."
    )
    link_valid_days = models.PositiveSmallIntegerField(default=30)
    email_subject = models.CharField(max_length=200)
    email_text = models.TextField()
    email_html = models.TextField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SurveyKind.values), name="survey_kind_valid"),
            models.CheckConstraint(condition=Q(schedule__in=Schedule.values), name="survey_schedule_valid"),
            models.CheckConstraint(
                condition=~Q(schedule=Schedule.RECURRING) | Q(every_n__gt=0, every_unit__in=EveryUnit.values),
                name="survey_recurring_has_interval",
            ),
            models.CheckConstraint(condition=Q(answer_window_days__gte=0), name="survey_window_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[self.kind]


class Wave(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves", db_index=False)
    number = models.PositiveIntegerField()
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    class Meta:
        ordering = ["survey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="wave_number_unique_per_survey"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opened_at")), name="wave_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} — wave {self.number}"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEB = "web", "Web link"
    IN_APP = "in_app", "In-app"
    API = "api", "Gathered elsewhere (API)"


class InvitationStatus(models.TextChoices):
    HELD = "held", "Held back"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Bounced"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Delivery unconfirmed"


class Invitation(models.Model):
    """One ask of one customer: sent, or held back with the reason why."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations", db_index=False)
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_invitations", db_index=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    trigger = models.CharField(max_length=100, blank=True, help_text="What caused a transactional invitation.")
    status = models.CharField(max_length=11, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED)
    held_reason = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The send's markers (outreach/mail/handover.py): who claimed it, and when the whole mail went to the server.
    claim = models.CharField(max_length=64, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["survey", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "customer"], condition=Q(wave__isnull=False), name="invitation_once_per_wave"
            ),
            models.UniqueConstraint(
                fields=["survey", "customer", "trigger"], condition=~Q(trigger=""), name="invitation_once_per_trigger"
            ),
            models.CheckConstraint(condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.HELD) | ~Q(held_reason=""), name="invitation_held_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer_id} ({self.status})"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    kind = models.CharField(max_length=8, choices=SurveyKind.choices, help_text="Copied from the survey.")
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_responses", db_index=False
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    sentiment = models.FloatField(null=True, blank=True, help_text="VADER compound score of the comment, −1 to 1.")
    theme = models.ForeignKey("Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    external_id = models.CharField(max_length=100, null=True, blank=True)
    answered_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The loop (advocacy/loop.py) acts on a settled answer. A first answer settles when the person
    # confirms it; a changed one once it has stood unchanged for ANSWER_SETTLE_SECONDS.
    acted_score = models.SmallIntegerField(
        null=True, blank=True, help_text="The score the loop's follow-ups (a case, a hub invitation) were made for."
    )
    settles_at = models.DateTimeField(
        null=True, blank=True, help_text="A changed answer waits until then before the loop acts on the change."
    )
    duplicate = models.BooleanField(
        default=False,
        help_text="Flagged: a shared-link answer from a network that answered this survey already; kept, "
        "shown, and left out of the scores.",
    )

    class Meta:
        ordering = ["-answered_at"]
        indexes = [
            models.Index(fields=["survey", "answered_at"]),
            models.Index(fields=["customer", "answered_at"]),
            models.Index(fields=["settles_at"], condition=Q(settles_at__isnull=False), name="response_settling"),
        ]
        constraints = [
            models.CheckConstraint(condition=score_on_scale(), name="response_score_on_scale"),
            models.UniqueConstraint(
                fields=["survey", "external_id"], condition=Q(external_id__isnull=False), name="response_external_id"
            ),
            models.CheckConstraint(
                condition=Q(sentiment__gte=-1, sentiment__lte=1) | Q(sentiment__isnull=True),
                name="response_sentiment_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


class Theme(models.Model):
    """A group of comments with a readable label, found by the latest theme run."""

    label = models.CharField(max_length=200)
    terms = models.JSONField(default=list)
    method = models.CharField(max_length=100)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class SentimentModel(models.Model):
    """One version of the sentiment classifier learned from this company's own survey comments (labelled
    by their NPS category), with its held-out accuracy and AUC next to VADER's on the same comments.
    The newest row is the model in use; older rows stay as the record of earlier versions."""

    version = models.PositiveIntegerField(unique=True)
    method = models.CharField(max_length=60, help_text="e.g. 'tfidf+logistic regression'")
    trained_at = models.DateTimeField(default=timezone.now)
    train_size = models.PositiveIntegerField()
    test_size = models.PositiveIntegerField()
    accuracy = models.FloatField()
    auc = models.FloatField()
    vader_accuracy = models.FloatField()
    vader_auc = models.FloatField()
    model = models.BinaryField(help_text="The fitted scikit-learn pipeline, serialised by joblib.")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accuracy__gte=0, accuracy__lte=1), name="sentiment_model_accuracy_range"
            ),
            models.CheckConstraint(condition=Q(auc__gte=0, auc__lte=1), name="sentiment_model_auc_range"),
            models.CheckConstraint(condition=Q(test_size__gt=0), name="sentiment_model_has_test_set"),
        ]

    def __str__(self) -> str:
        return f"sentiment model v{self.version} ({self.method})"


# The per-score count columns of a roll-up row: s0 … s10 cover every scale (NPS 0–10, CSAT 1–5, CES 1–7).
ROLLUP_SCORES = range(11)


class ResponseRollup(models.Model):
    """The counted answers of one survey on one local day, in one wave, for one segment value.

    Kept exact by database triggers (feedback/rollups.py) on every write of an answer, a customer's
    locale or account and an account's attributes, whatever the path; the dashboard reads these rows
    instead of the answers. ``dimension`` is a segment field of the dashboard ('' for all answers),
    ``value`` its current value ('' where unset); ``wave_id`` is 0 for answers outside a wave. ``n``
    and ``s0`` … ``s10`` (answers per score) count answers that are not flagged duplicates. A key may
    have several rows, one per ``stripe``; its counts are their sum.
    """

    # No constraint in the database: the answers' triggers may write while a flush empties the tables in
    # any order; a survey's rows go with it (its delete trigger), and a rebuild recounts everything.
    survey = models.ForeignKey(
        Survey, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    day = models.DateField()
    # A plain id, not a foreign key: 0 (no wave) must take part in the unique key, which NULL cannot.
    wave_id = models.IntegerField(default=0)
    dimension = models.CharField(max_length=32)
    value = models.CharField(max_length=200)
    # Which copy of the row this is (feedback/rollups.py, STRIPES): the readers add the copies up.
    stripe = models.SmallIntegerField(default=0, db_default=0)
    n = models.IntegerField(default=0)
    s0 = models.IntegerField(default=0)
    s1 = models.IntegerField(default=0)
    s2 = models.IntegerField(default=0)
    s3 = models.IntegerField(default=0)
    s4 = models.IntegerField(default=0)
    s5 = models.IntegerField(default=0)
    s6 = models.IntegerField(default=0)
    s7 = models.IntegerField(default=0)
    s8 = models.IntegerField(default=0)
    s9 = models.IntegerField(default=0)
    s10 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dimension", "value", "day", "wave_id", "stripe"], name="response_rollup_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.day} {self.dimension or 'all'}={self.value}: {self.n}"


class RollupState(models.Model):
    """The one row that says the roll-ups are complete, and for which time zone their days are counted.

    Written by a rebuild (the data migration, ``advocacy rollups_rebuild``); without it, or when the
    viewer's time zone differs, the dashboard counts the answers themselves."""

    zone = models.CharField(max_length=64)
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"roll-ups by day in {self.zone}, built {self.built_at:%Y-%m-%d %H:%M}"
